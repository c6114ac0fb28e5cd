// Issue 11 item 8: the refresher (dist/refresh/index.js) scrubs the JWT and the request token from
// all it prints, even when STS echoes the request in an error. Run directly with its
// credential_process arguments, and by the AWS CLI through the profile refresh-credentials writes.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Job, REPO_ROOT } from '../support/runner.js';
import { GITHUB_HOSTED, knownSecrets, oidcJobs, useServers } from '../support/servers.js';
import { baseEnv } from '../support/tools.js';

const ROLE = 'arn:aws:iam::111111111111:role/Echo';
const REFRESHER = join(REPO_ROOT, 'dist', 'refresh', 'index.js');

const servers = useServers('sts', 'issuer');
beforeAll(() => {
  servers.sts.addRole({ arn: ROLE });
});
// Every job's output (the CLI's included) is leak-checked against every JWT and the request token.
const newJob = oidcJobs(servers, { env: () => GITHUB_HOSTED, secrets: () => knownSecrets(servers) });

/** STS answers with the request echoed: the token it was sent, and the request token besides. */
function echoing(): { code: string; message: string; status?: number }[] {
  const echo = `WebIdentityToken={WebIdentityToken}&Authorization=Bearer ${servers.issuer.requestToken}`;
  return [
    { code: 'ValidationError', message: `1 validation error detected: request ${echo}` },
    {
      code: 'AccessDenied',
      message: `Not authorized to perform sts:AssumeRoleWithWebIdentity: ${echo}`,
      status: 403,
    },
  ];
}

function runRefresher(args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [REFRESHER, ...args],
      { env: { ...baseEnv(), ...env }, timeout: 30_000, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code) || 1 : 0, out: `${stdout}\n${stderr}` });
      },
    );
  });
}

function expectScrubbed(out: string): void {
  const tokens = servers.issuer.tokens;
  expect(tokens.length).toBeGreaterThan(0);
  for (const secret of [...tokens, servers.issuer.requestToken]) expect(out).not.toContain(secret);
  // Nothing that looks like a JWT either (header.payload.signature).
  expect(out).not.toMatch(/eyJ[\w-]{4,}\.eyJ[\w-]{4,}\./);
}

/**
 * A job whose step wrote a refreshing profile (with `extra` inputs), and the refresher's arguments
 * taken from its credential_process line.
 */
async function refreshingJob(extra: Record<string, string> = {}): Promise<{ job: Job; args: string[] }> {
  const job = newJob();
  const step = await job.uses({
    'role-to-assume': ROLE,
    'aws-region': 'eu-west-1',
    'sts-endpoint': servers.sts.endpoint,
    'refresh-credentials': 'true',
    ...extra,
  });
  expect(step.exitCode, step.stdout).toBe(0);
  const config = readFileSync(join(job.home, '.aws', 'config'), 'utf8');
  const line = /^credential_process = (.*)$/m.exec(config)?.[1] ?? '';
  return { job, args: line.slice(line.indexOf(' --role-arn') + 1).split(' ') };
}

describe('the refresher, when STS echoes the request in an error', () => {
  it('run with its credential_process arguments: no JWT and no request token on stdout or stderr', async () => {
    const { args } = await refreshingJob();
    for (const fault of echoing()) {
      servers.sts.script('AssumeRoleWithWebIdentity', [fault]);
      const before = servers.sts.calls.length;
      const { code, out } = await runRefresher(args, { ...servers.issuer.env(), ...GITHUB_HOSTED });
      expect(code, out).not.toBe(0);
      // STS did echo the token it was sent: the double answered with it.
      expect(servers.sts.calls.slice(before).some((c) => c.fault === fault.code)).toBe(true);
      expect(out).toContain(fault.code);
      expectScrubbed(out);
      expect(out).toContain('***');
    }
  });

  it('run by the AWS CLI through the profile: the CLI shows the refresher’s error without the secrets', async () => {
    const { job } = await refreshingJob({ 'aws-profile': 'echo' });
    // Every attempt the refresher makes is answered with the echo (AccessDenied is not retried).
    servers.sts.script('AssumeRoleWithWebIdentity', echoing().slice(1));
    const result = await job.run(
      `aws sts get-caller-identity --profile echo --endpoint-url ${servers.sts.endpoint} --output json`,
    );
    expect(result.exitCode).not.toBe(0);
    const out = `${result.stdout}\n${result.stderr}`;
    expect(out).toContain('AccessDenied');
    expectScrubbed(out);
  });
});

describe('the refresher, when its retries run out', () => {
  it('names the knob that exists for it (retry-max-attempts in the step), not action-timeout-s', async () => {
    const { args } = await refreshingJob({ 'retry-max-attempts': '1' });
    expect(args).toContain('--max-attempts');
    servers.sts.script('AssumeRoleWithWebIdentity', [
      { code: 'IDPCommunicationError', message: "Couldn't retrieve verification key" },
    ]);
    const { code, out } = await runRefresher(args, { ...servers.issuer.env(), ...GITHUB_HOSTED });
    expect(code, out).not.toBe(0);
    expect(out).toContain('AWS STS retries exhausted (IDPCommunicationError)');
    expect(out).toContain('retry-max-attempts in the step that wrote this profile');
    expect(out).not.toContain('action-timeout-s');
  });
});
