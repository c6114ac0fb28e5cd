// Issue 3, the inputs around the STS call: refusals of bad inputs (before any network call), the
// environment fallback, http-proxy / no-proxy through a local CONNECT proxy, force-skip-oidc on a
// self-hosted runner, and the retry and time-limit inputs. Against the local STS double.

import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConnectProxy, startProxy } from '../support/connect-proxy.js';
import { callerIdentity, errorOf, expectSuccess } from '../support/job-fixture.js';
import { oidcJobs, useServers } from '../support/servers.js';

const ACCOUNT = '111111111111';
const ROLE_A = `arn:aws:iam::${ACCOUNT}:role/RoleA`;
const SESSION_A = `arn:aws:sts::${ACCOUNT}:assumed-role/RoleA/GitHubActions`;
const USER = {
  accessKeyId: 'AKIAPARITYINPUTS0001',
  secretAccessKey: `inputs/${randomBytes(16).toString('hex')}`,
  arn: 'arn:aws:iam::123456789012:user/runner-host',
};

const servers = useServers('sts', 'issuer');
let proxy: ConnectProxy;
/**
 * The double at an address that is loopback but that @actions/http-client does not treat as such
 * (it never proxies localhost/127.*): an IPv4-mapped IPv6 literal, so no DNS lookup is needed.
 */
let mappedEndpoint: string;

beforeAll(async () => {
  proxy = await startProxy();
  servers.sts.addUser(USER);
  servers.sts.addRole({ arn: ROLE_A, trust: { sub: ['repo:acme/app:*'] }, principals: [USER.arn] });
  mappedEndpoint = servers.sts.endpoint.replace('127.0.0.1', '[::ffff:127.0.0.1]');
});
afterAll(async () => {
  await proxy?.stop();
});

const newJob = oidcJobs(servers, { secrets: () => [USER.secretAccessKey] });
const base = (extra: Record<string, string> = {}) => ({
  'aws-region': 'us-east-1',
  'sts-endpoint': servers.sts.endpoint,
  'role-to-assume': ROLE_A,
  ...extra,
});

describe('bad inputs are refused before any network call, naming the input', () => {
  it.each([
    ['role-chaining', { 'role-chaining': 'yes' }],
    ['use-existing-credentials', { 'use-existing-credentials': 'enabled' }],
    ['retry-max-attempts', { 'retry-max-attempts': '0' }],
    ['role-duration-seconds', { 'role-duration-seconds': '1h' }],
    ['aws-region', { 'aws-region': 'US East' }],
    ['aws-secret-access-key', { 'aws-access-key-id': USER.accessKeyId }],
    ['custom-tags', { 'custom-tags': '{"Repository":"someone/else"}' }],
    ['inline-session-policy', { 'inline-session-policy': '{"Version": ' }],
    ['managed-session-policies', { 'managed-session-policies': 'ReadOnlyAccess' }],
    ['allowed-account-ids', { 'allowed-account-ids': '1111' }],
    ['sts-endpoint', { 'sts-endpoint': 'sts.example.test' }],
  ])('%s', async (input, inputs) => {
    const job = newJob();
    const calls = servers.sts.calls.length;
    const requests = servers.issuer.requests;
    const step = await job.uses(base(inputs));
    expect(errorOf(step).title).toBe(`Invalid input: ${input}`);
    expect(servers.sts.calls.length).toBe(calls);
    expect(servers.issuer.requests).toBe(requests);
    expect(step.envWrites).toEqual({});
  });
});

describe('inputs from the environment', () => {
  it('ALLOWED_ACCOUNT_IDS in the job env is the allowed-account-ids input', async () => {
    const job = newJob({ ALLOWED_ACCOUNT_IDS: '222222222222' });
    expect(errorOf(await job.uses(base())).title).toBe('Account not allowed');
    expectSuccess(await job.uses(base({ 'allowed-account-ids': ACCOUNT })));
  });
});

describe('http-proxy and no-proxy', () => {
  it('http-proxy: STS is reached through the proxy', async () => {
    const job = newJob();
    const before = proxy.targets.length;
    expectSuccess(await job.uses(base({ 'sts-endpoint': mappedEndpoint, 'http-proxy': proxy.url })));
    const port = new URL(servers.sts.endpoint).port;
    expect(proxy.targets.slice(before).length).toBeGreaterThan(0);
    for (const target of proxy.targets.slice(before))
      expect(target).toMatch(new RegExp(`^\\[?::ffff:.*:${port}$`));
    expect((await callerIdentity(job, servers.sts.endpoint)).Arn).toBe(SESSION_A);
  });

  it('HTTPS_PROXY / HTTP_PROXY in the job env are used when the input is not given', async () => {
    for (const name of ['HTTPS_PROXY', 'HTTP_PROXY']) {
      const job = newJob({ [name]: proxy.url });
      const before = proxy.targets.length;
      expectSuccess(await job.uses(base({ 'sts-endpoint': mappedEndpoint })));
      expect(proxy.targets.length, name).toBeGreaterThan(before);
    }
  });

  it('no-proxy (input or NO_PROXY) sends STS calls straight to the endpoint', async () => {
    const host = new URL(mappedEndpoint).hostname;
    for (const [env, inputs] of [
      [{}, { 'no-proxy': `example.test,${host}` }],
      [{ NO_PROXY: host }, {}],
    ] as const) {
      const job = newJob({ HTTPS_PROXY: proxy.url, ...env });
      const before = proxy.targets.length;
      const calls = servers.sts.calls.length;
      expectSuccess(await job.uses(base({ 'sts-endpoint': mappedEndpoint, ...inputs })));
      expect(proxy.targets.length).toBe(before);
      expect(servers.sts.calls.length).toBe(calls + 1);
    }
  });
});

describe('force-skip-oidc on a self-hosted runner', () => {
  it('uses the runner’s own credentials (a shared credentials file) to assume the role, not the job token', async () => {
    const job = newJob({}, { github: { RUNNER_ENVIRONMENT: 'self-hosted' } });
    const file = join(job.home, 'host-credentials');
    writeFileSync(
      file,
      `[default]\naws_access_key_id = ${USER.accessKeyId}\naws_secret_access_key = ${USER.secretAccessKey}\n`,
    );
    const requests = servers.issuer.requests;
    const calls = servers.sts.calls.length;
    const step = await job.uses(base({ 'force-skip-oidc': 'true' }), {
      env: { AWS_SHARED_CREDENTIALS_FILE: file, AWS_CONFIG_FILE: join(job.home, 'no-config') },
    });
    expectSuccess(step);
    expect(servers.issuer.requests).toBe(requests);
    expect(servers.sts.calls.slice(calls).map((c) => [c.action, c.signedBy])).toEqual([
      ['AssumeRole', USER.accessKeyId],
    ]);
    expect((await callerIdentity(job, servers.sts.endpoint)).Arn).toBe(SESSION_A);
  });

  it('with no credentials on the runner it fails, still without asking for a job token', async () => {
    const job = newJob({}, { github: { RUNNER_ENVIRONMENT: 'self-hosted' } });
    const requests = servers.issuer.requests;
    const step = await job.uses(base({ 'force-skip-oidc': 'true' }), {
      env: { AWS_SHARED_CREDENTIALS_FILE: join(job.home, 'none'), AWS_CONFIG_FILE: join(job.home, 'none') },
    });
    expect(errorOf(step).title).toBe('No credentials found');
    expect(servers.issuer.requests).toBe(requests);
  });
});

describe('retries and time limits', () => {
  const throttled = { code: 'Throttling', message: 'Rate exceeded', status: 400 };

  it('disable-retry: one attempt only', async () => {
    const job = newJob();
    servers.sts.script('AssumeRoleWithWebIdentity', [throttled]);
    const calls = servers.sts.calls.length;
    errorOf(await job.uses(base({ 'disable-retry': 'true' })));
    expect(servers.sts.calls.length - calls).toBe(1);
  });

  it('retry-max-attempts: that many attempts, then a clear failure', async () => {
    const job = newJob();
    servers.sts.script('AssumeRoleWithWebIdentity', [throttled, throttled]);
    const calls = servers.sts.calls.length;
    const error = errorOf(await job.uses(base({ 'retry-max-attempts': '2' })));
    expect(servers.sts.calls.length - calls).toBe(2);
    expect(error.message).toMatch(/2 attempts/);
    // A transient fault within the budget is retried to success.
    servers.sts.script('AssumeRoleWithWebIdentity', [throttled]);
    expectSuccess(await job.uses(base({ 'retry-max-attempts': '2' })));
  });

  it('action-timeout-s: the step fails when STS does not answer in time', async () => {
    const job = newJob();
    servers.sts.script('AssumeRoleWithWebIdentity', [{ kind: 'hang' }]);
    const started = Date.now();
    const step = await job.uses(base({ 'action-timeout-s': '1' }));
    expect(errorOf(step).title).toBe('Action timed out');
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(step.envWrites.AWS_ACCESS_KEY_ID).toBeUndefined();
  });
});
