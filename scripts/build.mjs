// Bundles each entry point into dist/ with ncc. `node scripts/build.mjs OUTDIR` builds elsewhere
// (check-dist compares such a fresh build with the committed dist/).
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

const out = process.argv[2] ?? 'dist';
const entries = [
  ['src/index.ts', out],
  ['src/cleanup.ts', join(out, 'cleanup')],
];
rmSync(out, { recursive: true, force: true });
for (const [entry, dir] of entries) {
  execFileSync(
    'npx',
    ['ncc', 'build', entry, '-o', dir, '--minify', '--license', 'licenses.txt', '--quiet'],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
}
