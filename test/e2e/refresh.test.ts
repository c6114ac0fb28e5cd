// Issue 6: refresh-credentials writes a profile whose credential_process (dist/refresh/index.js)
// mints a fresh OIDC token and assumes the role again whenever an SDK or the CLI needs credentials.
// Consumers are real: the AWS CLI (botocore) and @aws-sdk/client-sts in a long-lived process.

import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { STUB_LINE } from '../../src/deliver/profile-stub.js';
import { type Job, REPO_ROOT, type StepResult } from '../support/runner.js';
import { GITHUB_HOSTED, knownSecrets, oidcJobs, useServers } from '../support/servers.js';
import { baseEnv } from '../support/tools.js';

const ROLE = 'arn:aws:iam::111111111111:role/Deploy';
const SESSION_ARN = 'arn:aws:sts::111111111111:assumed-role/Deploy/GitHubActions';
const REFRESHER = join(REPO_ROOT, 'dist', 'refresh', 'index.js');
/** Issued credentials expire this soon in the long-lived-process test. */
const SHORT_LIFETIME_S = 3;

const servers = useServers('sts', 'issuer');
/** A copy of the action under a path with spaces and a quote, as credential_process must quote it. */
let awkwardActionDir: string;

beforeAll(async () => {
  servers.sts.addRole({ arn: ROLE });
  servers.sts.addRole({
    arn: 'arn:aws:iam::111111111111:role/OnlyProd',
    trust: { sub: ['repo:acme/app:environment:prod'] },
  });
  const root = mkdtempSync(join(tmpdir(), "action dir 'quoted' "));
  awkwardActionDir = join(root, 'aws credentials action');
  cpSync(join(REPO_ROOT, 'dist'), join(awkwardActionDir, 'dist'), { recursive: true });
  cpSync(join(REPO_ROOT, 'action.yml'), join(awkwardActionDir, 'action.yml'));
});
afterAll(async () => {
  if (awkwardActionDir) rmSync(join(awkwardActionDir, '..'), { recursive: true, force: true });
});
afterEach(() => {
  servers.sts.setCredentialLifetime(null);
});

const jobs = oidcJobs(servers, { env: () => GITHUB_HOSTED, secrets: () => knownSecrets(servers) });
const newJob = (opts: { actionDir?: string } = {}): Job => jobs({}, opts);

const inputs = (extra: Record<string, string> = {}) => ({
  'role-to-assume': ROLE,
  'aws-region': 'eu-west-1',
  'sts-endpoint': servers.sts.endpoint,
  'refresh-credentials': 'true',
  ...extra,
});

const webIdentityCalls = () => servers.sts.calls.filter((c) => c.action === 'AssumeRoleWithWebIdentity');

function ok(result: StepResult): StepResult {
  expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
  return result;
}

async function callerArn(job: Job, args: string, env: Record<string, string> = {}): Promise<string> {
  const result = ok(
    await job.run(
      `aws ${args} sts get-caller-identity --endpoint-url ${servers.sts.endpoint} --output json`,
      {
        env,
      },
    ),
  );
  return (JSON.parse(result.stdout) as { Arn: string }).Arn;
}

/** Runs the refresher directly with exactly `env` (plus PATH). */
function runRefresher(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [REFRESHER, ...args],
      { env: { ...baseEnv(), ...env }, timeout: 30_000, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

/** The refresher's arguments as the action wrote them into the profile. */
function refresherArgsIn(config: string): string[] {
  const line = /^credential_process = (.*)$/m.exec(config)?.[1] ?? '';
  const args = line.slice(line.indexOf(' --role-arn') + 1).split(' ');
  expect(args[0]).toBe('--role-arn');
  return args;
}

describe('refresh-credentials', () => {
  it('writes a refreshing profile that the CLI uses by name and as the default', async () => {
    const job = newJob();
    const result = ok(await job.uses(inputs()));
    const firstSession = servers.sts.issued.at(-1);
    expect(firstSession?.arn).toBe(SESSION_ARN); // the action assumed the role once itself

    // Every SDK reads the default profile unasked; an AWS_PROFILE would outlive the post step.
    expect(job.env.AWS_PROFILE).toBeUndefined();
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) {
      expect(job.env[name]).toBe('');
    }
    expect(job.env.AWS_CONFIG_FILE).toBeUndefined(); // ~/.aws/config is where every SDK looks
    const configFile = join(job.home, '.aws', 'config');
    const config = readFileSync(configFile, 'utf8');
    const node = process.execPath;
    expect(config).toMatch(/^\[default\]\n# Written by aws-credentials-action .*\nregion = eu-west-1\n/);
    expect(config).toContain(`credential_process = ${node} ${REFRESHER} --role-arn ${ROLE} `);
    expect(config).not.toContain(firstSession?.accessKeyId ?? 'unset');
    expect(config).not.toContain(servers.issuer.requestToken);
    expect(existsSync(join(job.home, '.aws', 'credentials'))).toBe(false);
    expect(job.summary()).toContain('refreshing profile default');
    expect(result.stdout).not.toContain('credential_process');

    const before = webIdentityCalls().length;
    expect(await callerArn(job, '--profile default')).toBe(SESSION_ARN);
    expect(await callerArn(job, '')).toBe(SESSION_ARN);
    // Each CLI process ran the refresher once: nothing was served from a file.
    expect(webIdentityCalls().length - before).toBe(2);

    await job.post();
    expect(existsSync(configFile)).toBe(false);
    expect(job.env.AWS_PROFILE).toBeUndefined();
  });

  it('a long-lived SDK process gets new credentials by itself once the first ones expire', async () => {
    // A path with spaces and a quote: both the JS SDK (through a shell) and the CLI must read it back.
    const job = newJob({ actionDir: awkwardActionDir });
    ok(await job.uses(inputs({ 'aws-profile': 'long-job' })));
    writeFileSync(
      join(job.workspace, 'long-job.mjs'),
      `import { createRequire } from 'node:module';
const require = createRequire(${JSON.stringify(join(REPO_ROOT, 'package.json'))});
const { STSClient, GetCallerIdentityCommand } = require('@aws-sdk/client-sts');
const sts = new STSClient({ endpoint: process.env.STS_ENDPOINT });
const first = await sts.send(new GetCallerIdentityCommand({}));
await new Promise((resolve) => setTimeout(resolve, Number(process.env.WAIT_MS)));
const second = await sts.send(new GetCallerIdentityCommand({}));
console.log(JSON.stringify([first.Arn, second.Arn]));
`,
    );
    const longJob = async (waitMs: number) => {
      const callsBefore = servers.sts.calls.length;
      const tokensBefore = servers.issuer.tokens.length;
      const run = ok(
        await job.run(`"${process.execPath}" long-job.mjs`, {
          env: { STS_ENDPOINT: servers.sts.endpoint, WAIT_MS: String(waitMs) },
        }),
      );
      expect(JSON.parse(run.stdout)).toEqual([SESSION_ARN, SESSION_ARN]);
      const calls = servers.sts.calls.slice(callsBefore);
      const [first, second, ...more] = calls.filter((c) => c.action === 'GetCallerIdentity');
      expect(more).toEqual([]);
      if (!first?.signedBy || !second?.signedBy) throw new Error('GetCallerIdentity was not signed');
      expect([first.status, second.status]).toEqual([200, 200]);
      const refreshes = calls.filter((c) => c.action === 'AssumeRoleWithWebIdentity');
      expect(refreshes.every((c) => c.status === 200)).toBe(true);
      // Each refresh minted its own OIDC token.
      expect(servers.issuer.tokens.length - tokensBefore).toBe(refreshes.length);
      return { first, second, refreshes };
    };

    // Credentials of the role's usual length: the SDK keeps them, one refresh serves both calls.
    const steady = await longJob(0);
    expect(steady.refreshes).toHaveLength(1);
    expect(steady.second.signedBy).toBe(steady.first.signedBy);

    // Credentials that expire within seconds: after the wait the SDK refreshes by itself.
    servers.sts.setCredentialLifetime(SHORT_LIFETIME_S);
    const { first, second, refreshes } = await longJob((SHORT_LIFETIME_S + 1.5) * 1000);
    expect(second.signedBy).not.toBe(first.signedBy);
    expect(refreshes.filter((c) => c.at > first.at && c.at < second.at).length).toBeGreaterThanOrEqual(1);
    const firstExpiry =
      servers.sts.issued.find((i) => i.accessKeyId === first.signedBy)?.expiration ?? Infinity;
    expect(firstExpiry).toBeLessThan(second.at); // the first credentials had really expired
    // The JS SDK treats credentials that expire within 5 minutes as due, so with seconds-long ones it
    // runs credential_process on every resolution (4 runs for these 2 calls, not 2).
    expect(refreshes.length).toBeGreaterThanOrEqual(2);
  });

  it('works from a config file elsewhere, exporting AWS_CONFIG_FILE for later steps', async () => {
    const job = newJob({ actionDir: awkwardActionDir });
    const configFile = join(job.runnerTemp, 'aws config');
    ok(await job.uses(inputs({ 'aws-profile': 'ci' }), { env: { AWS_CONFIG_FILE: configFile } }));
    expect(job.env.AWS_CONFIG_FILE).toBe(configFile);
    const config = readFileSync(configFile, 'utf8');
    expect(config).toContain('[profile ci]');
    // The refresher's path is quoted for the shell, the quote in it escaped.
    expect(config).toContain(`action dir '\\''quoted'\\'' `);
    expect(await callerArn(job, '')).toBe(SESSION_ARN);
    await job.post();
    // AWS_PROFILE cannot be unset: it keeps naming the profile, now an empty stub in that file.
    expect(job.env.AWS_PROFILE).toBe('ci');
    expect(job.env.AWS_CONFIG_FILE).toBe(configFile);
    expect(readFileSync(configFile, 'utf8')).toBe(`[profile ci]\n${STUB_LINE}\n`);
  });

  it('the refresher prints exactly the credential_process JSON, and no secret on stderr', async () => {
    const job = newJob();
    ok(await job.uses(inputs()));
    const args = refresherArgsIn(readFileSync(join(job.home, '.aws', 'config'), 'utf8'));
    const tokensBefore = servers.issuer.tokens.length;
    const out = await runRefresher(args, servers.issuer.env());
    expect(out.code, out.stderr).toBe(0);
    const json = JSON.parse(out.stdout) as Record<string, unknown>;
    expect(Object.keys(json).sort()).toEqual([
      'AccessKeyId',
      'Expiration',
      'SecretAccessKey',
      'SessionToken',
      'Version',
    ]);
    expect(json.Version).toBe(1);
    const issued = servers.sts.issued.at(-1);
    expect(json.AccessKeyId).toBe(issued?.accessKeyId);
    expect(new Date(String(json.Expiration)).getTime()).toBe(issued?.expiration);
    const check = servers.sts.checkCredentials({
      accessKeyId: String(json.AccessKeyId),
      secretAccessKey: String(json.SecretAccessKey),
      sessionToken: String(json.SessionToken),
    });
    expect(check).toBe('valid');
    // A fresh token, not one saved from the action's own run.
    expect(servers.issuer.tokens.length).toBe(tokensBefore + 1);
    for (const secret of [
      json.SecretAccessKey,
      json.SessionToken,
      json.AccessKeyId,
      servers.issuer.tokens.at(-1),
    ]) {
      expect(out.stderr).not.toContain(String(secret));
    }
  });

  it('without the request variables the refresher fails, saying why, and prints nothing on stdout', async () => {
    const job = newJob();
    ok(await job.uses(inputs()));
    const args = refresherArgsIn(readFileSync(join(job.home, '.aws', 'config'), 'utf8'));
    const out = await runRefresher(args, {});
    expect(out.code).not.toBe(0);
    expect(out.stdout).toBe('');
    expect(out.stderr).toContain('id-token: write');
    expect(out.stderr).toContain('ACTIONS_ID_TOKEN_REQUEST_URL');

    // The same inside a job step whose environment lost them: the CLI passes the reason on.
    const cli = await job.run(`aws sts get-caller-identity --endpoint-url ${servers.sts.endpoint}`, {
      env: { ACTIONS_ID_TOKEN_REQUEST_URL: '', ACTIONS_ID_TOKEN_REQUEST_TOKEN: '' },
    });
    expect(cli.exitCode).not.toBe(0);
    expect(cli.stderr).toContain('id-token: write');
  });

  it('a trust policy that refuses the token fails the step at once, and writes no profile', async () => {
    const job = newJob();
    const before = webIdentityCalls().length;
    const result = await job.uses(inputs({ 'role-to-assume': 'arn:aws:iam::111111111111:role/OnlyProd' }));
    expect(result.exitCode).toBe(1);
    const errors = result.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toContain('repo:acme/app:ref:refs/heads/main'); // the token's sub, explained
    expect(webIdentityCalls().length - before).toBe(1);
    expect(existsSync(join(job.home, '.aws'))).toBe(false);
    expect(job.env.AWS_PROFILE).toBeUndefined();
  });

  it('is refused with a source other than GitHub OIDC, naming the input', async () => {
    const job = newJob();
    const result = await job.uses(
      inputs({
        'aws-access-key-id': 'AKIAEXAMPLEKEY000000',
        'aws-secret-access-key': 'example-secret-0000000',
      }),
    );
    expect(result.exitCode).toBe(1);
    const [error] = result.annotations.filter((a) => a.level === 'error');
    expect(error?.title).toBe('Invalid input: refresh-credentials');
    expect(error?.message).toContain('access keys');
    expect(existsSync(join(job.home, '.aws'))).toBe(false);
  });
});
