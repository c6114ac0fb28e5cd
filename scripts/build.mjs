// Bundles each entry point into dist/ (scripts/bundle.mjs). `node scripts/build.mjs OUTDIR` builds
// elsewhere (check-dist compares such a fresh build with the committed dist/).
import { renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { bundle } from './bundle.mjs';

const out = process.argv[2] ?? 'dist';
// Build beside the target and swap at the end, so a test running dist/ never sees it half-written.
const staging = `${out}.building`;
const entries = [
  ['src/index.ts', staging],
  ['src/post.ts', join(staging, 'cleanup')],
  ['src/refresher.ts', join(staging, 'refresh')],
  ['src/cli.ts', join(staging, 'cli')],
];
rmSync(staging, { recursive: true, force: true });
for (const [entry, dir] of entries) await bundle(entry, dir);
rmSync(out, { recursive: true, force: true });
renameSync(staging, out);
