// Cold run: one whole step process (OIDC → credentials exported) for each contender, interleaved
// round by round so that all see the same machine load: `node -e 0`, the floor (bench/floor.ts,
// bundled like dist/), this action's dist/index.js, and when given, an earlier build
// (BENCH_BEFORE=dir) and upstream's bundle (BENCH_UPSTREAM=path to its dist/index.js; never
// committed here). On Node ≥ 22 it also runs dist/index.js under a compile cache, first with an empty
// cache directory each time (what the first invocation in a job pays) and then warm.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  ACTION_ENTRY,
  NODE_BIN,
  REPO_ROOT,
  runAction,
  runEmptyNode,
  runLoadOnly,
  runNode,
} from './action.js';
import { type Endpoints, startEndpoints } from './endpoints.js';
import { quantile } from './simulate.js';

export interface Contender {
  name: string;
  medianMs: number;
  runs: number;
}

export interface ColdResult {
  runs: number;
  nodeVersion: string;
  /** In this order: node -e 0, floor, ours, load-only, then the optional ones. */
  contenders: Contender[];
  /** Median of the action's full run over the same of each reference. */
  ratio: { node: number; floor: number; upstream?: number; before?: number };
}

export const CONTENDER = {
  node: '`node -e 0`',
  floor: 'floor (bench/floor.ts)',
  ours: 'dist/index.js',
  loadOnly: 'dist/index.js, load only (no inputs)',
  before: 'before (BENCH_BEFORE)',
  upstream: "upstream's v6 dist/index.js",
  cacheCold: 'dist/index.js, compile cache empty',
  cacheWarm: 'dist/index.js, compile cache warm',
} as const;

/** The floor script, bundled by the build's own bundler into a temporary directory. */
async function bundleFloor(dir: string): Promise<string> {
  const { bundle } = (await import(pathToFileURL(join(REPO_ROOT, 'scripts', 'bundle.mjs')).href)) as {
    bundle(entry: string, out: string): Promise<void>;
  };
  await bundle(join(REPO_ROOT, 'bench', 'floor.ts'), dir);
  return join(dir, 'index.js');
}

async function nodeMajor(): Promise<number> {
  const run = await runNode(['-p', 'process.versions.node'], { PATH: process.env.PATH ?? '' });
  return Number(run.stdout.trim().split('.')[0]);
}

export async function coldRun(runs: number): Promise<ColdResult> {
  const scratch = mkdtempSync(join(tmpdir(), 'bench-cold-'));
  const endpoints = await startEndpoints();
  try {
    const floor = await bundleFloor(join(scratch, 'floor'));
    const major = await nodeMajor();
    const full =
      (entry: string, env: () => Record<string, string> = () => ({})) =>
      async (e: Endpoints) => {
        const run = await runAction(e, undefined, entry, env());
        if (run.exitCode !== 0 || !run.exported) {
          throw new Error(
            `${entry} did not export credentials (exit ${run.exitCode}): ${run.stdout.slice(-500)}`,
          );
        }
        return run.wallMs;
      };
    const timed: [string, (e: Endpoints) => Promise<number>][] = [
      [CONTENDER.node, () => runEmptyNode()],
      [CONTENDER.floor, full(floor)],
      [CONTENDER.ours, full(ACTION_ENTRY)],
      [CONTENDER.loadOnly, () => runLoadOnly()],
    ];
    if (process.env.BENCH_BEFORE) {
      timed.push([CONTENDER.before, full(join(resolve(process.env.BENCH_BEFORE), 'index.js'))]);
    }
    if (process.env.BENCH_UPSTREAM)
      timed.push([CONTENDER.upstream, full(resolve(process.env.BENCH_UPSTREAM))]);
    if (major >= 22) {
      let n = 0;
      const warm = join(scratch, 'cache-warm');
      timed.push([
        CONTENDER.cacheCold,
        full(ACTION_ENTRY, () => ({ NODE_COMPILE_CACHE: join(scratch, `c${n++}`) })),
      ]);
      timed.push([CONTENDER.cacheWarm, full(ACTION_ENTRY, () => ({ NODE_COMPILE_CACHE: warm }))]);
    }
    // One untimed round first: the page cache (and the warm compile cache), not the process, should be warm.
    for (const [, run] of timed) await run(endpoints);
    const samples = timed.map((): number[] => []);
    for (let round = 0; round < runs; round++) {
      // Rotate the order each round, so that no contender always follows the same one.
      for (let k = 0; k < timed.length; k++) {
        const i = (round + k) % timed.length;
        samples[i]?.push(await (timed[i] as (typeof timed)[number])[1](endpoints));
      }
    }
    const contenders = timed.map(([name], i) => ({
      name,
      runs,
      medianMs: quantile(
        (samples[i] ?? []).sort((a, b) => a - b),
        0.5,
      ),
    }));
    const median = (name: string) => contenders.find((c) => c.name === name)?.medianMs;
    const ours = median(CONTENDER.ours) ?? Number.NaN;
    const over = (name: string) => {
      const m = median(name);
      return m === undefined ? undefined : ours / m;
    };
    const nodeVersion = (await runNode(['-v'], { PATH: process.env.PATH ?? '' })).stdout.trim();
    return {
      runs,
      nodeVersion: NODE_BIN === process.execPath ? nodeVersion : `${nodeVersion} (NODE24)`,
      contenders,
      ratio: {
        node: over(CONTENDER.node) ?? Number.NaN,
        floor: over(CONTENDER.floor) ?? Number.NaN,
        upstream: over(CONTENDER.upstream),
        before: over(CONTENDER.before),
      },
    };
  } finally {
    await endpoints.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}
