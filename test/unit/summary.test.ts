// Issue 5: saying what happened — the job summary table and the notice about replaced credentials.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as core from '@actions/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { displayArn } from '../../src/aws/arn.js';
import type { Assumed } from '../../src/credentials/session.js';
import type { CredentialSource } from '../../src/credentials/source.js';
import {
  earlierCredentials,
  IDENTITY_VARIABLE,
  identityMarker,
  replacementNotice,
} from '../../src/deliver/replacement.js';
import { parseSettings } from '../../src/inputs/settings.js';
import {
  destinations,
  type SummaryFacts,
  summaryFacts,
  summaryTable,
  writeSummary,
} from '../../src/report/summary.js';

const ACCOUNT = '111111111111';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/RoleA`;
const SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/RoleA/GitHubActions-7`;
const EXPIRES = new Date(Date.UTC(2030, 0, 2, 3, 4, 5, 678));

const facts = (extra: Partial<SummaryFacts> = {}): SummaryFacts => ({
  role: ROLE,
  arn: SESSION,
  accountId: ACCOUNT,
  source: 'oidc',
  destinations: ['environment'],
  expiration: EXPIRES,
  refreshing: false,
  attempts: 3,
  elapsedMs: 1240,
  maskAccountId: false,
  ...extra,
});

/** Parses one two-column markdown table into its rows (header and separator skipped). */
function rows(markdown: string): Record<string, string> {
  const lines = markdown.trim().split('\n');
  expect(lines[0]).toMatch(/^\|.*\|$/);
  expect(lines[1]).toBe('| --- | --- |');
  const out: Record<string, string> = {};
  for (const line of lines.slice(2)) {
    const m = /^\| (.+?) \| (.*) \|$/.exec(line);
    if (!m?.[1]) throw new Error(`not a table row: ${line}`);
    out[m[1]] = m[2] ?? '';
  }
  return out;
}

describe('summaryTable', () => {
  it('one table: role, session, account, source, destination, expiry, attempts, time', () => {
    expect(rows(summaryTable(facts()))).toEqual({
      Role: `\`${ROLE}\``,
      'Session name': '`GitHubActions-7`',
      Account: `\`${ACCOUNT}\``,
      Source: 'GitHub OIDC',
      'Credentials in': 'environment',
      Expires: '2030-01-02T03:04:05Z',
      'STS attempts': '3',
      'Time taken': '1.2 s',
    });
  });

  it('with mask-aws-account-id the account id is nowhere in it', () => {
    const markdown = summaryTable(
      facts({ maskAccountId: true, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/R/s-${ACCOUNT}` }),
    );
    expect(markdown).not.toContain(ACCOUNT);
    const table = rows(markdown);
    expect(table.Account).toBe('`***`');
    expect(table.Role).toBe('`arn:aws:iam::***:role/RoleA`');
  });

  it('a bare role name is shown as the role ARN found from the session', () => {
    const table = rows(summaryTable(facts({ role: 'RoleA', source: 'role-chaining' })));
    expect(table.Role).toBe(`\`${ROLE}\``);
    expect(table.Source).toBe('role chaining');
  });

  it('keys used as they are: no role, the identity instead of a session, no expiry', () => {
    const user = `arn:aws:iam::${ACCOUNT}:user/ci`;
    const table = rows(
      summaryTable(
        facts({ role: undefined, arn: user, source: 'access-keys', expiration: undefined, attempts: 1 }),
      ),
    );
    expect(table.Role).toMatch(/^none/);
    expect(table.Identity).toBe(`\`${user}\``);
    expect(table['Session name']).toBeUndefined();
    expect(table.Expires).toMatch(/^never/);
    expect(table.Source).toBe('access keys');
  });

  it('escapes a | in a profile name and says when the credentials went nowhere', () => {
    expect(rows(summaryTable(facts({ destinations: ['profile a|b'] })))['Credentials in']).toBe(
      'profile a\\|b',
    );
    expect(rows(summaryTable(facts({ destinations: [] })))['Credentials in']).toMatch(/^nowhere/);
  });
});

describe('destinations', () => {
  const base = { outputEnvCredentials: false, outputCredentials: false, refreshCredentials: false };
  it.each([
    [{ ...base, outputEnvCredentials: true }, ['environment']],
    [{ ...base, outputEnvCredentials: true, outputCredentials: true }, ['environment', 'step outputs']],
    [{ ...base, awsProfile: 'deploy' }, ['profile deploy']],
    [{ ...base, awsProfile: 'deploy', refreshCredentials: true }, ['refreshing profile deploy']],
    [base, []],
  ])('%o → %o', (settings, expected) => {
    expect(destinations(settings)).toEqual(expected);
  });
});

describe('summaryFacts', () => {
  const settings = parseSettings(
    {
      'aws-region': 'us-east-1',
      'role-to-assume': ROLE,
      'mask-aws-account-id': 'true',
      'output-credentials': 'true',
    },
    {},
  );
  const assumed: Assumed = {
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', expiration: EXPIRES, arn: SESSION },
    accountId: ACCOUNT,
    arn: SESSION,
    attempts: 2,
  };
  it.each<[CredentialSource, string | undefined]>([
    [{ kind: 'oidc', roleArn: ROLE }, ROLE],
    [{ kind: 'token-file', roleArn: ROLE, tokenFile: '/t' }, ROLE],
    [{ kind: 'role-chaining', role: 'RoleA' }, 'RoleA'],
    [{ kind: 'access-keys' }, undefined],
    [{ kind: 'ambient', role: ROLE }, ROLE],
  ])('takes the role of a %o source', (source, role) => {
    const result = summaryFacts(settings, source, assumed, 900);
    expect(result).toEqual({
      role,
      arn: SESSION,
      accountId: ACCOUNT,
      source: source.kind,
      destinations: ['environment', 'step outputs'],
      expiration: EXPIRES,
      refreshing: false,
      attempts: 2,
      elapsedMs: 900,
      maskAccountId: true,
    });
  });
});

describe('refreshing credentials', () => {
  it('say that the first expiry is not the end', () => {
    const expires = rows(summaryTable(facts({ refreshing: true }))).Expires ?? '';
    expect(expires).toContain('2030-01-02T03:04:05Z');
    expect(expires).toMatch(/refreshed on use/);
    expect(rows(summaryTable(facts())).Expires).toBe('2030-01-02T03:04:05Z');
  });
});

describe('writeSummary', () => {
  let dir: string;
  let stdout: ReturnType<typeof vi.spyOn>;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'summary-'));
    stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    stdout.mockRestore();
    core.summary.emptyBuffer();
    rmSync(dir, { recursive: true, force: true });
  });

  it('appends: two invocations leave two tables', async () => {
    const file = join(dir, 'summary.md');
    writeFileSync(file, '');
    vi.stubEnv('GITHUB_STEP_SUMMARY', file);
    const first = summaryTable(facts());
    const second = summaryTable(facts({ role: 'arn:aws:iam::222222222222:role/RoleB' }));
    await writeSummary(first, process.env);
    await writeSummary(second, process.env);
    expect(readFileSync(file, 'utf8')).toBe(first + second);
  });

  it('does nothing without GITHUB_STEP_SUMMARY', async () => {
    vi.stubEnv('GITHUB_STEP_SUMMARY', '');
    await expect(writeSummary('x', { GITHUB_STEP_SUMMARY: '' })).resolves.toBeUndefined();
    expect(stdout).not.toHaveBeenCalled();
  });

  it('warns instead of failing when the file cannot be written', async () => {
    const missing = join(dir, 'no-such-dir', 'summary.md');
    vi.stubEnv('GITHUB_STEP_SUMMARY', missing);
    await writeSummary('x', process.env);
    const printed = stdout.mock.calls.map((call: unknown[]) => String(call[0])).join('');
    expect(printed).toMatch(/^::warning::Could not write the job summary/m);
  });
});

describe('replaced credentials', () => {
  const next = 'arn:aws:sts::222222222222:assumed-role/RoleB/GitHubActions';

  it('nothing in the environment: no notice', () => {
    expect(earlierCredentials({})).toBeUndefined();
    expect(earlierCredentials({ [IDENTITY_VARIABLE]: SESSION, AWS_ACCESS_KEY_ID: '' })).toBeUndefined();
    expect(replacementNotice(undefined, next, false)).toBeUndefined();
  });

  it("an earlier invocation's credentials: names both identities", () => {
    const earlier = earlierCredentials({ AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE', [IDENTITY_VARIABLE]: SESSION });
    expect(earlier).toEqual({ arn: SESSION });
    const notice = replacementNotice(earlier, next, false) ?? '';
    expect(notice).toContain(SESSION);
    expect(notice).toContain(next);
    expect(notice).not.toContain('ASIAEXAMPLE');
  });

  it("someone else's credentials: says so without printing the key", () => {
    const notice =
      replacementNotice(earlierCredentials({ AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE' }), next, false) ?? '';
    expect(notice).toMatch(/earlier step/);
    expect(notice).toContain(next);
    expect(notice).not.toContain('AKIAEXAMPLE');
  });

  it('with masking, neither account appears', () => {
    const notice = replacementNotice({ arn: SESSION }, next, true) ?? '';
    expect(notice).not.toContain(ACCOUNT);
    expect(notice).not.toContain('222222222222');
    expect(notice).toContain('arn:aws:sts::***:assumed-role/RoleB/GitHubActions');
    expect(identityMarker(SESSION, true)).toBe('arn:aws:sts::***:assumed-role/RoleA/GitHubActions-7');
    expect(identityMarker(SESSION, false)).toBe(SESSION);
  });

  it('displayArn hides only the account field', () => {
    expect(displayArn(ROLE, true)).toBe('arn:aws:iam::***:role/RoleA');
    expect(displayArn('arn:aws-cn:iam::123456789012:user/x', true)).toBe('arn:aws-cn:iam::***:user/x');
    expect(displayArn(ROLE, false)).toBe(ROLE);
  });
});
