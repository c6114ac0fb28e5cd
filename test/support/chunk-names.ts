// What a minified chunk says about the source files in it (test/unit/bundle.test.ts): chunks lose
// webpack's module comments, but keep function names, which tie them back to src/.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './runner.js';

/** Top-level function names declared in a source file of src/. */
export function declared(file: string): string[] {
  const source = readFileSync(join(REPO_ROOT, 'src', file), 'utf8');
  return [...source.matchAll(/^(?:export )?(?:async )?function\*? ?(\w+)/gm)].map((m) => m[1] ?? '');
}

/** Every .ts file under src/, relative to it. */
export function sources(dir = ''): string[] {
  return readdirSync(join(REPO_ROOT, 'src', dir), { withFileTypes: true }).flatMap((entry) => {
    const path = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/**
 * The function names a minified chunk keeps: esbuild's keepNames defines a helper at the top
 * (`var h=(f,n)=>…(f,"name",…)`) and calls it as h(fn,"original").
 */
export function keptNames(chunk: string): Set<string> {
  const helper = /^var [\w$]+=Object\.defineProperty;var ([\w$]+)=/.exec(chunk)?.[1];
  if (helper === undefined)
    throw new Error('No keepNames helper at the top of the chunk: not minified by esbuild?');
  const calls = new RegExp(`[^\\w$]${helper.replace(/\$/g, '\\$')}\\([^,()]+,"(\\w+)"\\)`, 'g');
  return new Set([...chunk.matchAll(calls)].map((m) => m[1] ?? ''));
}
