// ncc's JS API rather than its CLI, for `mainFields`: packages without an `exports` map (the AWS
// clients, most of @smithy/*) are bundled from their ESM builds, which webpack can tree-shake. The
// two with one (@smithy/core, @aws-sdk/core), undici, @actions/exec and the SDK's default credential
// chain are redirected by tsconfig.json `paths` (see scripts/resolve/README.md), or by an entry's own
// tsconfig; ncc type-checks the sources against the packages' real types. ncc minifies the entry,
// esbuild the chunks. Shared by scripts/build.mjs and the benchmarks' floor script.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ncc = require('@vercel/ncc');
const esbuild = require('esbuild');
const ROOT = fileURLToPath(new URL('..', import.meta.url));

function write(path, source, mode) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, source, mode === undefined ? undefined : { mode });
}

/** Every file of a package's code that ended up in one of the compilation's chunks. */
function bundledFiles(stats) {
  const { chunkGraph, chunks } = stats.compilation;
  const files = new Set();
  const add = (module) => {
    if (module.resource) files.add(module.resource.split('?')[0]);
    for (const inner of module.modules ?? []) add(inner);
  };
  for (const chunk of chunks) for (const module of chunkGraph.getChunkModulesIterable(chunk)) add(module);
  return files;
}

/** The package a file of node_modules belongs to: its directory and package.json. */
function packageOf(file) {
  const parts = file.split(sep);
  const at = parts.lastIndexOf('node_modules');
  if (at < 0) return undefined;
  const dir = parts.slice(0, at + (parts[at + 1]?.startsWith('@') ? 3 : 2)).join(sep);
  return { dir, json: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) };
}

/**
 * licenses.txt for one entry and all its chunks. ncc's license plugin writes one file per chunk, all
 * under the same name, so with chunks only the last survives; this lists every bundled package,
 * in the plugin's format (name, license, the package's licence text).
 */
function licenses(stats) {
  const packages = new Map();
  for (const file of bundledFiles(stats)) {
    const pkg = packageOf(file);
    if (pkg) packages.set(pkg.json.name, pkg);
  }
  return [...packages.keys()]
    .sort()
    .map((name) => {
      const { dir, json } = packages.get(name);
      const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)/i.test(f));
      const text = file ? readFileSync(join(dir, file), 'utf8').trimEnd() : '';
      // Some packages ship no licence file (as ncc's plugin, then just the name and the type).
      return `${name}\n${json.license ?? 'UNKNOWN'}\n${text ? `${text}\n` : ''}`;
    })
    .join('\n');
}

/**
 * ncc resolves `paths` through tsconfig-paths, which reads the file TS_NODE_PROJECT names (else
 * ./tsconfig.json) and has no ncc option; it is set for the one call, so each entry may have its own.
 */
async function withTsconfig(tsconfig, build) {
  const before = process.env.TS_NODE_PROJECT;
  process.env.TS_NODE_PROJECT = resolve(ROOT, tsconfig);
  try {
    return await build();
  } finally {
    if (before === undefined) delete process.env.TS_NODE_PROJECT;
    else process.env.TS_NODE_PROJECT = before;
  }
}

/**
 * ncc minifies only the entry file (terser, keeping function and class names); its chunks (the
 * default chain, the profile code) are minified here, with esbuild (ncc's terser is inside its own
 * bundle), keeping names too: the SDK reads constructors' names. Licence comments stay, as ncc's.
 */
function minifyChunk(source) {
  return esbuild.transformSync(source.toString(), {
    minify: true,
    keepNames: true,
    legalComments: 'inline',
    target: 'node20',
  }).code;
}

/**
 * Bundles `entry` into `dir`: index.js, its chunks, package.json and licenses.txt. `tsconfig` (from
 * the repository's root) gives the `paths` to bundle with.
 */
export async function bundle(entry, dir, { tsconfig = 'tsconfig.json' } = {}) {
  const { code, assets, stats } = await withTsconfig(tsconfig, () =>
    ncc(resolve(entry), {
      esm: true,
      minify: true,
      mainFields: ['module', 'main'],
      cache: false,
      quiet: true,
    }),
  );
  // An entry with a shebang (the command line) is run as a program: keep it executable.
  write(join(dir, 'index.js'), code, code.startsWith('#!') ? 0o755 : undefined);
  for (const [name, asset] of Object.entries(assets)) {
    const source = name.endsWith('.js') ? minifyChunk(asset.source) : asset.source;
    write(join(dir, name), source, asset.permissions);
  }
  write(join(dir, 'licenses.txt'), licenses(stats));
}
