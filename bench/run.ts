// `npm run bench`: every benchmark of BENCHMARKS.md, against local endpoints on 127.0.0.1, the
// whole action process each time; the results replace the generated block of BENCHMARKS.md.
// `--quick` runs each once, small, to show the benchmarks work (CI); it writes its report to
// --out (default: a file in the temp directory) and leaves BENCHMARKS.md alone.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ACTION_ENTRY, REPO_ROOT } from './action.js';
import { type BundleResult, bundleSize } from './bundle.js';
import { CONTENDER, type ColdResult, coldRun } from './cold.js';
import { blip, type GlitchResult, tokenEndpoint5xx } from './glitch.js';
import { type MisconfigResult, misconfiguration } from './misconfig.js';
import {
  bucketFloorSeconds,
  compareAtScale,
  type PolicySummary,
  quantile,
  STORM_MODEL,
  summarizeGlitch,
} from './simulate.js';
import { STORM_BUCKET, type StormSummary, storm } from './storm.js';

/** Simulated storm sizes, each with its seeds (the big ones are slower to simulate). */
const FULL = {
  coldRuns: 15,
  stormJobs: 32,
  stormRounds: 3,
  bigStormJobs: 128,
  bigStormRounds: 2,
  simulated: [
    { jobs: 32, seeds: 200 },
    { jobs: 128, seeds: 100 },
    { jobs: 256, seeds: 50 },
  ],
  glitchRuns: 10,
  glitchSeeds: 1000,
  misconfigRuns: 5,
};
const QUICK: typeof FULL = {
  coldRuns: 3,
  stormJobs: 8,
  stormRounds: 1,
  bigStormJobs: 12,
  bigStormRounds: 1,
  simulated: [
    { jobs: 32, seeds: 5 },
    { jobs: 128, seeds: 2 },
    { jobs: 256, seeds: 1 },
  ],
  glitchRuns: 1,
  glitchSeeds: 20,
  misconfigRuns: 1,
};

/** The issue's targets (issue 12). */
const TARGETS = {
  small: { jobs: 32, requestsPerSuccess: 2.2, p95Seconds: 10 },
  big: { requestsPerSuccess: 2.5, p95OverFloor: 1.3 },
  huge: { jobs: 256, requestsPerSuccess: 3 },
  blipSeconds: 0.5,
  token5xxSeconds: 2,
};

const BEGIN = '<!-- bench:results -->';
const END = '<!-- /bench:results -->';

interface Glitches {
  blip: GlitchResult;
  token5xx: GlitchResult;
  /** Simulated, ours and upstream's, seconds: median and max over seeds. */
  blipSimulated: Array<{ policy: string; median: number; max: number }>;
  token5xxSimulated: Array<{ policy: string; median: number; max: number }>;
}

interface Results {
  mode: 'full' | 'quick';
  cold: ColdResult;
  storm: StormSummary;
  bigStorm: StormSummary;
  simulation: Array<{ jobs: number; policies: PolicySummary[] }>;
  glitches: Glitches;
  misconfig: MisconfigResult;
  bundle: BundleResult;
  /** The 1-minute load average when the run started (other work on the machine). */
  load: string;
}

const s = (seconds: number) => `${seconds.toFixed(2)} s`;
const yes = (met: boolean) => (met ? 'yes' : '**no**');

const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;
const ms = (value: number) => `${value.toFixed(0)} ms`;
const times = (ratio: number | undefined) => (ratio === undefined ? 'n/a' : `${ratio.toFixed(2)}×`);

/** The cold-run rows: the action against upstream and against the floor, each with its target. */
function coldRows(cold: ColdResult): string[] {
  const median = (name: string) => cold.contenders.find((c) => c.name === name)?.medianMs;
  const ours = ms(median(CONTENDER.ours) ?? Number.NaN);
  const upstream = median(CONTENDER.upstream);
  return [
    `| Cold run vs upstream (${cold.nodeVersion}) | ${ours} against ${upstream === undefined ? 'not measured (set BENCH_UPSTREAM)' : ms(upstream)}, medians of ${cold.runs} interleaved: ${times(cold.ratio.upstream)} | ≤ 0.7× | ${cold.ratio.upstream === undefined ? 'n/a' : yes(cold.ratio.upstream <= 0.7)} |`,
    `| Cold run vs floor (${cold.nodeVersion}) | ${ours} against ${ms(median(CONTENDER.floor) ?? Number.NaN)}: ${times(cold.ratio.floor)} (\`node -e 0\`: ${ms(median(CONTENDER.node) ?? Number.NaN)}, ${times(cold.ratio.node)}) | ≤ 2× floor | ${yes(cold.ratio.floor <= 2)} |`,
  ];
}

function bundleRows(bundle: BundleResult): string[] {
  return bundle.entries.map(
    (e) =>
      `| Bundle ${e.name} | ${e.bytes.toLocaleString('en-US')} bytes = ${kB(e.bytes)}${e.beforeBytes === undefined ? '' : ` (before: ${kB(e.beforeBytes)})`}; ${e.chunks} chunk${e.chunks === 1 ? '' : 's'} beside it, ${kB(e.chunkBytes)}, loaded on demand | ≤ ${kB(e.targetBytes)} | ${yes(e.bytes <= e.targetBytes)} |`,
  );
}

function stormRows(st: StormSummary): string[] {
  return st.rounds.map((round, i) => {
    const startup = `${s(quantile(round.secondsToFirstCall, 0.5))} / ${s(quantile(round.secondsToFirstCall, 1))}`;
    const retrying = `${s(quantile(round.secondsRetrying, 0.5))} / ${s(quantile(round.secondsRetrying, 0.95))}`;
    return `| ${round.jobs} jobs, round ${i + 1} | ${round.loadAverage.toFixed(1)} | ${round.succeeded} of ${round.jobs} | ${s(quantile(round.secondsToCredentials, 0.5))} | ${s(quantile(round.secondsToCredentials, 0.95))} | ${s(quantile(round.secondsFromFirstCall, 0.95))} | ${startup} | ${retrying} | ${round.webIdentityRequests} | ${round.oidcRequests} | ${
      Object.entries(round.retryCodes)
        .map(([code, n]) => `${n} ${code}`)
        .join(', ') || 'none'
    } |`;
  });
}

function stormResult(st: StormSummary): string {
  return (
    `${st.succeeded} of ${st.jobs} succeeded; p50 ${s(st.p50Seconds)}, p95 ${s(st.p95Seconds)} from spawn ` +
    `(${s(st.p95FromFirstCallSeconds)} from the first STS call); ${st.requestsPerSuccess.toFixed(2)} ` +
    'AssumeRoleWithWebIdentity requests per success'
  );
}

function policyLabel(p: PolicySummary): string {
  return p.policy === 'ours'
    ? 'ours (shipped withRetry)'
    : 'upstream (12 attempts, uniform [0, 50 ms × 2^n])';
}

function glitchLabel(policy: string): string {
  return policy === 'ours' ? 'ours' : 'upstream';
}

function report(r: Results): string {
  const { cold, storm: st, bigStorm: big, misconfig: mc, bundle, glitches: g } = r;
  const smallMet =
    st.succeeded === st.jobs &&
    st.p95Seconds <= TARGETS.small.p95Seconds &&
    st.requestsPerSuccess <= TARGETS.small.requestsPerSuccess;
  const bigJobs = big.rounds[0]?.jobs ?? 0;
  const bigFloor = bucketFloorSeconds(bigJobs, STORM_BUCKET);
  const bigP95Limit = TARGETS.big.p95OverFloor * bigFloor;
  const bigMet =
    big.succeeded === big.jobs &&
    big.p95Seconds <= bigP95Limit &&
    big.requestsPerSuccess <= TARGETS.big.requestsPerSuccess;
  const huge = r.simulation.find((x) => x.jobs === TARGETS.huge.jobs);
  const hugeOurs = huge?.policies.find((p) => p.policy === 'ours');
  const hugeMet =
    hugeOurs !== undefined &&
    hugeOurs.worstSucceeded === TARGETS.huge.jobs &&
    hugeOurs.requestsPerSuccess[1] <= TARGETS.huge.requestsPerSuccess;
  const lines = [
    BEGIN,
    `Generated by \`npm run bench${r.mode === 'quick' ? ' -- --quick' : ''}\` on ${new Date().toISOString().slice(0, 10)}: ` +
      `bench on Node ${process.version}, action processes on Node ${cold.nodeVersion}, ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, load average ${r.load}. Do not edit by hand.`,
    '',
    '| Benchmark | Result | Target | Met |',
    '| --- | --- | --- | --- |',
    ...coldRows(cold),
    ...bundleRows(bundle),
    `| Storm, ${st.rounds.length} round${st.rounds.length === 1 ? '' : 's'} of ${st.rounds[0]?.jobs ?? 0} jobs | ${stormResult(st)} | all succeed, p95 ≤ ${TARGETS.small.p95Seconds} s, ≤ ${TARGETS.small.requestsPerSuccess} requests per success | ${yes(smallMet)} |`,
    `| Big storm, ${big.rounds.length} round${big.rounds.length === 1 ? '' : 's'} of ${bigJobs} jobs | ${stormResult(big)}; the bucket's floor for the last job ${s(bigFloor)} | all succeed, p95 ≤ ${TARGETS.big.p95OverFloor} × floor = ${s(bigP95Limit)}, ≤ ${TARGETS.big.requestsPerSuccess} requests per success | ${yes(bigMet)} |`,
    `| Huge storm, ${TARGETS.huge.jobs} jobs, simulated | ${hugeOurs ? `fewest successes ${hugeOurs.worstSucceeded} of ${TARGETS.huge.jobs} in ${hugeOurs.seeds} seeds; p95 ${s(hugeOurs.p95Seconds[0])} [${s(hugeOurs.p95Seconds[1])}]; ${hugeOurs.requestsPerSuccess[0].toFixed(2)} [${hugeOurs.requestsPerSuccess[1].toFixed(2)}] requests per success` : 'not run'} | all succeed within the default deadline, ≤ ${TARGETS.huge.requestsPerSuccess} requests per success | ${yes(hugeMet)} |`,
    `| Blip (one IDPCommunicationError, then success) | retry ${s(g.blip.median)} median, ${s(g.blip.max)} max after the failed call, ${g.blip.succeeded} of ${g.blip.runs} runs | retry within ${TARGETS.blipSeconds} s | ${yes(g.blip.succeeded === g.blip.runs && g.blip.max <= TARGETS.blipSeconds)} |`,
    `| Token endpoint 5xx (two 503s, then a token) | step done in ${s(g.token5xx.median)} median, ${s(g.token5xx.max)} max (spawn to exit), ${g.token5xx.succeeded} of ${g.token5xx.runs} runs | step succeeds within ${TARGETS.token5xxSeconds} s | ${yes(g.token5xx.succeeded === g.token5xx.runs && g.token5xx.max <= TARGETS.token5xxSeconds)} |`,
    `| Misconfiguration (AccessDenied) | fails in ${s(mc.medianSeconds)} median of ${mc.runs} (max ${s(mc.maxSeconds)}); at most ${mc.maxStsCalls} STS call${mc.maxStsCalls === 1 ? '' : 's'} | < 2 s, 1 STS call | ${yes(mc.maxSeconds < 2 && mc.maxStsCalls === 1)} |`,
    '',
    `Cold run, every contender (median wall time of ${cold.runs} runs each, interleaved round by round):`,
    '',
    '| Process | Median |',
    '| --- | --- |',
    ...cold.contenders.map((c) => `| ${c.name} | ${ms(c.medianMs)} |`),
    ...(bundle.upstreamIndexBytes === undefined
      ? []
      : [
          '',
          `Upstream's dist/index.js: ${bundle.upstreamIndexBytes.toLocaleString('en-US')} bytes = ${kB(bundle.upstreamIndexBytes)}. All of dist/: ${kB(bundle.distBytes)}.`,
        ]),
    '',
    `Storm rounds (token bucket: capacity ${STORM_BUCKET.capacity}, ${STORM_BUCKET.refillPerSecond} per second; the load column is the machine's 1-minute load average as the round started, other engineers' work included):`,
    '',
    '| Round | Load | Succeeded | p50 | p95 | p95 from the first STS call | Start-up: spawn to first STS call, p50 / max | Retrying: first STS call to credentials, p50 / p95 | AssumeRoleWithWebIdentity requests | OIDC token requests | Retry log lines, by code |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...stormRows(st),
    ...stormRows(big),
    '',
    `Simulated side by side (all jobs at once, ${STORM_MODEL.rttMs} ms per STS call, same bucket; median over seeds, 90th percentile over seeds in brackets; the floor is the bucket's for the last job):`,
    '',
    '| Jobs (seeds) | Policy | Fewest successes | p50 | p95 | p95 / floor | Requests per success |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...r.simulation.flatMap(({ jobs, policies }) =>
      policies.map(
        (p) =>
          `| ${jobs} (${p.seeds}) | ${policyLabel(p)} | ${p.worstSucceeded} of ${jobs} | ${s(p.p50Seconds[0])} [${s(p.p50Seconds[1])}] | ${s(p.p95Seconds[0])} [${s(p.p95Seconds[1])}] | ${(p.p95Seconds[0] / bucketFloorSeconds(jobs)).toFixed(2)} | ${p.requestsPerSuccess[0].toFixed(2)} [${p.requestsPerSuccess[1].toFixed(2)}] |`,
      ),
    ),
    '',
    `Glitches simulated side by side (virtual time, no round trips; seconds of sleep, median / max over ${r.mode === 'quick' ? QUICK.glitchSeeds : FULL.glitchSeeds} seeds):`,
    '',
    '| Policy | Blip: time to the retry | Token endpoint, two 5xx: time to the token |',
    '| --- | --- | --- |',
    ...g.blipSimulated.map((b, i) => {
      const t = g.token5xxSimulated[i];
      return `| ${glitchLabel(b.policy)} | ${s(b.median)} / ${s(b.max)} | ${t ? `${s(t.median)} / ${s(t.max)}` : 'n/a'} |`;
    }),
    END,
  ];
  return `${lines.join('\n')}\n`;
}

/** Replaces the generated block of BENCHMARKS.md, keeping the prose around it. */
function updateBenchmarks(block: string): string {
  const file = join(REPO_ROOT, 'BENCHMARKS.md');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const begin = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  const next =
    begin >= 0 && end > begin
      ? `${text.slice(0, begin)}${block.trimEnd()}${text.slice(end + END.length)}`
      : `${text}\n${block}`;
  writeFileSync(file, next);
  return file;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean' }, out: { type: 'string' } } });
  const mode = values.quick ? 'quick' : 'full';
  const size = values.quick ? QUICK : FULL;
  if (!existsSync(ACTION_ENTRY)) throw new Error(`${ACTION_ENTRY} is missing: run npm run build first`);
  const step = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    const value = await work();
    console.error(`bench: ${name} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return value;
  };
  const results: Results = {
    mode,
    load: loadavg()[0]?.toFixed(2) ?? 'unknown',
    bundle: bundleSize(),
    cold: await step('cold run', () => coldRun(size.coldRuns)),
    misconfig: await step('misconfiguration', () => misconfiguration(size.misconfigRuns)),
    simulation: await step('simulation', async () => {
      const out: Results['simulation'] = [];
      for (const { jobs, seeds } of size.simulated)
        out.push({ jobs, policies: await compareAtScale(jobs, seeds) });
      return out;
    }),
    glitches: await step('glitches', async () => ({
      blip: await blip(size.glitchRuns),
      token5xx: await tokenEndpoint5xx(size.glitchRuns),
      blipSimulated: [
        await summarizeGlitch('upstream', 'blip', size.glitchSeeds),
        await summarizeGlitch('ours', 'blip', size.glitchSeeds),
      ],
      token5xxSimulated: [
        await summarizeGlitch('upstream', 'token-5xx', size.glitchSeeds),
        await summarizeGlitch('ours', 'token-5xx', size.glitchSeeds),
      ],
    })),
    storm: await step('storm', () => storm(size.stormJobs, size.stormRounds)),
    bigStorm: await step('big storm', () => storm(size.bigStormJobs, size.bigStormRounds)),
  };
  const block = report(results);
  const written =
    mode === 'full'
      ? updateBenchmarks(block)
      : (() => {
          const file = values.out ?? join(tmpdir(), 'bench-quick.md');
          writeFileSync(file, block);
          return file;
        })();
  process.stdout.write(block);
  console.error(`bench: report written to ${written}`);
}

await main();
