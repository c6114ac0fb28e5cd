// Every error title the action can print has its own section in docs/TROUBLESHOOTING.md. The titles
// are read from the sources, so a new error cannot ship undocumented.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.ts$/.test(name) && !/\.d\.ts$/.test(name) ? [path] : [];
  });
}

/** A string literal whose quote is capture group `n`, and its text group `n + 1`. */
const quoted = (n: number): string => `(['"\`])((?:(?!\\${n})[^\\\\]|\\\\.)*)\\${n}`;
/** Where a title is written: the first argument of an error's constructor, or a `title:` field. */
const TITLE_SITES = [
  new RegExp(String.raw`new ActionError\(\s*${quoted(1)}`, 'g'),
  // `title:` fields and super(...) in an ActionError subclass, including `cond ? 'A' : 'B'`.
  new RegExp(
    String.raw`(?:\btitle:|\bsuper\()\s*(?:[\w.!]+\s*\?\s*)?${quoted(1)}(?:\s*:\s*${quoted(3)})?`,
    'g',
  ),
];

/** Titles in `source`, with each `${…}` placeholder written as {}. */
function titlesIn(source: string): string[] {
  const titles: string[] = [];
  for (const site of TITLE_SITES) {
    for (const match of source.matchAll(site)) {
      for (const text of [match[2], match[4]]) {
        if (text !== undefined) titles.push(text.replace(/\$\{[^}]*\}/g, '{}').replace(/\\(.)/g, '$1'));
      }
    }
  }
  return titles;
}

/** A title matches a heading when each placeholder stands for one upper-case word (NAME, CODE) or the value it names. */
function headingFor(title: string, headings: string[]): string | undefined {
  const pattern = new RegExp(
    `^${title
      .split('{}')
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('[\\w-]+')}$`,
  );
  return headings.find((heading) => pattern.test(heading));
}

const doc = readFileSync(join(root, 'docs/TROUBLESHOOTING.md'), 'utf8');
const headings = [...doc.matchAll(/^## (.+)$/gm)].map((m) => (m[1] ?? '').trim());
const titles = [
  ...new Set(sources(join(root, 'src')).flatMap((file) => titlesIn(readFileSync(file, 'utf8')))),
];

describe('docs/TROUBLESHOOTING.md', () => {
  it('finds the titles in the sources', () => {
    // Far fewer would mean the extraction broke, not that the errors went away.
    expect(titles.length).toBeGreaterThanOrEqual(25);
    expect(titles).toContain('OIDC token unavailable');
    expect(titles).toContain('Invalid input: {}');
  });

  it('has a section for every error title the action prints', () => {
    expect(titles.filter((title) => !headingFor(title, headings))).toEqual([]);
  });

  it('has no section for a title the action does not print', () => {
    const documented = new Set(titles.map((title) => headingFor(title, headings)));
    expect(headings.filter((heading) => !documented.has(heading))).toEqual([]);
  });

  it('reads titles the ways the sources write them', () => {
    const source = [
      "new ActionError('Plain title', 'm', 'f')",
      `new ActionError(\n  \`With $\{code} inside\`,`,
      'title: "Role\'s title",',
      "super(refused ? 'First' : 'Second', message)",
      `super(\`Invalid input: $\{input}\`, message, fix);`,
    ].join('\n');
    expect(titlesIn(source).sort()).toEqual(
      ['First', 'Invalid input: {}', 'Plain title', "Role's title", 'Second', 'With {} inside'].sort(),
    );
    expect(headingFor('AWS STS: {}', ['AWS STS: CODE'])).toBe('AWS STS: CODE');
    expect(headingFor('AWS STS: {}', ['AWS STS retries exhausted (CODE)'])).toBeUndefined();
  });
});
