// How the STS backoff was chosen: the shipped withRetry on the storm model (all jobs at once, each
// told the matrix's size as concurrent-jobs), over a grid of first-retry spreads per job and of
// later caps, at 32, 128 and 256 jobs. Not part of `npm run bench`; run it with
// `npx tsx bench/tune.ts` after changing src/common/retry.ts.
import { type Backoff, STS_BACKOFF } from '../src/common/retry.js';
import { bucketFloorSeconds, STORM_MODEL, summarize } from './simulate.js';

/** Seeds per storm size: the big storms are slower to simulate. */
const SEEDS: Record<number, number> = { 32: 100, 128: 40, 256: 20 };
const SPREADS_MS = [undefined, 150, 200, 250, 300];
const LATER: Array<Pick<Backoff, 'capMs' | 'capGrowth' | 'ageFactor'>> = [
  { capMs: 10_000, capGrowth: 2, ageFactor: 2 },
  { capMs: 10_000, capGrowth: 3, ageFactor: 3 },
  { capMs: 5000, capGrowth: 2, ageFactor: 2 },
];
const STORMS = [32, 128, 256] as const;

const s = (seconds: number) => seconds.toFixed(2);
const isShipped = (candidate: Partial<Backoff>) =>
  Object.entries(candidate).every(([key, value]) => STS_BACKOFF[key as keyof Backoff] === value);

const rows: string[] = [
  '| Jobs | Policy | Fewest successes | p95 | p95 / floor | Requests per success |',
  '| --- | --- | --- | --- | --- | --- |',
];
for (const jobs of STORMS) {
  const model = { ...STORM_MODEL, jobs };
  const seeds = SEEDS[jobs] ?? 20;
  const floor = bucketFloorSeconds(jobs);
  const candidates = [{ label: 'upstream', summary: await summarize('upstream', model, seeds) }];
  for (const spreadPerJobMs of SPREADS_MS) {
    for (const later of LATER) {
      const candidate = { spreadPerJobMs, ...later };
      const spread = spreadPerJobMs === undefined ? 'no spread' : `spread ${spreadPerJobMs} ms per job`;
      candidates.push({
        label: `${spread}; cap ${later.capMs / 1000} s ×${later.capGrowth}, age factor ${later.ageFactor}${isShipped(candidate) ? ' (shipped)' : ''}`,
        summary: await summarize('ours', model, seeds, candidate),
      });
    }
  }
  for (const { label, summary } of candidates) {
    rows.push(
      `| ${jobs} | ${label} | ${summary.worstSucceeded} | ${s(summary.p95Seconds[0])} [${s(summary.p95Seconds[1])}] | ` +
        `${(summary.p95Seconds[0] / floor).toFixed(2)} | ${s(summary.requestsPerSuccess[0])} [${s(summary.requestsPerSuccess[1])}] |`,
    );
  }
}
console.log(
  `Seeds 1 to ${SEEDS[32]}, ${SEEDS[128]} and ${SEEDS[256]} (32, 128, 256 jobs); median over seeds, 90th percentile in brackets.`,
);
console.log(rows.join('\n'));
