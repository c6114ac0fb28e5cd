// Issue 9, end to end against dist/: the kubelet's token-file links, several jobs sharing one HOME
// (16 profiles at once; a race for one name), and the runner's own credentials from a container
// credentials endpoint on 127.0.0.1, with the real AWS CLI in later steps.
import { randomBytes } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, expectSuccess, jobFactory } from '../support/job-fixture.js';
import type { Job } from '../support/runner.js';
import { knownSecrets, oidcJobs, useServers } from '../support/servers.js';
import { awsCli } from '../support/tools.js';

const MOTO_ACCOUNT = '123456789012';
const motoRole = (name: string) => `arn:aws:iam::${MOTO_ACCOUNT}:role/${name}`;
const DOUBLE_ACCOUNT = '111111111111';
const doubleRole = (name: string) => `arn:aws:iam::${DOUBLE_ACCOUNT}:role/${name}`;
const doubleSession = (name: string) => `arn:aws:sts::${DOUBLE_ACCOUNT}:assumed-role/${name}/GitHubActions`;

const servers = useServers('moto', 'sts', 'issuer');
const SELF_HOSTED = { RUNNER_ENVIRONMENT: 'self-hosted' };

/** Temporary credentials of RunnerRole from moto: what an ECS/EKS container endpoint would serve. */
let runner: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string; Expiration: string };
let endpoint: { server: Server; url: string; token: string; requests: number };

beforeAll(async () => {
  const admin = {
    AWS_ACCESS_KEY_ID: 'AKIAADMINEXAMPLE0001',
    AWS_SECRET_ACCESS_KEY: 'admin-secret-not-checked-by-moto',
    AWS_DEFAULT_REGION: 'us-east-1',
  };
  const cli = async (args: string[]) => {
    const r = await awsCli([...args, '--endpoint-url', servers.moto.endpoint, '--output', 'json'], admin);
    if (r.exitCode !== 0) throw new Error(`aws ${args.join(' ')} failed: ${r.stderr}`);
    return JSON.parse(r.stdout);
  };
  const assumed = await cli([
    'sts',
    'assume-role',
    '--role-arn',
    motoRole('RunnerRole'),
    '--role-session-name',
    'i-0runner',
    '--duration-seconds',
    '900',
  ]);
  runner = assumed.Credentials;
  const token = randomBytes(16).toString('hex');
  const server = createServer((req, res) => {
    endpoint.requests++;
    if (req.url !== '/creds' || req.headers.authorization !== token) {
      res.writeHead(403).end('{}');
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        AccessKeyId: runner.AccessKeyId,
        SecretAccessKey: runner.SecretAccessKey,
        Token: runner.SessionToken,
        Expiration: runner.Expiration,
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  endpoint = { server, url: `http://127.0.0.1:${port}/creds`, token, requests: 0 };
});
afterAll(async () => {
  await new Promise<void>((resolve) => endpoint?.server.close(() => resolve()) ?? resolve());
});

const secrets = () => [
  ...knownSecrets(servers),
  ...(runner ? [runner.SecretAccessKey, runner.SessionToken] : []),
];
/** Jobs without id-token permission: no OIDC request variables. */
const plainJob = jobFactory(() => SELF_HOSTED, secrets);
const oidcJob = oidcJobs(servers, { env: () => SELF_HOSTED, secrets });

async function cliIdentity(job: Job, stsEndpoint: string, args = '', env: Record<string, string> = {}) {
  const step = await job.run(
    `aws ${args} sts get-caller-identity --endpoint-url "$CLI_STS_ENDPOINT" --output json`,
    { env: { CLI_STS_ENDPOINT: stsEndpoint, ...env } },
  );
  expectSuccess(step);
  return JSON.parse(step.stdout) as { Arn: string };
}

describe('EKS (IRSA): the kubelet projects the token through symbolic links', () => {
  it('reads token -> ..data/token, ..data -> ..<timestamp>/ without id-token permission', async () => {
    const job = plainJob();
    const dir = join(job.runnerTemp, 'serviceaccount');
    const stamped = '..2026_12_01_10_00_00.123456789';
    mkdirSync(join(dir, stamped), { recursive: true });
    const jwt = `eyJhbGciOiJSUzI1NiJ9.${Buffer.from('{"sub":"system:serviceaccount:ci:runner"}').toString('base64url')}.${randomBytes(32).toString('base64url')}`;
    job.addSecret(jwt);
    writeFileSync(join(dir, stamped, 'token'), jwt);
    symlinkSync(stamped, join(dir, '..data'));
    symlinkSync('..data/token', join(dir, 'token'));
    const requests = servers.issuer.requests;
    const step = await job.uses({
      'aws-region': 'eu-west-1',
      'sts-endpoint': servers.moto.endpoint,
      'role-to-assume': motoRole('EksRunner'),
      'web-identity-token-file': join(dir, 'token'),
    });
    expectSuccess(step);
    expect((await cliIdentity(job, servers.moto.endpoint)).Arn).toBe(
      `arn:aws:sts::${MOTO_ACCOUNT}:assumed-role/EksRunner/GitHubActions`,
    );
    expect(servers.issuer.requests).toBe(requests);
  });
});

describe("the runner's own credentials (container credentials endpoint)", () => {
  const containerEnv = () => ({
    AWS_CONTAINER_CREDENTIALS_FULL_URI: endpoint.url,
    AWS_CONTAINER_AUTHORIZATION_TOKEN: endpoint.token,
  });
  const runnerArn = () => `arn:aws:sts::${MOTO_ACCOUNT}:assumed-role/RunnerRole/i-0runner`;

  it('are checked and named in the outputs, and left in place: later steps use the endpoint itself', async () => {
    const job = plainJob(containerEnv());
    const before = endpoint.requests;
    const step = await job.uses({
      'aws-region': 'eu-west-1',
      'sts-endpoint': servers.moto.endpoint,
      'allowed-account-ids': MOTO_ACCOUNT,
    });
    expectSuccess(step);
    expect(endpoint.requests).toBeGreaterThan(before);
    expect(step.outputs['aws-account-id']).toBe(MOTO_ACCOUNT);
    expect(step.outputs['authenticated-arn']).toBe(runnerArn());
    expect(step.annotations.filter((a) => a.level === 'warning')).toEqual([]);
    // The runner masked them as soon as they were resolved.
    expect(job.mask(`${runner.SecretAccessKey} ${runner.SessionToken}`)).toBe('*** ***');
    expect([job.env.AWS_REGION, job.env.AWS_DEFAULT_REGION]).toEqual(['eu-west-1', 'eu-west-1']);
    const keys = await job.run(
      'test -z "$AWS_ACCESS_KEY_ID$AWS_SECRET_ACCESS_KEY$AWS_SESSION_TOKEN" && echo "no keys"',
    );
    expect(keys.stdout.trim()).toBe('no keys');
    const cliRequests = endpoint.requests;
    expect((await cliIdentity(job, servers.moto.endpoint)).Arn).toBe(runnerArn());
    expect(endpoint.requests).toBeGreaterThan(cliRequests);
  });

  it('allowed-account-ids applies to them', async () => {
    const job = plainJob(containerEnv());
    const step = await job.uses({
      'aws-region': 'eu-west-1',
      'sts-endpoint': servers.moto.endpoint,
      'allowed-account-ids': '999999999999',
    });
    expect(errorOf(step).title).toBe('Account not allowed');
    expect(job.env.AWS_ACCESS_KEY_ID ?? '').toBe('');
  });

  it('are exported only with an explicit output-env-credentials: true, with a warning', async () => {
    const job = plainJob(containerEnv());
    const step = await job.uses({
      'aws-region': 'eu-west-1',
      'sts-endpoint': servers.moto.endpoint,
      'output-env-credentials': 'true',
    });
    expectSuccess(step);
    expect(job.env.AWS_ACCESS_KEY_ID).toBe(runner.AccessKeyId);
    const warnings = step.annotations.filter((a) => a.level === 'warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toMatch(/will not refresh/);
  });
});

describe('several runners share one HOME', () => {
  const PROFILES = 16;
  let shared: string;
  beforeAll(() => {
    shared = mkdtempSync(join(tmpdir(), 'e2e-shared-home-'));
    for (let i = 0; i < PROFILES; i++) servers.sts.addRole({ arn: doubleRole(`Role${i}`) });
    servers.sts.addRole({ arn: doubleRole('RaceA') });
    servers.sts.addRole({ arn: doubleRole('RaceB') });
  });
  afterAll(() => rmSync(shared, { recursive: true, force: true }));

  const uses = (job: Job, role: string, profile: string) =>
    job.uses({
      'aws-region': 'eu-west-1',
      'sts-endpoint': servers.sts.endpoint,
      'role-to-assume': doubleRole(role),
      'aws-profile': profile,
    });

  it('16 jobs write p0..p15 at once: all there, each CLI acts as its own role, none left after the post steps', async () => {
    const home = join(shared, 'sixteen');
    mkdirSync(home);
    const jobs = Array.from({ length: PROFILES }, () => oidcJob({ HOME: home }));
    const steps = await Promise.all(jobs.map((job, i) => uses(job, `Role${i}`, `p${i}`)));
    for (const step of steps) expectSuccess(step);
    const credentials = readFileSync(join(home, '.aws', 'credentials'), 'utf8');
    const config = readFileSync(join(home, '.aws', 'config'), 'utf8');
    for (let i = 0; i < PROFILES; i++) {
      expect(credentials).toContain(`[p${i}]\n`);
      expect(config).toContain(`[profile p${i}]\n`);
    }
    const identities = await Promise.all(
      jobs.map((job, i) => cliIdentity(job, servers.sts.endpoint, `--profile p${i}`)),
    );
    expect(identities.map((identity) => identity.Arn)).toEqual(
      Array.from({ length: PROFILES }, (_, i) => doubleSession(`Role${i}`)),
    );
    const posts = await Promise.all(jobs.map((job) => job.post()));
    for (const [post] of posts) {
      expect(post?.exitCode).toBe(0);
      expect(post?.annotations).toEqual([]);
    }
    expect(readdirSync(join(home, '.aws'))).toEqual([]);
  });

  it('two jobs racing for one profile name without overwrite: exactly one writes it, the other fails', async () => {
    const home = join(shared, 'race');
    mkdirSync(home);
    const [a, b] = [oidcJob({ HOME: home }), oidcJob({ HOME: home })] as [Job, Job];
    // STS answers late, so that both jobs have looked for the profile before either writes it: the
    // outcome must not depend on which job started first (it passes at any latency; this makes the
    // overlap certain).
    servers.sts.setLatency(3_000);
    const [stepA, stepB] = await Promise.all([uses(a, 'RaceA', 'same'), uses(b, 'RaceB', 'same')]).finally(
      () => servers.sts.setLatency(0),
    );
    const outcomes = [stepA.exitCode, stepB.exitCode].sort();
    expect(outcomes).toEqual([0, 1]);
    const [winner, loser, winnerRole] = stepA.exitCode === 0 ? [a, b, 'RaceA'] : [b, a, 'RaceB'];
    const error = errorOf(stepA.exitCode === 0 ? stepB : stepA);
    expect(error.title).toBe('Invalid input: aws-profile');
    expect(error.message).toContain('Profile "same" already exists');
    // The loser hands nothing on that could act as the winner's role or its own.
    for (const name of ['AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_CREDENTIALS_ACTION_ARN']) {
      expect(loser.env[name] ?? '').toBe('');
    }
    expect((await cliIdentity(winner, servers.sts.endpoint, '--profile same')).Arn).toBe(
      doubleSession(winnerRole),
    );
    // The loser's post step leaves the winner's profile alone; the winner's removes it.
    const [loserPost] = await loser.post();
    expect(loserPost?.exitCode).toBe(0);
    expect(readFileSync(join(home, '.aws', 'credentials'), 'utf8')).toContain('[same]');
    expect((await cliIdentity(winner, servers.sts.endpoint, '--profile same')).Arn).toBe(
      doubleSession(winnerRole),
    );
    await winner.post();
    expect(readdirSync(join(home, '.aws'))).toEqual([]);
  });
});

describe('the shared files are checked before any network call', () => {
  it('a symlinked ~/.aws is refused before STS is called', async () => {
    const job = oidcJob();
    const elsewhere = join(job.runnerTemp, 'elsewhere');
    mkdirSync(elsewhere);
    symlinkSync(elsewhere, join(job.home, '.aws'));
    const calls = servers.sts.calls.length;
    const requests = servers.issuer.requests;
    const step = await job.uses({
      'aws-region': 'eu-west-1',
      'sts-endpoint': servers.sts.endpoint,
      'role-to-assume': doubleRole('Role0'),
      'aws-profile': 'ci',
    });
    const error = errorOf(step);
    expect(error.title).toBe('Shared AWS file is a symlink');
    expect(error.message).toContain(`${join(job.home, '.aws')} is a symbolic link`);
    expect(servers.sts.calls.length).toBe(calls);
    expect(servers.issuer.requests).toBe(requests);
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it('AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE naming one file are refused before STS is called', async () => {
    const job = oidcJob();
    const one = join(job.runnerTemp, 'aws-file');
    const calls = servers.sts.calls.length;
    const step = await job.uses(
      {
        'aws-region': 'eu-west-1',
        'sts-endpoint': servers.sts.endpoint,
        'role-to-assume': doubleRole('Role0'),
        'refresh-credentials': 'true',
      },
      { env: { AWS_CONFIG_FILE: one, AWS_SHARED_CREDENTIALS_FILE: one } },
    );
    const error = errorOf(step);
    expect(error.title).toBe('Shared AWS files are one file');
    expect(error.message).toContain(one);
    expect(servers.sts.calls.length).toBe(calls);
  });
});
