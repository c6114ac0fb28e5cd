// The licenses of what ships: the packages bundled into dist/ (ncc's licenses.txt) and every package
// reachable from package.json's dependencies in the lock file must be under an allowed license.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Permissive licenses that need no more than the notices ncc collects into licenses.txt. */
const ALLOWED = new Set([
  'MIT',
  'MIT-0',
  'Apache-2.0',
  'BSD-2-Clause',
  'BSD-3-Clause',
  'ISC',
  '0BSD',
  'Unlicense',
  'CC0-1.0',
  'BlueOak-1.0.0',
  'Python-2.0',
]);

/**
 * Whether an SPDX expression is satisfied by allowed licenses: OR needs one side, AND both. What is
 * not an expression ("SEE LICENSE IN …", a typo) is not allowed: it needs a human look.
 */
function allowedExpression(expression: string): boolean {
  try {
    return evaluate(expression);
  } catch {
    return false;
  }
}

function evaluate(expression: string): boolean {
  const tokens = expression.match(/\(|\)|[^\s()]+/g) ?? [];
  let i = 0;
  const primary = (): boolean => {
    const token = tokens[i++];
    if (token === '(') {
      const value = or();
      if (tokens[i++] !== ')') throw new Error(`Unbalanced license expression: ${expression}`);
      return value;
    }
    if (token === undefined || /^(AND|OR|WITH|\))$/i.test(token)) {
      throw new Error(`Malformed license expression: ${expression}`);
    }
    // An exception (WITH ...) is not on the list; it makes the term need a human look.
    if (/^WITH$/i.test(tokens[i] ?? '')) {
      i += 2;
      return false;
    }
    return ALLOWED.has(token);
  };
  const and = (): boolean => {
    let value = primary();
    while (/^AND$/i.test(tokens[i] ?? '')) {
      i++;
      value = primary() && value;
    }
    return value;
  };
  const or = (): boolean => {
    let value = and();
    while (/^OR$/i.test(tokens[i] ?? '')) {
      i++;
      value = and() || value;
    }
    return value;
  };
  const value = or();
  if (i !== tokens.length) throw new Error(`Malformed license expression: ${expression}`);
  return value;
}

interface LockPackage {
  license?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}
type Lock = { packages: Record<string, LockPackage> };

/** Node's lookup in the lock's layout: node_modules/NAME beside `from`, then in each parent. */
function resolve(lock: Lock, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const key = `${base ? `${base}/` : ''}node_modules/${name}`;
    if (lock.packages[key]) return key;
    if (!base) return undefined;
    const parent = base.lastIndexOf('/node_modules/');
    base = parent < 0 ? '' : base.slice(0, parent);
  }
}

/** Lock keys of every package the root's (runtime) dependencies pull in. */
function runtimePackages(lock: Lock): Map<string, LockPackage> {
  const found = new Map<string, LockPackage>();
  const queue = [''];
  while (queue.length) {
    const key = queue.pop() as string;
    const pkg = lock.packages[key] ?? {};
    const names = Object.keys({
      ...pkg.dependencies,
      ...pkg.optionalDependencies,
      ...(key ? pkg.peerDependencies : {}),
    });
    for (const name of names) {
      const target = resolve(lock, key, name);
      if (!target) {
        // An optional or peer dependency that is not installed is not shipped either.
        if (pkg.dependencies?.[name])
          throw new Error(`${name} (needed by ${key || 'the root'}) is not in the lock`);
        continue;
      }
      if (!found.has(target)) {
        found.set(target, lock.packages[target] as LockPackage);
        queue.push(target);
      }
    }
  }
  return found;
}

/** The package name of a lock key: the part after its last node_modules/. */
const nameOf = (key: string): string => key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);

/**
 * ncc's licenses.txt: entries separated by blank lines, each "NAME\nLICENSE\ntext…". The text may
 * hold blank lines too, so an entry starts only where a line names a known package.
 */
function bundledLicenses(text: string, known: Set<string>): Map<string, string> {
  const lines = text.split(/\r?\n/);
  const entries = new Map<string, string>();
  lines.forEach((line, i) => {
    if ((i === 0 || lines[i - 1] === '') && known.has(line) && lines[i + 1]) {
      entries.set(line, (lines[i + 1] as string).trim());
    }
  });
  return entries;
}

function licenseFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return licenseFiles(path);
    return name === 'licenses.txt' ? [path] : [];
  });
}

const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as Lock;
const runtime = runtimePackages(lock);
const runtimeNames = new Set([...runtime.keys()].map(nameOf));
const everyName = new Set(Object.keys(lock.packages).filter(Boolean).map(nameOf));

describe('licenses of what ships', () => {
  it('allows only permissive licenses for the runtime dependencies in the lock file', () => {
    expect(runtime.size).toBeGreaterThan(5);
    const refused = [...runtime]
      .filter(([, pkg]) => !pkg.license || !allowedExpression(pkg.license))
      .map(([key, pkg]) => `${nameOf(key)}: ${pkg.license ?? 'no license field'}`);
    expect(refused).toEqual([]);
  });

  const files = licenseFiles(join(root, 'dist'));
  it('finds a licenses.txt for each bundle', () => {
    expect(files.length).toBeGreaterThanOrEqual(1);
  });

  it.each(files.map((f) => [f.slice(root.length), f]))('%s lists only allowed licenses', (_, file) => {
    const entries = bundledLicenses(readFileSync(file, 'utf8'), everyName);
    expect(entries.size).toBeGreaterThan(0);
    // Nothing that looks like an entry ("name" then a license id) is skipped for want of a lock entry.
    const lines = readFileSync(file, 'utf8').split(/\r?\n/);
    const entryLike = lines.filter(
      (line, i) =>
        (i === 0 || lines[i - 1] === '') &&
        /^(@[\w.-]+\/)?[\w.-]+$/.test(line) &&
        /^\(?[\w.-]+(\s+(OR|AND)\s+\(?[\w.-]+\)?)*\)?$/.test(lines[i + 1] ?? ''),
    );
    expect(entryLike.filter((name) => !entries.has(name))).toEqual([]);
    // Everything bundled is a runtime dependency; a dev dependency in the bundle would be a mistake.
    expect([...entries.keys()].filter((name) => !runtimeNames.has(name))).toEqual([]);
    const refused = [...entries]
      .filter(([, license]) => !allowedExpression(license))
      .map(([name, license]) => `${name}: ${license}`);
    expect(refused).toEqual([]);
  });
});

describe('the license check itself', () => {
  it('reads SPDX expressions', () => {
    expect(allowedExpression('MIT')).toBe(true);
    expect(allowedExpression('(MIT OR GPL-3.0-only)')).toBe(true);
    expect(allowedExpression('MIT AND GPL-3.0-only')).toBe(false);
    expect(allowedExpression('(Apache-2.0 AND (MIT OR GPL-2.0))')).toBe(true);
    expect(allowedExpression('GPL-2.0 WITH Classpath-exception-2.0')).toBe(false);
    expect(allowedExpression('SEE LICENSE IN LICENSE.txt')).toBe(false);
    expect(allowedExpression('UNLICENSED')).toBe(false);
    expect(allowedExpression('(MIT')).toBe(false);
    expect(allowedExpression('MIT OR')).toBe(false);
  });

  it('walks the lock the way Node resolves, and reports a copyleft package', () => {
    const fake: Lock = {
      packages: {
        '': { dependencies: { a: '1' } },
        'node_modules/a': { license: 'MIT', dependencies: { b: '1', c: '1' } },
        'node_modules/a/node_modules/b': { license: 'GPL-3.0-only' },
        'node_modules/b': { license: 'MIT' },
        'node_modules/c': { license: 'ISC', optionalDependencies: { d: '1' } },
        'node_modules/dev-only': { license: 'AGPL-3.0' },
      },
    };
    const found = runtimePackages(fake);
    expect([...found.keys()].sort()).toEqual([
      'node_modules/a',
      'node_modules/a/node_modules/b',
      'node_modules/c',
    ]);
    expect([...found.values()].filter((p) => !allowedExpression(p.license ?? ''))).toHaveLength(1);
  });

  it("parses ncc's licenses.txt, whose texts have blank lines", () => {
    const text = [
      'a',
      'MIT',
      'Copyright A',
      '',
      'b',
      'is not a header here',
      '',
      'b',
      'GPL-3.0',
      'text',
      '',
    ].join('\n');
    const entries = bundledLicenses(text, new Set(['a', 'b']));
    expect(Object.fromEntries(entries)).toEqual({ a: 'MIT', b: 'GPL-3.0' });
  });
});
