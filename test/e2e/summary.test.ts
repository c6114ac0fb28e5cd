// Issue 5: what happened, said in the job summary (GITHUB_STEP_SUMMARY) and in one notice when
// credentials are replaced. Runs the bundled action against the local STS double; expected values
// come from the double's own record of what it issued.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Job, StepResult } from '../support/runner.js';
import { oidcJobs, useServers } from '../support/servers.js';

const ACCOUNT_A = '111111111111';
const ACCOUNT_B = '222222222222';
const ROLE_A = `arn:aws:iam::${ACCOUNT_A}:role/RoleA`;
const ROLE_B = `arn:aws:iam::${ACCOUNT_B}:role/deploy/RoleB`;
const MARKER = 'AWS_CREDENTIALS_ACTION_ARN';

const servers = useServers('sts', 'issuer');
beforeAll(() => {
  servers.sts.addRole({ arn: ROLE_A });
  // RoleB trusts RoleA's sessions: the second invocation chains from the first.
  servers.sts.addRole({ arn: ROLE_B, principals: [ROLE_A] });
});
const newJob = oidcJobs(servers);

const inputs = (role: string, extra: Record<string, string> = {}) => ({
  'role-to-assume': role,
  'aws-region': 'eu-west-1',
  'sts-endpoint': servers.sts.endpoint,
  ...extra,
});

/** Every two-column markdown table in a summary, each as its rows. */
function tables(markdown: string): Record<string, string>[] {
  const found: Record<string, string>[] = [];
  let current: Record<string, string> | undefined;
  for (const line of markdown.split('\n')) {
    const cells = /^\|(.*?)\|(.*)\|$/.exec(line)?.map((cell) => cell.trim());
    if (!cells) {
      current = undefined;
      continue;
    }
    if (cells[1] === '---') continue;
    if (!current) {
      current = {};
      found.push(current);
      continue; // the header row
    }
    current[cells[1] ?? ''] = cells[2] ?? '';
  }
  return found;
}

/** The tables of what an invocation did (not the claims of issue 16, nor a failure's). */
const credentialTables = (markdown: string) => tables(markdown).filter((t) => 'Source' in t);

/** What the step wrote to GITHUB_STEP_SUMMARY, read from the file itself rather than the masked upload. */
function rawSummaries(job: Job): string {
  const dir = join(job.runnerTemp, '_runner_file_commands');
  return readdirSync(dir)
    .filter((name) => name.startsWith('step_summary_'))
    .map((name) => readFileSync(join(dir, name), 'utf8'))
    .join('');
}

async function step(run: () => Promise<StepResult>) {
  const before = servers.sts.calls.length;
  const issuedBefore = servers.sts.issued.length;
  const result = await run();
  expect(result.exitCode, result.stdout).toBe(0);
  return { result, calls: servers.sts.calls.length - before, issued: servers.sts.issued.slice(issuedBefore) };
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const notices = (result: StepResult) => result.annotations.filter((a) => a.level === 'notice');

describe('the job summary', () => {
  it('a two-role job shows two tables, each saying what its invocation did', async () => {
    const job = newJob();
    const first = await step(() => job.uses(inputs(ROLE_A)));
    const second = await step(() =>
      job.uses(
        inputs(ROLE_B, {
          'role-chaining': 'true',
          'role-session-name': 'chained-b',
          'output-credentials': 'true',
        }),
      ),
    );

    const summary = credentialTables(job.summary());
    expect(summary).toHaveLength(2);
    const [a, b] = summary;
    const [issuedA] = first.issued;
    const [issuedB] = second.issued;
    if (!a || !b || !issuedA || !issuedB) throw new Error('missing table or issued credentials');

    expect(a).toEqual({
      Role: `\`${ROLE_A}\``,
      'Session name': `\`${issuedA.sessionName}\``,
      Account: `\`${ACCOUNT_A}\``,
      Source: 'GitHub OIDC',
      'Credentials in': 'environment',
      Expires: iso(issuedA.expiration),
      'STS attempts': String(first.calls),
      'Time taken': expect.stringMatching(/^\d+\.\d s$/),
    });
    expect(issuedA.sessionName).toBe('GitHubActions');
    expect(b).toEqual({
      Role: `\`${ROLE_B}\``,
      'Session name': '`chained-b`',
      Account: `\`${ACCOUNT_B}\``,
      Source: 'role chaining',
      'Credentials in': 'environment, step outputs',
      Expires: iso(issuedB.expiration),
      'STS attempts': String(second.calls),
      'Time taken': expect.stringMatching(/^\d+\.\d s$/),
    });
    expect(issuedB.roleArn).toBe(ROLE_B);
    expect(Number.parseFloat(b['Time taken'] ?? '') * 1000).toBeLessThanOrEqual(
      second.result.durationMs + 50,
    );
  });

  it('three roles, three tables', async () => {
    const job = newJob();
    for (const role of [ROLE_A, ROLE_A, ROLE_A]) await step(() => job.uses(inputs(role)));
    expect(credentialTables(job.summary())).toHaveLength(3);
  });

  it('with mask-aws-account-id the account id is not in the summary file at all', async () => {
    const job = newJob();
    await step(() => job.uses(inputs(ROLE_A, { 'mask-aws-account-id': 'true' })));
    const raw = rawSummaries(job);
    expect(raw).not.toBe('');
    expect(raw).not.toContain(ACCOUNT_A);
    const [table] = tables(raw);
    expect(table?.Account).toBe('`***`');
    expect(table?.Role).toBe('`arn:aws:iam::***:role/RoleA`');
  });

  it('job-summary: false writes nothing', async () => {
    const job = newJob();
    await step(() => job.uses(inputs(ROLE_A, { 'job-summary': 'false' })));
    expect(job.summary()).toBe('');
    expect(rawSummaries(job)).toBe('');
  });

  it('a failed invocation adds no credentials table, but its failure (issue 16)', async () => {
    const job = newJob();
    const failed = await job.uses(inputs(`arn:aws:iam::${ACCOUNT_A}:role/Missing`));
    expect(failed.exitCode).toBe(1);
    const [table, ...more] = tables(job.summary());
    expect(more.filter((t) => 'Session name' in t)).toEqual([]);
    expect(table?.Failed).toContain('AccessDenied');
    expect(table?.Role).toBe(`\`arn:aws:iam::${ACCOUNT_A}:role/Missing\``);
  });
});

describe('replacing credentials', () => {
  it('the second invocation names the identity it replaces and the new one, in one notice', async () => {
    const job = newJob();
    const first = await step(() => job.uses(inputs(ROLE_A)));
    expect(notices(first.result)).toEqual([]);
    const sessionA = first.issued[0]?.arn ?? '';
    expect(job.env[MARKER]).toBe(sessionA);

    const second = await step(() => job.uses(inputs(ROLE_B, { 'role-chaining': 'true' })));
    const sessionB = second.issued[0]?.arn ?? '';
    const [notice, ...more] = notices(second.result);
    expect(more).toEqual([]);
    expect(notice?.message).toContain(sessionA);
    expect(notice?.message).toContain(sessionB);
    expect(job.env[MARKER]).toBe(sessionB);

    // The post step blanks the marker with the credentials.
    await job.post();
    expect(job.env[MARKER]).toBe('');
  });

  it('credentials this action did not export: a notice that prints none of them', async () => {
    const key = 'AKIAEXAMPLEFROMJOBENV';
    const secret = 'job-env-secret-value-0123456789';
    const job = newJob({ AWS_ACCESS_KEY_ID: key, AWS_SECRET_ACCESS_KEY: secret });
    job.addSecret(key);
    job.addSecret(secret);
    const { result, issued } = await step(() => job.uses(inputs(ROLE_A)));
    const [notice, ...more] = notices(result);
    expect(more).toEqual([]);
    expect(notice?.message).toMatch(/earlier step/);
    expect(notice?.message).toContain(issued[0]?.arn ?? 'no arn');
  });

  it('with masking, the notice shows no account', async () => {
    const job = newJob();
    await step(() => job.uses(inputs(ROLE_A, { 'mask-aws-account-id': 'true' })));
    expect(job.env[MARKER]).toBe('arn:aws:sts::***:assumed-role/RoleA/GitHubActions');
    const second = await step(() =>
      job.uses(inputs(ROLE_B, { 'role-chaining': 'true', 'mask-aws-account-id': 'true' })),
    );
    const [notice] = notices(second.result);
    expect(notice?.message).toContain('arn:aws:sts::***:assumed-role/RoleA/GitHubActions');
    expect(notice?.message).toContain('arn:aws:sts::***:assumed-role/RoleB/GitHubActions');
  });
});
