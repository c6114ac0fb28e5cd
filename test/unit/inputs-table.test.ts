// Issue 11: every input, given an empty, whitespace-only, 100 kB, line-break or wrong-type value, is
// refused naming it before any request (or, when empty, taken as unset). run() in process with the
// real STS client and token request, both pointed at a local server that counts requests.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  afterAll,
  afterEach,
  beforeAll,
  beforeEach,
  describe,
  expect,
  it,
  type MockInstance,
  vi,
} from 'vitest';
import { INPUT_NAMES } from '../../src/inputs/names.js';
import { run } from '../../src/main.js';

const ROLE = 'arn:aws:iam::111111111111:role/Deploy';
/** A valid value of each input, and one of the wrong type (undefined where any text is of the type). */
const VALUES: Record<string, [good: string, wrongType?: string]> = {
  'aws-region': ['us-east-1', '{"a":1}'],
  'role-to-assume': [ROLE, 'arn:aws:s3:::bucket'],
  'aws-access-key-id': ['AKIAIOSFODNN7EXAMPLE', 'AKIA EXAMPLE'],
  'aws-secret-access-key': ['wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY'],
  'aws-session-token': ['FwoGZXIvYXdzEXAMPLE'],
  'web-identity-token-file': ['token'],
  'role-chaining': ['false', 'yes'],
  audience: ['sts.amazonaws.com', 'aud #comment'],
  'http-proxy': ['http://127.0.0.1:3128', 'ftp://proxy'],
  'no-proxy': ['example.com'],
  'mask-aws-account-id': ['false', 'yes'],
  'role-duration-seconds': ['3600', '12.5'],
  'role-external-id': ['external-id', 'has space'],
  'role-session-name': ['GitHubActions', 'has space'],
  'role-skip-session-tagging': ['false', 'yes'],
  'transitive-tag-keys': ['Repository', 'a<b'],
  'inline-session-policy': ['{"Version":"2012-10-17"}', 'not json'],
  'managed-session-policies': ['arn:aws:iam::aws:policy/ReadOnlyAccess', 'arn:aws:s3:::bucket'],
  'output-credentials': ['false', 'yes'],
  'output-env-credentials': ['true', 'yes'],
  'unset-current-credentials': ['false', 'yes'],
  'disable-retry': ['true', 'yes'],
  'retry-max-attempts': ['1', 'many'],
  'concurrent-jobs': ['32', 'all'],
  'special-characters-workaround': ['false', 'yes'],
  'use-existing-credentials': ['false', 'yes'],
  'allowed-account-ids': ['111111111111', '12ab'],
  'force-skip-oidc': ['false', 'yes'],
  'action-timeout-s': ['30', '-1'],
  'custom-tags': ['{"Team":"a"}', 'not json'],
  'sts-endpoint': ['http://127.0.0.1:9', 'ftp://sts'],
  'aws-profile': ['dev'],
  'overwrite-aws-profile': ['false', 'yes'],
  'job-summary': ['false', 'yes'],
  'refresh-credentials': ['false', 'yes'],
};
/** Lists split on line breaks: a carriage return inside an item is the line break there. */
const LINE_LISTS = new Set(['transitive-tag-keys', 'managed-session-policies']);

let server: Server;
let requests = 0;
let base: string;
let dir: string;
let savedEnv: NodeJS.ProcessEnv;
let stdout: MockInstance;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests++;
    req.resume();
    res.writeHead(403).end('{"message":"no"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  base = typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : '';
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  savedEnv = { ...process.env };
  dir = mkdtempSync(join(tmpdir(), 'inputs-table-'));
  for (const key of Object.keys(process.env))
    if (key.startsWith('INPUT_') || key.startsWith('AWS_')) delete process.env[key];
  stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});
afterEach(() => {
  stdout.mockRestore();
  process.env = savedEnv;
  process.exitCode = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function runWith(name: string, value: string): Promise<{ out: string; requests: number }> {
  const inputs: Record<string, string> = {
    'aws-region': 'us-east-1',
    'role-to-assume': ROLE,
    'sts-endpoint': base,
    'disable-retry': 'true',
    'job-summary': 'false',
    [name]: value,
  };
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ACTIONS_ID_TOKEN_REQUEST_URL: `${base}/token`,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token-0123',
    GITHUB_WORKSPACE: dir,
    RUNNER_ENVIRONMENT: 'github-hosted',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  for (const [input, v] of Object.entries(inputs))
    process.env[`INPUT_${input.replace(/ /g, '_').toUpperCase()}`] = v;
  const before = requests;
  await run(env);
  return { out: stdout.mock.calls.map((c) => String(c[0])).join(''), requests: requests - before };
}

const refusedNaming = (out: string, name: string) => out.includes(`::error title=Invalid input%3A ${name}::`);

describe('every input is checked before any request', () => {
  it('covers every input of action.yml', () => {
    expect(Object.keys(VALUES).sort()).toEqual([...INPUT_NAMES].sort());
  });

  for (const name of INPUT_NAMES) {
    const [good, wrongType] = VALUES[name] ?? [''];
    const lineBreak = LINE_LISTS.has(name) ? `${good}\r::warning::x` : `${good}\n::warning::x`;
    const bad: Array<[string, string]> = [
      ['100 kB', good + 'x'.repeat(100 * 1024)],
      ['a line break', lineBreak],
      ...(wrongType === undefined ? [] : ([['the wrong type', wrongType]] as Array<[string, string]>)),
    ];
    for (const [what, value] of bad) {
      it(`${name}: ${what} is refused naming it, with no request`, async () => {
        const { out, requests: made } = await runWith(name, value);
        expect(refusedNaming(out, name), out.slice(0, 2000)).toBe(true);
        expect(made).toBe(0);
        expect(out.split('\n').filter((line) => line.trim().startsWith('::warning'))).toEqual([]);
      });
    }
    const blanks: Array<[string, string]> = [
      ['empty', ''],
      ['whitespace-only', ' \t '],
    ];
    for (const [what, value] of blanks) {
      it(`${name}: ${what} is unset, or refused naming it with no request`, async () => {
        const { out, requests: made } = await runWith(name, value);
        if (refusedNaming(out, name)) expect(made).toBe(0);
        else expect(out).not.toContain('Invalid input%3A');
      });
    }
  }
});
