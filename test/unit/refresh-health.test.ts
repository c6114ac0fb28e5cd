// Issue 16: the refresher's health file (one record per refresh, 0600, no links, bounded) and the
// post step's summary of it.
import { execFile } from 'node:child_process';
import { lstatSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
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

describe('refreshers writing at the same moment', () => {
  const PROCESSES = 8;
  const EACH = 60;
  const source = resolve(fileURLToPath(new URL('../../src/aws/refresh-health.ts', import.meta.url)));
  const tsx = resolve(fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url)));

  /** One refresher's records, as big as records get, so the file is cut back every few of them. */
  function writer(file: string, name: string): Promise<void> {
    const script = join(dir, `${name}.ts`);
    writeFileSync(
      script,
      `import { appendHealth } from ${JSON.stringify(source)};\n` +
        `for (let i = 0; i < ${EACH}; i++) appendHealth(${JSON.stringify(file)}, ` +
        `{ time: '${name}-' + String(i).padStart(3, '0'), ok: false, attempts: 1, title: 't'.repeat(300), fix: 'f'.repeat(1200) });\n`,
    );
    return new Promise((done, fail) => {
      execFile(tsx, [script], { timeout: 60_000 }, (error, _out, stderr) =>
        error ? fail(new Error(`${name}: ${stderr || error.message}`)) : done(),
      );
    });
  }

  it('lose no record while one of them cuts the file back', { timeout: 90_000 }, async () => {
    const file = join(dir, 'shared.health');
    const names = Array.from({ length: PROCESSES }, (_, p) => `p${p}`);
    await Promise.all(names.map((name) => writer(file, name)));
    const records = readHealth(file);
    expect(records).toHaveLength(MAX_RECORDS);
    // The file keeps the last records written; of each refresher's, those kept are its last ones,
    // with no gap: a record appended to a file another one was replacing would leave one.
    for (const name of names) {
      const kept = records.filter((r) => r.time.startsWith(`${name}-`)).map((r) => Number(r.time.slice(-3)));
      const expected = Array.from({ length: kept.length }, (_, i) => EACH - kept.length + i);
      expect(kept, name).toEqual(expected);
    }
  });
});
