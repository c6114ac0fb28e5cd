// Fails when dist/ is not what a fresh build of src/ produces: the action runs dist/, so a stale
// one would ship code that no test ran.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const fresh = mkdtempSync(join(tmpdir(), 'dist-check-'));
try {
  execFileSync('node', ['scripts/build.mjs', fresh], { stdio: 'inherit' });
  const files = (dir) =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? files(path) : [path];
    });
  const want = files(fresh)
    .map((p) => relative(fresh, p))
    .sort();
  const have = files('dist')
    .map((p) => relative('dist', p))
    .sort();
  const problems = [];
  for (const name of new Set([...want, ...have])) {
    if (!want.includes(name)) problems.push(`dist/${name} is not produced by the build`);
    else if (!have.includes(name)) problems.push(`dist/${name} is missing`);
    else if (!readFileSync(join(fresh, name)).equals(readFileSync(join('dist', name))))
      problems.push(`dist/${name} differs`);
  }
  if (problems.length) {
    console.error(`dist/ is stale; run \`npm run build\` and commit dist/:\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  console.log('dist/ matches a fresh build.');
} finally {
  rmSync(fresh, { recursive: true, force: true });
}
