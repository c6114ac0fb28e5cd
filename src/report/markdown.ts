/**
 * Markdown for the job summary from text the action does not control (token claims, STS messages,
 * role names): nothing in it may become a link, an HTML element or a new table cell.
 */

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/** Pure: plain text, shown as written: HTML and Markdown syntax escaped, lines joined with <br>. */
export function text(value: string): string {
  return value
    .replace(/[&<>"]/g, (c) => HTML[c] ?? c)
    .replace(/[\\`*_[\]{}()#+!|~-]/g, (c) => `\\${c}`)
    .replace(/\r?\n/g, '<br>');
}

/**
 * Pure: an inline code span that shows `value` exactly, in a table cell too. Inside a code span
 * GitHub renders no HTML and no Markdown; only backticks, pipes and line breaks need care.
 */
export function codeSpan(value: string): string {
  const flat = value.replace(/\r?\n/g, ' ');
  const longest = Math.max(0, ...[...flat.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') || flat === '' ? ' ' : '';
  return `${fence}${pad}${flat.replace(/\|/g, '\\|')}${pad}${fence}`;
}

/** Pure: a fenced code block that no line of `lines` can close early. */
export function codeBlock(lines: string[], language = ''): string {
  const longest = Math.max(2, ...lines.flatMap((line) => [...line.matchAll(/`+/g)].map((m) => m[0].length)));
  const fence = '`'.repeat(longest + 1);
  return [`${fence}${language}`, ...lines, fence].join('\n');
}

/** Pure: a two-column table; cells must already be escaped (text, codeSpan). */
export function table(header: [string, string], rows: [string, string][]): string {
  return [
    `| ${header[0]} | ${header[1]} |`,
    '| --- | --- |',
    ...rows.map(([k, v]) => `| ${k} | ${v} |`),
  ].join('\n');
}

/** Pure: `text` with every value in `hidden` (e.g. a masked account id) replaced by ***. */
export function hide(markdown: string, hidden: readonly string[]): string {
  return hidden.filter(Boolean).reduce((out, value) => out.split(value).join('***'), markdown);
}
