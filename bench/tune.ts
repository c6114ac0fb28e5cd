// How the backoff parameters were chosen: the shipped withRetry on the storm model, over a grid
// of first-sleep floors and caps, for the 32 jobs and for larger storms. Not part of
// `npm run bench`; run it with `npx tsx bench/tune.ts` after changing src/common/retry.ts.
import { STORM_MODEL, summarize } from './simulate.js';

/** Seeds per storm size: the big storm is slow to simulate. */
const SEEDS: Record<number, number> = { 32: 200, 256: 50 };
const BASES_MS = [800, 1000, 1200];
const CAPS_MS = [4000, 5000, 6000, 8000, 12_000];
const STORMS = [32, 256] as const;

const s = (seconds: number) => seconds.toFixed(2);

const rows: string[] = [
  '| Jobs | Policy | Fewest successes | p50 | p95 | Requests per success |',
  '| --- | --- | --- | --- | --- | --- |',
];
for (const jobs of STORMS) {
  const model = { ...STORM_MODEL, jobs };
  const seeds = SEEDS[jobs] ?? 50;
  const upstream = await summarize('upstream', model, seeds);
  const candidates = [
    { label: 'upstream', summary: upstream },
    ...(await Promise.all(
      BASES_MS.flatMap((baseDelayMs) =>
        CAPS_MS.map(async (maxDelayMs) => ({
          label: `ours, ${baseDelayMs / 1000} s / ${maxDelayMs / 1000} s`,
          summary: await summarize('ours', model, seeds, { baseDelayMs, maxDelayMs }),
        })),
      ),
    )),
  ];
  for (const { label, summary } of candidates) {
    rows.push(
      `| ${jobs} | ${label} | ${summary.worstSucceeded} | ${s(summary.p50Seconds[0])} [${s(summary.p50Seconds[1])}] | ` +
        `${s(summary.p95Seconds[0])} [${s(summary.p95Seconds[1])}] | ${s(summary.requestsPerSuccess[0])} [${s(summary.requestsPerSuccess[1])}] |`,
    );
  }
}
console.log(
  `Seeds 1 to ${SEEDS[32]} (32 jobs) and ${SEEDS[256]} (256 jobs); median over seeds, 90th percentile in brackets; "ours, base / cap".`,
);
console.log(rows.join('\n'));
