// CI runs the benchmarks in quick mode, only to check that they work: every section ran against
// dist/index.js and reported. The numbers are measurements; no speed is asserted here.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/runner.js';

const dir = mkdtempSync(join(tmpdir(), 'bench-quick-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runQuickBench(out: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      join(REPO_ROOT, 'node_modules', '.bin', 'tsx'),
      ['bench/run.ts', '--quick', '--out', out],
      { cwd: REPO_ROOT, timeout: 110_000, killSignal: 'SIGKILL', env: { PATH: process.env.PATH ?? '' } },
      (error, _stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) || 1 : 0, stderr }),
    );
  });
}

describe('npm run bench -- --quick', () => {
  // The cold run bundles its floor script first (about 10 s of ncc).
  it('runs every benchmark against the bundled action and writes its report', {
    timeout: 120_000,
  }, async () => {
    const out = join(dir, 'report.md');
    const { code, stderr } = await runQuickBench(out);
    expect(code, stderr).toBe(0);
    const report = readFileSync(out, 'utf8');
    expect(report).toMatch(/^<!-- bench:results -->/);
    expect(report.trimEnd()).toMatch(/<!-- \/bench:results -->$/);
    for (const row of [
      'Cold run',
      'Storm',
      'Big storm',
      'Huge storm',
      'Blip',
      'Token endpoint 5xx',
      'Misconfiguration',
      'Bundle',
    ]) {
      expect(report).toMatch(new RegExp(`^\\| ${row}`, 'm'));
    }
    // Retries make every job of the small storm succeed, and a trust mismatch costs one call.
    const storm = /\| (\d+) of (\d+) succeeded;/.exec(report);
    expect(storm?.[1]).toBeDefined();
    expect(storm?.[1]).toBe(storm?.[2]);
    // The glitch cases ran against the bundle and succeeded.
    expect(report).toMatch(/^\| Blip .*, 1 of 1 runs \|/m);
    expect(report).toMatch(/^\| Token endpoint 5xx .*, 1 of 1 runs \|/m);
    expect(report).toMatch(/at most 1 STS call \|/);
    expect(report).toMatch(/^\| upstream .*\|$/m);
    expect(report).toMatch(/^\| ours .*\|$/m);
    for (const entry of ['dist/index.js', 'dist/refresh/index.js', 'dist/cleanup/index.js']) {
      const row = new RegExp(`^\\| Bundle ${entry} \\| ([\\d,]+) bytes`, 'm').exec(report);
      expect(Number(row?.[1]?.replace(/,/g, '')), entry).toBeGreaterThan(0);
    }
    // The floor ran, and the action was timed against it.
    expect(report).toMatch(/^\| Cold run vs floor .*: \d+\.\d+× /m);
  });
});
