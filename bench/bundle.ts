// Bundle: the size of each entry point the runner loads (dist/index.js, dist/refresh/index.js,
// dist/cleanup/index.js), of the chunks beside it (loaded only on the paths that need them), and of
// all of dist/. BENCH_BEFORE (an earlier build's directory) and BENCH_UPSTREAM (upstream's
// dist/index.js) are measured beside it when given.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DIST_DIR } from './action.js';

/** Entry points, their targets in bytes (issue 14), and where their chunks live. */
export const ENTRIES = [
  { name: 'dist/index.js', dir: '.', targetBytes: 350_000 },
  { name: 'dist/refresh/index.js', dir: 'refresh', targetBytes: 350_000 },
  { name: 'dist/cleanup/index.js', dir: 'cleanup', targetBytes: 80_000 },
] as const;

export interface EntrySize {
  name: string;
  targetBytes: number;
  bytes: number;
  /** The same entry in BENCH_BEFORE, if given and present. */
  beforeBytes?: number;
  /** Chunks beside it (`<id>.index.js`), loaded on demand. */
  chunkBytes: number;
  chunks: number;
}

export interface BundleResult {
  entries: EntrySize[];
  /** Every file under dist/ (entries, chunks, licenses). */
  distBytes: number;
  upstreamIndexBytes?: number;
}

function totalBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? totalBytes(path) : statSync(path).size;
  }
  return total;
}

function chunksOf(dir: string): number[] {
  return readdirSync(dir)
    .filter((name) => /^\d+\.index\.js$/.test(name))
    .map((name) => statSync(join(dir, name)).size);
}

export function bundleSize(): BundleResult {
  const before = process.env.BENCH_BEFORE ? resolve(process.env.BENCH_BEFORE) : undefined;
  const entries = ENTRIES.map(({ name, dir, targetBytes }) => {
    const chunks = chunksOf(join(DIST_DIR, dir));
    const previous = before ? join(before, dir, 'index.js') : undefined;
    return {
      name,
      targetBytes,
      bytes: statSync(join(DIST_DIR, dir, 'index.js')).size,
      beforeBytes: previous && existsSync(previous) ? statSync(previous).size : undefined,
      chunkBytes: chunks.reduce((a, b) => a + b, 0),
      chunks: chunks.length,
    };
  });
  const upstream = process.env.BENCH_UPSTREAM;
  return {
    entries,
    distBytes: totalBytes(DIST_DIR),
    upstreamIndexBytes: upstream && existsSync(upstream) ? statSync(upstream).size : undefined,
  };
}
