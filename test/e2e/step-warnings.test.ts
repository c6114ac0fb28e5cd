// Issue 11 items 5 and 7, issue 16 on a timeout: the warnings that name inputs the step cannot honour
// (each once), and the failure summary of a step that action-timeout-s ends. dist/index.js through
// the runner emulator against the STS double, the OIDC issuer and a local CONNECT proxy.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConnectProxy, startProxy } from '../support/connect-proxy.js';
import { errorOf, expectSuccess, jobFactory } from '../support/job-fixture.js';
import { GITHUB_HOSTED, knownSecrets, oidcJobs, useServers } from '../support/servers.js';

const ROLE = 'arn:aws:iam::111111111111:role/Warned';
const PROXY_AUTH = { user: 'proxy-user', password: 'proxy-Pa55word-0123456789' };

const servers = useServers('sts', 'issuer');
let proxy: ConnectProxy;
let plainProxy: ConnectProxy;
/** The double at a loopback address that @actions/http-client still proxies (it never proxies 127.*). */
let mappedEndpoint: string;
beforeAll(async () => {
  servers.sts.addRole({ arn: ROLE });
  proxy = await startProxy(PROXY_AUTH);
  plainProxy = await startProxy();
  mappedEndpoint = servers.sts.endpoint.replace('127.0.0.1', '[::ffff:127.0.0.1]');
});
afterAll(async () => {
  await Promise.all([proxy?.stop(), plainProxy?.stop()]);
});

const newJob = oidcJobs(servers, {
  env: () => GITHUB_HOSTED,
  secrets: () => [...knownSecrets(servers), PROXY_AUTH.password],
});
const base = (extra: Record<string, string> = {}) => ({
  'aws-region': 'us-east-1',
  'sts-endpoint': servers.sts.endpoint,
  'role-to-assume': ROLE,
  ...extra,
});

describe('warnings naming inputs the step cannot honour', () => {
  it('role-external-id, custom-tags and transitive-tag-keys with GitHub OIDC: one warning names all three', async () => {
    const step = await newJob().uses(
      base({
        'role-external-id': 'ext-id-1234',
        'custom-tags': '{"Team":"platform"}',
        'transitive-tag-keys': 'Team',
      }),
    );
    expectSuccess(step);
    const warnings = step.annotations.filter((a) => a.level === 'warning' && /ignored/.test(a.message));
    expect(warnings, step.stdout).toHaveLength(1);
    for (const name of ['role-external-id', 'custom-tags', 'transitive-tag-keys'])
      expect(warnings[0]?.message).toContain(name);
    // Nothing else mentions them a second time.
    expect(step.stdout.match(/role-external-id/g)).toHaveLength(1);
  });

  it('http-proxy with a password and refresh-credentials: one warning names http-proxy and HTTPS_PROXY', async () => {
    const job = newJob();
    const step = await job.uses(
      base({ 'sts-endpoint': mappedEndpoint, 'http-proxy': proxy.url, 'refresh-credentials': 'true' }),
    );
    expectSuccess(step);
    // The step itself went through the proxy, with its credentials.
    expect(proxy.targets.length).toBeGreaterThan(0);
    expect(proxy.refused()).toBe(0);
    const warnings = step.annotations.filter((a) => a.level === 'warning' && /http-proxy/.test(a.message));
    expect(warnings, step.stdout).toHaveLength(1);
    expect(warnings[0]?.message).toMatch(/refresher .*will not use it/);
    expect(warnings[0]?.message).toContain('HTTPS_PROXY');
    const config = readFileSync(join(job.home, '.aws', 'config'), 'utf8');
    expect(config).toContain('credential_process');
    expect(config).not.toContain(PROXY_AUTH.password);
    expect(config).not.toContain('--http-proxy');
  });

  it('no such warning when the proxy has no password, or without refresh-credentials', async () => {
    const cases: Record<string, string>[] = [
      { 'http-proxy': plainProxy.url, 'refresh-credentials': 'true' },
      { 'http-proxy': proxy.url },
    ];
    for (const inputs of cases) {
      const step = await newJob().uses(base({ 'sts-endpoint': mappedEndpoint, ...inputs }));
      expectSuccess(step);
      expect(step.annotations.filter((a) => a.level === 'warning')).toEqual([]);
    }
  });
});

// A self-hosted runner whose own credentials come from a credential_process that never ends: the
// SDK waits on it outside any call's abort signal, so only the action-timeout-s timer ends the step.
const selfHosted = jobFactory(() => ({ RUNNER_ENVIRONMENT: 'self-hosted' }));

describe('action-timeout-s, when the step waits on something that ignores the deadline', () => {
  for (const summary of ['true', 'false']) {
    it(`writes its failure summary before exiting (job-summary: ${summary})`, async () => {
      const job = selfHosted();
      const config = join(job.home, 'hanging-config');
      writeFileSync(config, '[default]\ncredential_process = sleep 20\n');
      const step = await job.uses(
        base({ 'action-timeout-s': '3', 'job-summary': summary, 'force-skip-oidc': 'true' }),
        {
          env: { AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: join(job.home, 'none') },
        },
      );
      expect(step.exitCode).toBe(1);
      expect(step.timedOut ?? false).toBe(false);
      const error = errorOf(step);
      expect(error.title).toBe('Action timed out');
      // The timer's own message: nothing else ended the step.
      expect(error.message).toMatch(/did not finish within action-timeout-s \(3 s\)/);
      if (summary === 'true') {
        expect(step.summary).toContain('**Action timed out**');
        // Markdown-escaped, as every text from a message is.
        expect(step.summary).toMatch(
          /\| Cause \| The action did not finish within action\\-timeout\\-s \\\(3 s\\\)/,
        );
        expect(step.summary).toMatch(/\| Fix \| Raise action\\-timeout\\-s/);
        expect(step.summary).toContain(ROLE);
      } else {
        expect(step.summary).toBe('');
      }
    });
  }
});
