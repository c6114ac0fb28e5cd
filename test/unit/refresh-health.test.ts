// Issue 16: the refresher's health file (one record per refresh, 0600, no links, bounded) and the
// post step's summary of it.
import { lstatSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  appendHealth,
  type HealthRecord,
  healthFileBeside,
  MAX_RECORDS,
  readHealth,
  removeHealth,
} from '../../src/aws/refresh-health.js';
import { refreshSummary } from '../../src/report/refresh-summary.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'health-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const ok = (time: string, attempts = 1): HealthRecord => ({ time, ok: true, attempts });
const failed = (time: string, title: string, fix = 'Re-run the job.'): HealthRecord => ({
  time,
  ok: false,
  attempts: 3,
  title,
  fix,
});

describe('the health file', () => {
  it('sits beside the profile and holds one record per refresh, mode 0600', () => {
    const file = healthFileBeside(join(dir, 'config'), 'abc');
    expect(file).toBe(join(dir, '.aws-credentials-action-abc.health'));
    appendHealth(file, ok('2030-01-01T00:00:00.000Z'));
    appendHealth(file, failed('2030-01-01T01:00:00.000Z', 'AWS STS retries exhausted (ECONNREFUSED)'));
    expect(readHealth(file)).toEqual([
      ok('2030-01-01T00:00:00.000Z'),
      failed('2030-01-01T01:00:00.000Z', 'AWS STS retries exhausted (ECONNREFUSED)'),
    ]);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('never writes through a symbolic link, and removes a link as the link', () => {
    const target = join(dir, 'target');
    writeFileSync(target, 'keep');
    const file = join(dir, 'health');
    symlinkSync(target, file);
    expect(() => appendHealth(file, ok('t'))).toThrow();
    expect(() => readHealth(file)).toThrow();
    expect(readFileSync(target, 'utf8')).toBe('keep');
    removeHealth(file);
    expect(() => lstatSync(file)).toThrow();
    expect(readFileSync(target, 'utf8')).toBe('keep');
  });

  it(`is bounded: the last ${MAX_RECORDS} records, texts capped`, () => {
    const file = join(dir, 'health');
    const long = 'x'.repeat(5000);
    for (let i = 0; i < MAX_RECORDS * 3; i++) appendHealth(file, failed(`t${i}`, long, long));
    const records = readHealth(file);
    expect(records).toHaveLength(MAX_RECORDS);
    expect(records.at(-1)?.time).toBe(`t${MAX_RECORDS * 3 - 1}`);
    expect(records[0]?.title?.length).toBeLessThanOrEqual(200);
    expect(statSync(file).size).toBeLessThan(2 * MAX_RECORDS * 1500);
  });

  it('reads a missing file as no records and skips lines that are not records', () => {
    expect(readHealth(join(dir, 'none'))).toEqual([]);
    const file = join(dir, 'health');
    writeFileSync(file, `garbage\n{"ok":true}\n${JSON.stringify(ok('t1', 2))}\n`);
    expect(readHealth(file)).toEqual([ok('t1', 2)]);
  });
});

describe('the refreshes in the job summary', () => {
  it('says refreshing failed, how often, the last error and its fix', () => {
    const markdown = refreshSummary([
      ok('t0'),
      failed('t1', 'Could not get a GitHub OIDC token'),
      failed('t2', 'AWS STS retries exhausted (ECONNREFUSED)', 'Check the <proxy> | network.'),
    ]);
    expect(markdown.split('\n')[0]).toBe(
      '**Refreshing the AWS credentials failed** 2 of 3 times: AWS STS retries exhausted \\(ECONNREFUSED\\).',
    );
    expect(markdown).toContain('| Refreshes | 3 |');
    expect(markdown).toContain('| Failures | 2 |');
    expect(markdown).toContain('| Attempts | 7 |');
    expect(markdown).toContain('| Last error | AWS STS retries exhausted \\(ECONNREFUSED\\) (t2) |');
    expect(markdown).toContain('| Fix | Check the &lt;proxy&gt; \\| network. |');
  });

  it('all succeeded: one sentence and the counts; nothing at all with no refresh', () => {
    const markdown = refreshSummary([ok('t0'), ok('t1')]);
    expect(markdown.split('\n')[0]).toBe('Refreshing the AWS credentials succeeded 2 times.');
    expect(markdown).not.toContain('Last error');
    expect(refreshSummary([])).toBe('');
  });

  it('hides masked account ids', () => {
    const markdown = refreshSummary(
      [failed('t', 'x', 'check arn:aws:iam::123456789012:role/R')],
      ['123456789012'],
    );
    expect(markdown).not.toContain('123456789012');
  });
});
