// The credential_process line against each consumer's splitting rules, Windows and POSIX (issue 10,
// item 5). The splitters below are written from the documented rules, independently of the code
// under test: CommandLineToArgvW / the MS C runtime (botocore on Windows, node.exe), cmd.exe's
// `/d /s /c "…"` (the JS SDKs' child_process.exec) and `/C` with Go's argument escaping (the Go SDKs),
// POSIX shlex (botocore) and sh (the JS and Go SDKs).
import { describe, expect, it } from 'vitest';
import { ActionError } from '../../src/common/errors.js';
import { commandLine, type RefreshOptions, refresherArgs } from '../../src/deliver/refresh-command.js';

const OPTIONS: RefreshOptions = {
  roleArn: 'arn:aws-cn:iam::111111111111:role/path/Deploy+ci=x,y.z@w-1',
  sessionName: 'GitHubActions',
  durationSeconds: 3600,
  audience: 'sts.amazonaws.com',
  region: 'cn-north-1',
  stsEndpoint: 'https://sts.cn-north-1.amazonaws.com.cn',
  httpProxy: 'http://proxy.corp:3128',
  noProxy: 'localhost,127.0.0.1,.internal',
  policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}',
  policyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
  maxAttempts: 12,
};
const ARGS = refresherArgs(OPTIONS);

// ---- Windows -------------------------------------------------------------------------------

/**
 * Arguments after the program name, as CommandLineToArgvW and the MS C runtime (2008 and later)
 * read them: 2n backslashes + quote → n backslashes and a quote that toggles quoting; 2n+1 → n and a
 * literal quote; "" inside quotes → a literal quote; other backslashes are literal; space and tab
 * end an argument outside quotes.
 */
function splitWindowsArgs(text: string): string[] {
  const args: string[] = [];
  let current = '';
  let started = false;
  let quoted = false;
  for (let i = 0; i < text.length; ) {
    const c = text[i] as string;
    if (c === '\\') {
      let n = 0;
      while (text[i] === '\\') {
        n++;
        i++;
      }
      if (text[i] === '"') {
        current += '\\'.repeat(Math.floor(n / 2));
        if (n % 2 === 1) {
          current += '"';
          i++;
        }
      } else {
        current += '\\'.repeat(n);
      }
      started = true;
    } else if (c === '"') {
      if (quoted && text[i + 1] === '"') {
        current += '"';
        i += 2;
      } else {
        quoted = !quoted;
        i++;
      }
      started = true;
    } else if ((c === ' ' || c === '\t') && !quoted) {
      if (started) args.push(current);
      current = '';
      started = false;
      i++;
    } else {
      current += c;
      started = true;
      i++;
    }
  }
  if (started) args.push(current);
  return args;
}

/** A whole command line as a Windows program reads it: the program name up to the next quote when quoted, else to a space. */
function windowsArgv(line: string): string[] {
  const text = line.replace(/^[ \t]+/, '');
  if (text.startsWith('"')) {
    const end = text.indexOf('"', 1);
    const program = end < 0 ? text.slice(1) : text.slice(1, end);
    return [program, ...splitWindowsArgs(end < 0 ? '' : text.slice(end + 1))];
  }
  const end = text.search(/[ \t]/);
  return end < 0 ? [text] : [text.slice(0, end), ...splitWindowsArgs(text.slice(end))];
}

/** botocore on Windows: splits the line with CommandLineToArgvW's rules itself, and runs no shell. */
const botocoreWindows = (line: string): string[] => splitWindowsArgs(line);

/**
 * What cmd.exe runs for a command line it was given: undefined when it would change the text
 * (%NAME% is expanded inside quotes too; & | < > ^ ( ) act outside quotes), else the program's argv.
 */
function cmdRuns(line: string): string[] | undefined {
  if (line.includes('%') || /[\r\n]/.test(line)) return undefined;
  let quoted = false;
  for (const c of line) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && '&|<>^()'.includes(c)) return undefined;
  }
  return windowsArgv(line);
}

/** The JS SDKs: child_process.exec runs `cmd.exe /d /s /c "<line>"`; /s drops the outer quotes only. */
const nodeExecWindows = (line: string): string[] | undefined => cmdRuns(`"${line}"`.slice(1, -1));

/** Go's syscall.EscapeArg: bare unless it holds a space, tab, quote or backslash; then the MSVCRT escaping. */
function goEscapeArg(s: string): string {
  if (s === '') return '""';
  if (!/[ \t"\\]/.test(s)) return s;
  const space = /[ \t]/.test(s);
  if (!/["\\]/.test(s)) return `"${s}"`;
  let out = space ? '"' : '';
  let slashes = 0;
  for (const c of s) {
    if (c === '\\') slashes++;
    else if (c === '"') {
      out += '\\'.repeat(slashes + 1);
      slashes = 0;
    } else slashes = 0;
    out += c;
  }
  if (space) out += `${'\\'.repeat(slashes)}"`;
  return out;
}

/**
 * The Go SDKs: exec.Command("cmd.exe", "/C", line). cmd.exe without /S keeps the quotes only if
 * there are exactly two with a plain executable name between them; otherwise a leading quote and the
 * last quote on the line are removed, and the rest is run as it stands.
 */
function goCmdWindows(line: string): string[] | undefined {
  const escaped = goEscapeArg(line);
  let rest = escaped;
  if (escaped.startsWith('"')) {
    const last = escaped.lastIndexOf('"');
    rest = escaped.slice(1, last) + escaped.slice(last + 1);
  }
  return cmdRuns(rest);
}

const WINDOWS_CONSUMERS = {
  botocore: botocoreWindows,
  'JS SDK (cmd.exe /d /s /c)': nodeExecWindows,
  'Go SDK (cmd.exe /C)': goCmdWindows,
};

describe('credential_process on Windows', () => {
  const runnerNode = 'C:\\actions-runner\\externals\\node24\\bin\\node.exe';
  const hostedNode = 'C:\\hostedtoolcache\\windows\\node\\24.11.1\\x64\\node.exe';
  const refresher =
    'D:\\a\\_actions\\aws-credentials-action\\aws-credentials-action\\v1\\dist\\refresh\\index.js';

  it.each([
    [runnerNode, refresher],
    [hostedNode, 'C:\\Users\\runneradmin\\_work\\_actions\\o\\r\\main\\dist\\refresh\\index.js'],
  ])('a runner path without spaces (%s) is read back exactly by every consumer', (node, script) => {
    const argv = [node, script, ...ARGS];
    const line = commandLine(argv, 'win32');
    // No quote at all: Go cannot start a quoted program, old Go INI parsers turn a quoted \n into a newline.
    expect(line).not.toContain('"');
    for (const [consumer, split] of Object.entries(WINDOWS_CONSUMERS)) {
      expect(split(line), consumer).toEqual(argv);
    }
  });

  it('a path with spaces or cmd.exe characters is quoted, and botocore and the JS SDKs read it back', () => {
    const argv = ['C:\\Program Files\\nodejs\\node.exe', 'C:\\a (x86) & b\\dist\\refresh\\index.js', ...ARGS];
    const line = commandLine(argv, 'win32');
    expect(botocoreWindows(line)).toEqual(argv);
    expect(nodeExecWindows(line)).toEqual(argv);
    // The Go SDKs cannot run a quoted program (aws/aws-sdk-go-v2#3208): the README says so.
    expect(goCmdWindows(line)).not.toEqual(argv);
  });

  it('a trailing backslash inside quotes survives', () => {
    const argv = ['C:\\node.exe', 'C:\\a b\\', 'x'];
    const line = commandLine(argv, 'win32');
    expect(botocoreWindows(line)).toEqual(argv);
    expect(nodeExecWindows(line)).toEqual(argv);
  });

  it.each([
    ['a percent sign, which cmd.exe expands even in quotes', 'C:\\100%USERNAME%\\s.js'],
    ['a percent sign in a bare word', '--session=50%off'],
    ['a double quote', 'C:\\say "hi"\\s.js'],
    ['a line break', 'C:\\a\nb\\s.js'],
  ])('refuses %s', (_what, arg) => {
    expect(() => commandLine(['C:\\node.exe', arg], 'win32')).toThrow(ActionError);
  });
});

// ---- POSIX ---------------------------------------------------------------------------------

/**
 * POSIX shell words, as shlex.split (botocore) and sh (the JS and Go SDKs) read them: '…' literal,
 * "…" with \ before $ ` " \ only, \ outside quotes escapes the next character. Undefined when sh
 * would do more than split (an unquoted $ ` ; & | < > ( ) * ? [ ~ # or a line break).
 */
function posixWords(line: string): string[] | undefined {
  const words: string[] = [];
  let current = '';
  let started = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return undefined;
      current += line.slice(i + 1, end);
      i = end;
      started = true;
    } else if (c === '"') {
      for (i++; i < line.length && line[i] !== '"'; i++) {
        if (line[i] === '\\' && '$`"\\'.includes(line[i + 1] ?? '')) i++;
        else if ('$`'.includes(line[i] as string)) return undefined;
        current += line[i];
      }
      if (i >= line.length) return undefined;
      started = true;
    } else if (c === '\\') {
      current += line[++i] ?? '';
      started = true;
    } else if (c === ' ' || c === '\t') {
      if (started) words.push(current);
      current = '';
      started = false;
    } else if ('$`;&|<>()*?[\n'.includes(c) || (!started && '~#'.includes(c))) {
      return undefined;
    } else {
      current += c;
      started = true;
    }
  }
  if (started) words.push(current);
  return words;
}

describe('credential_process on Linux and macOS', () => {
  it.each([
    [
      '/home/runner/runners/2.330.0/externals/node24/bin/node',
      '/home/runner/work/_actions/o/r/v1/dist/refresh/index.js',
    ],
    ['/opt/my runner/node', "/srv/it's a $HOME `dir`/a*b?/[x]/~/dist/refresh/index.js"],
  ])('%s: botocore (shlex), the JS and the Go SDKs (sh -c) read the argv back', (node, script) => {
    const argv = [node, script, ...ARGS];
    expect(posixWords(commandLine(argv, 'linux'))).toEqual(argv);
    expect(posixWords(commandLine(argv, 'darwin'))).toEqual(argv);
  });

  it('refuses control characters, which no config file line can carry', () => {
    expect(() => commandLine(['/a\nb/node', '/s.js'], 'linux')).toThrow(ActionError);
  });
});
