// Bundles each entry point into dist/ (scripts/bundle.mjs). `node scripts/build.mjs OUTDIR` builds
// elsewhere (check-dist compares such a fresh build with the committed dist/).
import { renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { bundle } from './bundle.mjs';

const out = process.argv[2] ?? 'dist';
// Build beside the target and swap at the end, so a test running dist/ never sees it half-written.
const staging = `${out}.building`;
// The refresher and the command line make only unsigned AssumeRoleWithWebIdentity calls: stubs for
// the default credential chain and event streams leave them without chunks (scripts/resolve/README.md).
const webIdentityOnly = { tsconfig: 'scripts/resolve/tsconfig.web-identity-only.json' };
const entries = [
  ['src/index.ts', staging],
  ['src/post.ts', join(staging, 'cleanup')],
  ['src/refresher.ts', join(staging, 'refresh'), webIdentityOnly],
  ['src/cli.ts', join(staging, 'cli'), webIdentityOnly],
];
rmSync(staging, { recursive: true, force: true });
for (const [entry, dir, options] of entries) await bundle(entry, dir, options);
rmSync(out, { recursive: true, force: true });
renameSync(staging, out);
