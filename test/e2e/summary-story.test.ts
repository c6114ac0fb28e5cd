// Issue 16: the job summary tells the whole story. A failed step still writes its summary (a trust
// mismatch names the role and the token's sub), a web identity success shows the claims, and a
// refresher that fails after the action's step reaches the summary through the post step. Every
// summary is leak-checked as written (test/support/step.ts). Expected values come from the issuer's
// and the double's own records.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeJwt } from '../support/oidc-issuer.js';
import { GITHUB_HOSTED, knownSecrets, oidcJobs, useServers } from '../support/servers.js';

const ACCOUNT = '111111111111';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/Deploy`;
const ONLY_PROD = `arn:aws:iam::${ACCOUNT}:role/OnlyProd`;

const servers = useServers('sts', 'issuer');
beforeAll(() => {
  servers.sts.addRole({ arn: ROLE });
  servers.sts.addRole({ arn: ONLY_PROD, trust: { sub: ['repo:acme/app:environment:prod'] } });
});
const newJob = oidcJobs(servers, { env: () => GITHUB_HOSTED, secrets: () => knownSecrets(servers) });

const inputs = (role: string, extra: Record<string, string> = {}) => ({
  'role-to-assume': role,
  'aws-region': 'eu-west-1',
  'sts-endpoint': servers.sts.endpoint,
  ...extra,
});

/** The sub of the last token the issuer handed out. */
function lastSub(): string {
  const token = servers.issuer.tokens.at(-1);
  if (!token) throw new Error('no token issued');
  return String(decodeJwt(token).payload.sub);
}

describe('the job summary of a failed step', () => {
  it('a trust mismatch names the role, the sub and the condition that would match', async () => {
    const job = newJob();
    const failed = await job.uses(inputs(ONLY_PROD, { 'retry-max-attempts': '1' }));
    expect(failed.exitCode).toBe(1);
    const error = failed.annotations.find((a) => a.level === 'error');
    const summary = job.summary();
    const sub = lastSub();
    expect(summary).toContain(`| Role | \`${ONLY_PROD}\` |`);
    expect(summary).toContain(`| \`sub\` | \`${sub}\` |`);
    expect(summary).toContain(`"token.actions.githubusercontent.com:sub": "${sub}"`);
    expect(error?.title).toBe('Role trust policy does not match this job (AccessDenied)');
    expect(summary).toContain('Role trust policy does not match this job \\(AccessDenied\\)');
  });

  it('with mask-aws-account-id the account is nowhere in it; with job-summary: false there is none', async () => {
    const job = newJob();
    await job.uses(inputs(ONLY_PROD, { 'retry-max-attempts': '1', 'mask-aws-account-id': 'true' }));
    expect(job.summary()).toContain('arn:aws:iam::***:role/OnlyProd');
    expect(job.summary()).not.toContain(ACCOUNT);

    const quiet = newJob();
    const failed = await quiet.uses(inputs(ONLY_PROD, { 'retry-max-attempts': '1', 'job-summary': 'false' }));
    expect(failed.exitCode).toBe(1);
    expect(quiet.summary()).toBe('');
  });
});

describe('the job summary of a web identity success', () => {
  it('shows the claims, folded, with the narrowest condition', async () => {
    const job = newJob();
    const result = await job.uses(inputs(ROLE));
    expect(result.exitCode, result.stdout).toBe(0);
    const summary = job.summary();
    const details = summary.slice(summary.indexOf('<details>'));
    expect(details).toMatch(/^<details>\n<summary>/);
    expect(details).toContain(`| \`sub\` | \`${lastSub()}\` |`);
    expect(details).toContain('| `repository` | `acme/app` |');
    expect(details).toContain(`"token.actions.githubusercontent.com:sub": "${lastSub()}"`);
    expect(details.trimEnd().endsWith('</details>')).toBe(true);
  });
});

describe('the refresher in the job summary', () => {
  it('a refresher that fails after the step (token endpoint unreachable) ends in a summary line', async () => {
    const job = newJob();
    const first = await job.uses(inputs(ROLE, { 'refresh-credentials': 'true', 'retry-max-attempts': '2' }));
    expect(first.exitCode, first.stdout).toBe(0);
    const cli = `aws sts get-caller-identity --endpoint-url ${servers.sts.endpoint} --output json`;
    expect((await job.run(cli)).exitCode).toBe(0);
    // Nothing listens on port 1: the refresher cannot get a token.
    const down = await job.run(cli, {
      env: { ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:1/token?api-version=2.0' },
      timeoutMs: 60_000,
    });
    expect(down.exitCode).not.toBe(0);

    // The health file: beside the profile, 0600, both refreshes, no secret.
    const aws = join(job.home, '.aws');
    const [name, ...more] = readdirSync(aws).filter((f) => f.endsWith('.health'));
    expect(more).toEqual([]);
    const file = join(aws, name ?? 'missing');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const records = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(records.map((r) => r.ok)).toEqual([true, false]);
    for (const secret of knownSecrets(servers)) expect(readFileSync(file, 'utf8')).not.toContain(secret);

    await job.post();
    const summary = job.summary();
    const line = summary.split('\n').find((l) => l.startsWith('**Refreshing the AWS credentials failed**'));
    expect(line).toContain('1 of 2 times');
    expect(line).toContain(String(records[1].title).replace(/[()]/g, '\\$&'));
    expect(summary).toMatch(/\| Fix \| .*OIDC/);
    expect(readdirSync(aws).filter((f) => f.endsWith('.health'))).toEqual([]);
  });

  it('job-summary: false: no health file, no table', async () => {
    const job = newJob();
    const inputsOff = inputs(ROLE, { 'refresh-credentials': 'true', 'job-summary': 'false' });
    expect((await job.uses(inputsOff)).exitCode).toBe(0);
    await job.run(`aws sts get-caller-identity --endpoint-url ${servers.sts.endpoint}`);
    expect(readdirSync(join(job.home, '.aws')).filter((f) => f.endsWith('.health'))).toEqual([]);
    await job.post();
    expect(job.summary()).toBe('');
  });
});
