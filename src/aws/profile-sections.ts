/**
 * Section-level edits of the AWS shared config and credentials files, as text. Everything outside
 * the edited sections is kept byte for byte: a general INI library would re-serialise the whole
 * file and lose comments, nested settings (`s3 =` + indented keys) and values holding `;` or `#`.
 */

import { ActionError } from '../common/errors.js';

/** Whole-line comments and inline ones after whitespace, as the AWS SDKs read them. */
const COMMENT = /(^|\s)[;#].*$/;

/** The name inside a `[...]` header line, trimmed; undefined for any other line. */
export function sectionHeader(line: string): string | undefined {
  const text = line.replace(COMMENT, '').trim();
  return text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1).trim() : undefined;
}

/** `profile  "x"` and `profile x` name the same section; both SDKs accept either. */
export function normaliseSection(name: string): string {
  const prefixed = /^(\S+)\s+(["']?)(.+?)\2$/.exec(name);
  return prefixed ? `${prefixed[1]} ${prefixed[3]}` : name;
}

interface Span {
  name: string;
  /** Line index of the header. */
  start: number;
  /** Line index after the last line that belongs to the section. */
  end: number;
}

function isBlankOrComment(line: string): boolean {
  const text = line.trim();
  return text === '' || text.startsWith('#') || text.startsWith(';');
}

function sections(lines: string[]): Span[] {
  const headers: { name: string; start: number }[] = [];
  lines.forEach((line, index) => {
    const name = sectionHeader(line);
    if (name !== undefined) headers.push({ name: normaliseSection(name), start: index });
  });
  return headers.map(({ name, start }, i) => {
    let end = headers[i + 1]?.start ?? lines.length;
    // Comments and blank lines just above the next header describe that section, not this one.
    while (end > start + 1 && isBlankOrComment(lines[end - 1] ?? '')) end--;
    return { name, start, end };
  });
}

function splitLines(text: string): { lines: string[]; eol: string } {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return { lines, eol };
}

function joinLines(lines: string[], eol: string): string {
  return lines.length ? lines.join(eol) + eol : '';
}

export function hasSection(text: string, matches: (name: string) => boolean): boolean {
  return sections(splitLines(text).lines).some((s) => matches(s.name));
}

/**
 * Removes every section `matches` picks (and, when `containing` is given, only those with that exact
 * line, or whose lines it accepts) and puts `block` where the first one was, or at the end. Returns
 * the new text.
 */
export function replaceSections(
  text: string,
  matches: (name: string) => boolean,
  block: string[] = [],
  containing?: string | ((lines: string[]) => boolean),
): string {
  const { lines, eol } = splitLines(text);
  const accepts = typeof containing === 'string' ? (body: string[]) => body.includes(containing) : containing;
  const doomed = sections(lines).filter(
    (s) => matches(s.name) && (accepts === undefined || accepts(lines.slice(s.start, s.end))),
  );
  const out: string[] = [];
  let inserted = block.length === 0;
  let next = 0;
  for (const span of doomed) {
    out.push(...lines.slice(next, span.start));
    next = span.end;
    if (!inserted) {
      out.push(...block);
      inserted = true;
    } else if ((out.length === 0 || out.at(-1)?.trim() === '') && lines[next]?.trim() === '') {
      next++; // no leading or double blank line where a section was cut out
    }
  }
  out.push(...lines.slice(next));
  if (!inserted) {
    if (out.length && out.at(-1)?.trim() !== '') out.push('');
    out.push(...block);
  }
  // A section cut from the end leaves the blank line that separated it.
  if (doomed.at(-1)?.end === lines.length) while (out.at(-1)?.trim() === '') out.pop();
  return joinLines(out, eol);
}

/** `[header]`, a comment line, then `key = value` lines. A value never spans lines: that would inject settings. */
export function sectionBlock(header: string, comment: string, entries: Record<string, string>): string[] {
  const lines = [`[${header}]`, comment];
  for (const [key, value] of Object.entries(entries)) {
    if (/[\r\n]/.test(value)) {
      // The value itself is not shown: it may be a secret key.
      throw new ActionError(
        'Profile value spans lines',
        `The value of ${key} for profile section [${header}] spans lines; written as is, it would add settings to the profile.`,
        key === 'region'
          ? 'Remove the line break from aws-region.'
          : 'Remove the line break from the input that sets it; for keys from STS, retry the job and report the answer if it persists.',
      );
    }
    lines.push(`${key} = ${value}`);
  }
  return lines;
}
