// The house rules of src/ (/work/shared/design/layout.md): stage folders and layers whose imports run
// one way, no circle, a shallow import tree, small files and functions, and a refresher that carries
// only what it runs. Read from the sources with the TypeScript parser, so a new import is checked too.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { PROFILE_ONLY_MODULES } from '../support/profile-modules.js';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');
const ENTRY_POINTS = ['index.ts', 'main.ts', 'post.ts', 'refresher.ts', 'cli.ts'];
/** The command line's own folder: like main.ts, it may import every stage and layer; only cli.ts imports it. */
const CLI = 'cli';
/** Stages in the order run() calls them: each may import the ones before it, and the layers. */
const STAGES = ['inputs', 'credentials', 'deliver', 'report'];
/** Layers, each importing only the ones after it. */
const LAYERS = ['tokens', 'aws', 'common'];
const MAX_LEVELS = 8;
const MAX_FILE_LINES = 300;
const MAX_FUNCTION_LINES = 60;

interface Edge {
  to: string;
  /** `import type`: erased from the bundle, but still a dependency of the design. */
  typeOnly: boolean;
}

interface Module {
  file: string;
  source: ts.SourceFile;
  edges: Edge[];
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : path.endsWith('.ts') ? [path] : [];
  });
}

function isTypeOnly(node: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
  if (ts.isExportDeclaration(node)) return node.isTypeOnly;
  const clause = node.importClause;
  if (!clause) return false;
  if (clause.isTypeOnly) return true;
  const named = clause.namedBindings;
  return (
    clause.name === undefined &&
    named !== undefined &&
    ts.isNamedImports(named) &&
    named.elements.length > 0 &&
    named.elements.every((element) => element.isTypeOnly)
  );
}

/** Relative imports only: packages are not part of the house. */
function parse(file: string): Module {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const edges: Edge[] = [];
  for (const node of source.statements) {
    if (!ts.isImportDeclaration(node) && !ts.isExportDeclaration(node)) continue;
    const specifier = node.moduleSpecifier;
    if (!specifier || !ts.isStringLiteral(specifier) || !specifier.text.startsWith('.')) continue;
    edges.push({
      to: resolve(dirname(file), specifier.text.replace(/\.js$/, '.ts')),
      typeOnly: isTypeOnly(node),
    });
  }
  return { file, source, edges };
}

const modules = new Map(walk(SRC).map((file) => [file, parse(file)]));
const name = (file: string): string => relative(SRC, file).split('\\').join('/');
const folder = (file: string): string => {
  const parts = name(file).split('/');
  return parts.length > 1 ? (parts[0] ?? '') : '';
};

/** Levels of the import tree under `file`: 1 for a file that imports nothing of src/. */
function levels(file: string, memo = new Map<string, number>()): number {
  const known = memo.get(file);
  if (known !== undefined) return known;
  memo.set(file, Number.POSITIVE_INFINITY); // a circle shows as an infinite depth
  const below = (modules.get(file)?.edges ?? []).map((edge) => levels(edge.to, memo));
  const level = 1 + Math.max(0, ...below);
  memo.set(file, level);
  return level;
}

function findCycles(): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const { to } of modules.get(file)?.edges ?? []) {
      if (state.get(to) === 'open') cycles.push([...stack.slice(stack.indexOf(to)), to].map(name));
      else if (!state.has(to)) visit(to);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of modules.keys()) if (!state.has(file)) visit(file);
  return cycles;
}

/** Why `from` may not import `to`, or undefined when it may. */
function violation(from: string, to: string): string | undefined {
  const [a, b] = [folder(from), folder(to)];
  if (b === '')
    return name(from) === 'index.ts' && name(to) === 'main.ts' ? undefined : 'imports an entry point';
  if (b === CLI && a !== CLI && name(from) !== 'cli.ts') return 'imports the command line';
  if (a === '' || a === CLI) return undefined;
  if (LAYERS.includes(a)) {
    if (STAGES.includes(b)) return 'a layer imports a stage';
    return LAYERS.indexOf(b) < LAYERS.indexOf(a) ? 'a layer imports a layer above it' : undefined;
  }
  if (STAGES.includes(b) && STAGES.indexOf(b) > STAGES.indexOf(a)) return 'a stage imports a later stage';
  return undefined;
}

/** Every function-like node and its length in lines. */
function functionLengths(module: Module): { where: string; lines: number }[] {
  const found: { where: string; lines: number }[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = module.source.getLineAndCharacterOfPosition(node.getStart()).line;
      const end = module.source.getLineAndCharacterOfPosition(node.getEnd()).line;
      found.push({ where: `${name(module.file)}:${start + 1}`, lines: end - start + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(module.source);
  return found;
}

/** What a bundle built from `entry` contains: the runtime imports, followed to the end. */
function runtimeClosure(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const edge of modules.get(file)?.edges ?? []) if (!edge.typeOnly) visit(edge.to);
  };
  visit(entry);
  return new Set([...seen].map(name));
}

describe('the layout of src/', () => {
  it('has the entry points at the top and every other file in a stage folder or a layer', () => {
    const misplaced = [...modules.keys()]
      .map(name)
      .filter((file) => (folder(resolve(SRC, file)) === '' ? !ENTRY_POINTS.includes(file) : false))
      .concat(
        [...modules.keys()]
          .filter((file) => folder(file) !== '' && ![...STAGES, ...LAYERS, CLI].includes(folder(file)))
          .map(name),
      );
    expect(misplaced).toEqual([]);
  });

  it('resolves every relative import to a file of src/', () => {
    const dangling = [...modules.values()].flatMap((m) =>
      m.edges.filter((edge) => !modules.has(edge.to)).map((edge) => `${name(m.file)} → ${edge.to}`),
    );
    expect(dangling).toEqual([]);
  });

  it('has no circle of imports', () => {
    expect(findCycles()).toEqual([]);
  });

  it(`is at most ${MAX_LEVELS} import levels deep`, () => {
    const top = [...modules.keys()].sort((a, b) => levels(b) - levels(a))[0] ?? '';
    // The chain itself, so that a failure says where to cut.
    const chain = [top];
    for (let file = top; levels(file) > 1; ) {
      file = (modules.get(file)?.edges ?? []).map((e) => e.to).sort((a, b) => levels(b) - levels(a))[0] ?? '';
      chain.push(file);
    }
    expect(chain.map(name).length, chain.map(name).join(' → ')).toBeLessThanOrEqual(MAX_LEVELS);
  });

  it('imports one way: stages import earlier stages and layers; layers never import stages', () => {
    const wrong = [...modules.values()].flatMap((m) =>
      m.edges.flatMap((edge) => {
        const why = violation(m.file, edge.to);
        return why ? [`${name(m.file)} → ${name(edge.to)}: ${why}`] : [];
      }),
    );
    expect(wrong).toEqual([]);
  });

  it(`has no file over ${MAX_FILE_LINES} lines`, () => {
    const long = [...modules.values()]
      .map((m) => ({ file: name(m.file), lines: m.source.getLineAndCharacterOfPosition(m.source.end).line }))
      .filter(({ lines }) => lines > MAX_FILE_LINES);
    expect(long).toEqual([]);
  });

  it(`has no function over ${MAX_FUNCTION_LINES} lines`, () => {
    const long = [...modules.values()].flatMap(functionLengths).filter((f) => f.lines > MAX_FUNCTION_LINES);
    expect(long).toEqual([]);
  });

  it('gives the refresher only the web-identity session and what it needs', () => {
    const carried = runtimeClosure(resolve(SRC, 'refresher.ts'));
    expect(carried).toContain('credentials/web-identity.ts');
    const unneeded = [...carried].filter(
      (file) =>
        file.startsWith('inputs/') ||
        ['report/summary.ts', 'deliver/replacement.ts', 'deliver/deliver.ts', 'deliver/profile.ts'].includes(
          file,
        ) ||
        ['credentials/ambient.ts', 'credentials/obtain.ts', 'aws/profile-sections.ts'].includes(file),
    );
    expect(unneeded).toEqual([]);
  });

  it('leaves the profile-writing code out of what the action loads on every run', () => {
    // main.ts imports deliver/profile-delivery.ts with import() when a profile is written: the
    // bundle has it, and what only it uses, in a chunk loaded on that path alone.
    const profileOnly = PROFILE_ONLY_MODULES;
    const lazy = runtimeClosure(resolve(SRC, 'deliver/profile-delivery.ts'));
    expect(profileOnly.filter((file) => !lazy.has(file))).toEqual([]);
    const always = runtimeClosure(resolve(SRC, 'index.ts'));
    expect(profileOnly.filter((file) => always.has(file))).toEqual([]);
  });

  it('reports its figures (LAYOUT_FIGURES=1 prints them)', () => {
    const figures = {
      files: modules.size,
      levels: Math.max(...[...modules.keys()].map((file) => levels(file))),
      largestFile: Math.max(
        ...[...modules.values()].map((m) => m.source.getLineAndCharacterOfPosition(m.source.end).line),
      ),
      longestFunction: Math.max(...[...modules.values()].flatMap(functionLengths).map((f) => f.lines)),
    };
    if (process.env.LAYOUT_FIGURES) console.info(JSON.stringify(figures));
    expect(figures.files).toBeGreaterThan(ENTRY_POINTS.length);
  });

  it('catches what it is meant to catch', () => {
    // The checks above pass on a good tree; these show they would fail on a bad one.
    expect(violation(resolve(SRC, 'aws/sts.ts'), resolve(SRC, 'inputs/settings.ts'))).toBeDefined();
    expect(violation(resolve(SRC, 'common/retry.ts'), resolve(SRC, 'aws/sts.ts'))).toBeDefined();
    expect(violation(resolve(SRC, 'inputs/settings.ts'), resolve(SRC, 'report/summary.ts'))).toBeDefined();
    expect(violation(resolve(SRC, 'report/summary.ts'), resolve(SRC, 'main.ts'))).toBeDefined();
    expect(
      violation(resolve(SRC, 'report/summary.ts'), resolve(SRC, 'credentials/session.ts')),
    ).toBeUndefined();
    expect(violation(resolve(SRC, 'report/summary.ts'), resolve(SRC, 'cli/run.ts'))).toBeDefined();
    expect(violation(resolve(SRC, 'main.ts'), resolve(SRC, 'cli/run.ts'))).toBeDefined();
  });
});
