// Parsers for the runner's file commands (GITHUB_ENV/OUTPUT/STATE) and stdout workflow commands,
// following actions/runner's FileCommandManager and ActionCommand.TryParseV2.

export type Entry = [name: string, value: string];

/** Reads one line starting at `state.index`, splitting on \n (a preceding \r is dropped, as the runner does). */
function readLine(text: string, state: { index: number }): { line: string; newline: string | null } | null {
  if (state.index >= text.length) return null;
  const nl = text.indexOf('\n', state.index);
  if (nl < 0) {
    const line = text.slice(state.index);
    state.index = text.length;
    return { line, newline: null };
  }
  const crlf = nl > state.index && text[nl - 1] === '\r';
  const line = text.slice(state.index, crlf ? nl - 1 : nl);
  state.index = nl + 1;
  return { line, newline: crlf ? '\r\n' : '\n' };
}

/** Parses `NAME=value` and `NAME<<DELIM` … `DELIM` entries; throws the runner's messages on bad input. */
export function parseKeyValueFile(text: string): Entry[] {
  const entries: Entry[] = [];
  const state = { index: 0 };
  for (let read = readLine(text, state); read !== null; read = readLine(text, state)) {
    const { line } = read;
    if (line === '') continue;
    const eq = line.indexOf('=');
    const heredoc = line.indexOf('<<');
    if (eq >= 0 && (heredoc < 0 || eq < heredoc)) {
      const name = line.slice(0, eq);
      if (name === '') throw new Error(`Invalid format '${line}'. Name must not be empty`);
      entries.push([name, line.slice(eq + 1)]);
    } else if (heredoc >= 0) {
      const name = line.slice(0, heredoc);
      const delimiter = line.slice(heredoc + 2);
      if (name === '' || delimiter === '') {
        throw new Error(`Invalid format '${line}'. Name must not be empty and delimiter must not be empty`);
      }
      const start = state.index;
      let end = state.index;
      let next = readLine(text, state);
      while (next?.line !== delimiter) {
        if (next === null) throw new Error(`Invalid value. Matching delimiter not found '${delimiter}'`);
        if (next.newline === null) throw new Error('Invalid value. EOF marker missing new line.');
        end = state.index - next.newline.length;
        next = readLine(text, state);
      }
      entries.push([name, end > start ? text.slice(start, end) : '']);
    } else {
      throw new Error(`Invalid format '${line}'`);
    }
  }
  return entries;
}

/** GITHUB_PATH: one directory per non-empty line. */
export function parsePathFile(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

export interface WorkflowCommand {
  command: string;
  properties: Record<string, string>;
  data: string;
}

// Same order as the runner's mapping tables: %25 last, so "%250A" decodes to "%0A", not a newline.
const DATA_ESCAPES: [string, string][] = [
  ['%0D', '\r'],
  ['%0A', '\n'],
  ['%25', '%'],
];
const PROPERTY_ESCAPES: [string, string][] = [
  ['%0D', '\r'],
  ['%0A', '\n'],
  ['%3A', ':'],
  ['%2C', ','],
  ['%25', '%'],
];

function unescapeWith(value: string, table: [string, string][]): string {
  return table.reduce((acc, [from, to]) => acc.split(from).join(to), value);
}

export const unescapeData = (v: string): string => unescapeWith(v, DATA_ESCAPES);
export const unescapeProperty = (v: string): string => unescapeWith(v, PROPERTY_ESCAPES);

/** `::cmd k=v,k2=v2::data` → parsed command, or null when the line is not a command. */
export function parseWorkflowCommand(line: string): WorkflowCommand | null {
  const trimmed = line.trim();
  if (!trimmed.startsWith('::')) return null;
  const end = trimmed.indexOf('::', 2);
  if (end < 0) return null;
  const info = trimmed.slice(2, end);
  const space = info.indexOf(' ');
  const command = (space < 0 ? info : info.slice(0, space)).toLowerCase();
  if (command === '') return null;
  const properties: Record<string, string> = {};
  if (space >= 0) {
    for (const pair of info.slice(space + 1).split(',')) {
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const key = pair.slice(0, eq).trim();
      properties[key] = unescapeProperty(pair.slice(eq + 1));
    }
  }
  return { command, properties, data: unescapeData(trimmed.slice(end + 2)) };
}
