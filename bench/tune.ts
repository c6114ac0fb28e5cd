// How the STS backoff was chosen: the shipped withRetry on the storm model (all jobs at once), over
// a grid of second-sleep caps, growth factors and age factors (the cap is at most ageFactor × the
// time since the first attempt), at 32, 128 and 256 jobs. Not part of `npm run bench`; run it with
// `npx tsx bench/tune.ts` after changing src/common/retry.ts.
import { STS_BACKOFF } from '../src/common/retry.js';
import { bucketFloorSeconds, STORM_MODEL, summarize } from './simulate.js';

/** Seeds per storm size: the big storms are slower to simulate. */
const SEEDS: Record<number, number> = { 32: 100, 128: 40, 256: 20 };
const CAPS_MS = [8000, 9000, 10_000];
const GROWTHS = [2, 3];
const AGE_FACTORS = [undefined, 2, 3, 4];
const STORMS = [32, 128, 256] as const;

const s = (seconds: number) => seconds.toFixed(2);

const rows: string[] = [
  '| Jobs | Policy | Fewest successes | p95 | p95 / floor | Requests per success |',
  '| --- | --- | --- | --- | --- | --- |',
];
for (const jobs of STORMS) {
  const model = { ...STORM_MODEL, jobs };
  const seeds = SEEDS[jobs] ?? 20;
  const floor = bucketFloorSeconds(jobs);
  const candidates = [{ label: 'upstream', summary: await summarize('upstream', model, seeds) }];
  for (const capMs of CAPS_MS) {
    for (const capGrowth of GROWTHS) {
      for (const ageFactor of AGE_FACTORS) {
        const shipped =
          capMs === STS_BACKOFF.capMs &&
          capGrowth === STS_BACKOFF.capGrowth &&
          ageFactor === STS_BACKOFF.ageFactor;
        candidates.push({
          label: `cap ${capMs / 1000} s ×${capGrowth}, age factor ${ageFactor ?? 'none'}${shipped ? ' (shipped)' : ''}`,
          summary: await summarize('ours', model, seeds, { capMs, capGrowth, ageFactor }),
        });
      }
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
