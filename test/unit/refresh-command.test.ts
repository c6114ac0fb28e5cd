// The credential_process line of a refreshing profile: the refresher's arguments round-trip, and the
// command line splits back into the same argv under every consumer's rules (sh, cmd.exe, shlex).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ActionError } from '../../src/common/errors.js';
import {
  commandLine,
  parseRefresherArgs,
  type RefreshOptions,
  refresherArgs,
  refresherProxyWarning,
  refreshingProfile,
  refreshOptions,
} from '../../src/deliver/refresh-command.js';
import { parseSettings } from '../../src/inputs/settings.js';

const ROLE = 'arn:aws:iam::111111111111:role/Deploy';
const FULL: RefreshOptions = {
  roleArn: ROLE,
  sessionName: 'GitHubActions',
  durationSeconds: 900,
  audience: 'sts.amazonaws.com',
  region: 'eu-central-1',
  stsEndpoint: 'http://127.0.0.1:4566/',
  httpProxy: 'http://proxy:3128',
  noProxy: 'localhost,169.254.169.254',
  policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}',
  policyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess', 'arn:aws:iam::111111111111:policy/a,b'],
  maxAttempts: 5,
};

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A script that prints the argv it was given, as JSON: the far end of a credential_process line. */
function argvPrinter(dirName: string): string {
  const dir = mkdtempSync(join(tmpdir(), dirName));
  dirs.push(dir);
  const script = join(dir, 'print argv.cjs');
  writeFileSync(script, 'process.stdout.write(JSON.stringify(process.argv.slice(2)))');
  return script;
}

const AWKWARD = ["it's", 'two words', '$HOME', '`id`', 'a"b', 'back\\slash\\', '!x', 'ü', '*'];

describe('refresher arguments', () => {
  it('survive the round trip, inline policy and commas in policy ARNs included', () => {
    expect(parseRefresherArgs(refresherArgs(FULL))).toEqual(FULL);
    const minimal: RefreshOptions = { ...FULL, policyArns: [] };
    delete minimal.stsEndpoint;
    delete minimal.httpProxy;
    delete minimal.noProxy;
    delete minimal.policy;
    const args = refresherArgs(minimal);
    expect(args).not.toContain('--sts-endpoint');
    expect(args).not.toContain('--policy-arn');
    expect(parseRefresherArgs(args)).toEqual(minimal);
  });

  it('carry the inline policy as base64url, without a quote in it', () => {
    const args = refresherArgs(FULL);
    const policy = args[args.indexOf('--policy-base64') + 1] ?? '';
    expect(policy).toMatch(/^[\w-]+$/);
    expect(Buffer.from(policy, 'base64url').toString()).toBe(FULL.policy);
  });

  it('are refused when unknown, missing or malformed', () => {
    const args = refresherArgs(FULL);
    expect(() => parseRefresherArgs([...args, '--bogus', 'x'])).toThrow(/Unexpected argument "--bogus"/);
    expect(() => parseRefresherArgs([...args, '--region'])).toThrow(/Unexpected argument "--region"/);
    expect(() => parseRefresherArgs(args.slice(2))).toThrow(/Missing --role-arn/);
    const bad = [...args];
    bad[bad.indexOf('--duration-seconds') + 1] = '15m';
    expect(() => parseRefresherArgs(bad)).toThrow(/--duration-seconds is not a positive whole number/);
  });
});

describe('commandLine', () => {
  it('is split back into the same argv by sh (the JS SDK) and by shlex (the AWS CLI)', () => {
    const script = argvPrinter("dir with spaces and 'quotes' ");
    const args = [...AWKWARD, ...refresherArgs(FULL)];
    const line = commandLine([process.execPath, script, ...args], 'linux');
    expect(JSON.parse(execFileSync('sh', ['-c', line], { encoding: 'utf8' }))).toEqual(args);
    const shlex = 'import json, shlex, sys; print(json.dumps(shlex.split(sys.argv[1])))';
    const split = JSON.parse(execFileSync('python3', ['-c', shlex, line], { encoding: 'utf8' }));
    expect(split).toEqual([process.execPath, script, ...args]);
  });

  it('leaves plain words bare', () => {
    expect(commandLine(['/usr/bin/node', '--role-arn', ROLE], 'linux')).toBe(
      `/usr/bin/node --role-arn ${ROLE}`,
    );
  });

  it('double-quotes for Windows, doubling a trailing backslash, and refuses what cmd.exe would expand', () => {
    expect(commandLine(['C:\\Program Files\\node.exe', 'C:\\a b\\', 'x'], 'win32')).toBe(
      '"C:\\Program Files\\node.exe" "C:\\a b\\\\" x',
    );
    expect(() => commandLine(['C:\\100% sure\\node.exe'], 'win32')).toThrow(ActionError);
    expect(() => commandLine(['say "hi"'], 'win32')).toThrow(ActionError);
  });

  it('refuses a line the JS SDK would cut short at an inline comment', () => {
    expect(() => commandLine(['/home/u/my #1/node'], 'linux')).toThrow(/cannot be written/);
    expect(() => commandLine(['/home/u/a ;b/node'], 'linux')).toThrow(ActionError);
    // Quoted for the shell, and with no whitespace before # or ; the SDK keeps it whole.
    expect(commandLine(['/home/u/a#b;c/node'], 'linux')).toBe("'/home/u/a#b;c/node'");
  });
});

describe('refreshOptions and refreshingProfile', () => {
  const settings = (raw: Record<string, string>) =>
    parseSettings({ 'aws-region': 'eu-central-1', 'role-to-assume': ROLE, ...raw }, {});

  it('take what the first session was assumed with', () => {
    const options = refreshOptions(
      settings({
        'role-duration-seconds': '1800',
        'role-session-name': 'deploy-7',
        audience: 'my-aud',
        'sts-endpoint': 'http://127.0.0.1:9/',
        'managed-session-policies': 'arn:aws:iam::aws:policy/ReadOnlyAccess',
        'disable-retry': 'true',
      }),
      ROLE,
    );
    expect(options).toMatchObject({
      roleArn: ROLE,
      sessionName: 'deploy-7',
      durationSeconds: 1800,
      audience: 'my-aud',
      region: 'eu-central-1',
      stsEndpoint: 'http://127.0.0.1:9/',
      policyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
      maxAttempts: 1,
    });
  });

  it('keep a proxy password out of the command line', () => {
    const withPassword = refreshOptions(settings({ 'http-proxy': 'http://u:secret@proxy:3128' }), ROLE);
    expect(withPassword.httpProxy).toBeUndefined();
    const plain = refreshOptions(settings({ 'http-proxy': 'http://proxy:3128' }), ROLE);
    expect(plain.httpProxy).toBe('http://proxy:3128');
  });

  it('write region and credential_process only, and fail when the refresher is missing', () => {
    const script = argvPrinter('refresher-');
    const profile = refreshingProfile(FULL, process.execPath, script);
    expect(Object.keys(profile.config)).toEqual(['region', 'credential_process']);
    expect(profile.credentials).toBeUndefined();
    expect(profile.config.credential_process?.startsWith(`${process.execPath} '${script}' --role-arn`)).toBe(
      true,
    );
    expect(() => refreshingProfile(FULL, process.execPath, `${script}.missing`)).toThrow(
      /Refresher|not there/,
    );
  });
});

describe('refresherProxyWarning', () => {
  it('warns, naming http-proxy and HTTPS_PROXY, only for an input proxy with user info', () => {
    const withPassword = 'http://alice:s3cret@proxy.example:3128';
    expect(refresherProxyWarning(withPassword, undefined)).toMatch(/^http-proxy .*HTTPS_PROXY/);
    expect(refresherProxyWarning('http://user@proxy.example:3128', undefined)).toBeDefined();
    expect(refresherProxyWarning('http://proxy.example:3128', undefined)).toBeUndefined();
    expect(refresherProxyWarning(undefined, undefined)).toBeUndefined();
    // The same value as the job's HTTPS_PROXY: the refresher reads that itself.
    expect(refresherProxyWarning(withPassword, withPassword)).toBeUndefined();
    // The warning never shows the proxy's user info.
    expect(refresherProxyWarning(withPassword, undefined)).not.toMatch(/alice|s3cret/);
  });
});
