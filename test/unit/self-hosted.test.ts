// Issue 9, the pure and file-level parts: the lock beside a shared file (bounded wait, stale-lock
// recovery), `~` per OS, one file for both shared files, the post step's key-id check, and when the
// runner's own credentials stay in place.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lockPathOf, withFileLocks } from '../../src/aws/file-lock.js';
import { ActionError } from '../../src/common/errors.js';
import { expandHome, homeDirectory } from '../../src/deliver/home.js';
import {
  cleanupState,
  keysProfile,
  planProfile,
  removeWrittenProfile,
  writeProfile,
} from '../../src/deliver/profile.js';
import { runnerCredentialsExportWarning, runnerCredentialsStay } from '../../src/deliver/runner-own.js';
import { parseSettings } from '../../src/inputs/settings.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'self-hosted-unit-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** The pid of a process that has exited (and was reaped): no process has it now, most likely. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

const aged = (file: string, ms: number) => {
  const when = new Date(Date.now() - ms);
  utimesSync(file, when, when);
};

describe('withFileLocks', () => {
  it('holds <file>.lock while the work runs and removes it after, also when the work throws', () => {
    const file = join(tempDir(), 'credentials');
    let seen = '';
    withFileLocks([file], () => {
      seen = readFileSync(lockPathOf(file), 'utf8');
    });
    expect(seen).toMatch(new RegExp(`^${process.pid} ${hostname()} [0-9a-f-]{36}$`));
    expect(existsSync(lockPathOf(file))).toBe(false);
    expect(() =>
      withFileLocks([file], () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(existsSync(lockPathOf(file))).toBe(false);
  });

  it('a lock held by a live process is waited for, then refused with an error naming the file', () => {
    const file = join(tempDir(), 'config');
    writeFileSync(lockPathOf(file), `${process.pid} ${hostname()} other-holder`);
    let ran = false;
    const error = (() => {
      try {
        withFileLocks(
          [file],
          () => {
            ran = true;
          },
          { waitMs: 300 },
        );
      } catch (e) {
        return e;
      }
    })();
    expect(ran).toBe(false);
    expect(error).toBeInstanceOf(ActionError);
    expect((error as ActionError).title).toBe('Shared AWS file is locked');
    expect((error as ActionError).message).toContain(file);
    expect((error as ActionError).fix).toContain(lockPathOf(file));
    // Someone else's lock is left in place.
    expect(readFileSync(lockPathOf(file), 'utf8')).toContain('other-holder');
  });

  it('breaks a lock whose process is gone from this host, and one older than the stale age', () => {
    const file = join(tempDir(), 'credentials');
    writeFileSync(lockPathOf(file), `${deadPid()} ${hostname()} crashed`);
    aged(lockPathOf(file), 5_000);
    expect(withFileLocks([file], () => 'ran', { waitMs: 2_000 })).toBe('ran');

    // Another host's lock (or a live pid) is broken only by age.
    writeFileSync(lockPathOf(file), `${deadPid()} some-other-host crashed`);
    aged(lockPathOf(file), 5_000);
    expect(() => withFileLocks([file], () => 'ran', { waitMs: 200 })).toThrow(/within 0.2 s/);
    aged(lockPathOf(file), 60_000);
    expect(withFileLocks([file], () => 'ran', { waitMs: 2_000, staleMs: 10_000 })).toBe('ran');
    expect(existsSync(lockPathOf(file))).toBe(false);
  });
});

describe('~ as the AWS CLI and the Go SDK resolve it', () => {
  const env = { HOME: '/home/git-bash', USERPROFILE: 'C:\\Users\\runner', HOMEDRIVE: 'D:', HOMEPATH: '\\u' };
  it('on Windows %USERPROFILE% first (HOME is ignored), then HOMEDRIVE + HOMEPATH', () => {
    expect(homeDirectory(env, 'win32')).toBe('C:\\Users\\runner');
    expect(homeDirectory({ ...env, USERPROFILE: '' }, 'win32')).toBe('D:\\u');
  });
  it('elsewhere HOME', () => {
    expect(homeDirectory(env, 'linux')).toBe('/home/git-bash');
    expect(homeDirectory(env, 'darwin')).toBe('/home/git-bash');
  });
  it('expands ~, ~/ and (on Windows) ~\\, nothing else', () => {
    expect(expandHome('~', '/h', 'linux')).toBe('/h');
    expect(expandHome('~/a/b', '/h', 'linux')).toBe(join('/h', 'a/b'));
    expect(expandHome('~\\a', '/h', 'linux')).toBe('~\\a');
    expect(expandHome('~\\a', '/h', 'win32')).toBe(join('/h', 'a'));
    expect(expandHome('~user/a', '/h', 'linux')).toBe('~user/a');
  });
});

const plan = (inputs: Record<string, string>, env: NodeJS.ProcessEnv) => {
  const settings = parseSettings({ 'aws-region': 'eu-west-1', ...inputs }, env);
  const planned = planProfile(settings, env);
  if (!planned) throw new Error('no plan');
  return planned;
};

describe('the shared files', () => {
  it('AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE naming one file are refused when planning', () => {
    const h = tempDir();
    const one = join(h, 'aws');
    for (const env of [
      { HOME: h, AWS_CONFIG_FILE: one, AWS_SHARED_CREDENTIALS_FILE: one },
      { HOME: h, AWS_CONFIG_FILE: one, AWS_SHARED_CREDENTIALS_FILE: join(h, '.', 'x', '..', 'aws') },
    ]) {
      expect(() => plan({ 'refresh-credentials': 'true' }, env)).toThrow(/are the same file/);
    }
    expect(existsSync(one)).toBe(false);
  });

  it('the post step leaves a section whose access key id was changed since, and removes its own', () => {
    const h = tempDir();
    const keys = { accessKeyId: 'ASIAOURS000000000001', secretAccessKey: 's', sessionToken: 't' };
    const p = plan({ 'aws-profile': 'a' }, { HOME: h });
    writeProfile(p, keysProfile('eu-west-1', keys));
    const state = cleanupState(p, keysProfile('eu-west-1', keys));
    expect(state).not.toContain(keys.accessKeyId);
    const file = p.files.credentials;
    const edited = readFileSync(file, 'utf8').replace(keys.accessKeyId, 'AKIAEDITEDBYSOMEONE1');
    writeFileSync(file, edited);
    removeWrittenProfile(state);
    expect(readFileSync(file, 'utf8')).toBe(edited);
    expect(existsSync(p.files.config)).toBe(false); // the config section holds no key: removed
    writeFileSync(file, edited.replace('AKIAEDITEDBYSOMEONE1', keys.accessKeyId));
    removeWrittenProfile(state);
    expect(existsSync(file)).toBe(false);
  });

  it('a profile written between the plan and the write is not replaced without overwrite-aws-profile', () => {
    const h = tempDir();
    const keys = { accessKeyId: 'ASIAFIRST00000000001', secretAccessKey: 's' };
    const first = plan({ 'aws-profile': 'race' }, { HOME: h });
    const second = plan({ 'aws-profile': 'race' }, { HOME: h });
    writeProfile(first, keysProfile('eu-west-1', keys));
    expect(() =>
      writeProfile(second, keysProfile('eu-west-1', { ...keys, accessKeyId: 'ASIASECOND' })),
    ).toThrow(/already exists .*another job sharing these files wrote it/);
    expect(readFileSync(first.files.credentials, 'utf8')).toContain(keys.accessKeyId);
    expect(readFileSync(first.files.credentials, 'utf8')).not.toContain('ASIASECOND');
  });
});

describe("the runner's own credentials", () => {
  const settings = (inputs: Record<string, string>) =>
    parseSettings({ 'aws-region': 'eu-west-1', ...inputs }, {});
  it('stay in place with no role unless output-env-credentials: true is given', () => {
    expect(runnerCredentialsStay(settings({}), { kind: 'ambient' })).toBe(true);
    expect(runnerCredentialsStay(settings({ 'output-env-credentials': 'false' }), { kind: 'ambient' })).toBe(
      true,
    );
    expect(runnerCredentialsStay(settings({ 'output-env-credentials': 'true' }), { kind: 'ambient' })).toBe(
      false,
    );
    expect(runnerCredentialsStay(settings({}), { kind: 'ambient', role: 'Deploy' })).toBe(false);
    expect(runnerCredentialsStay(settings({}), { kind: 'access-keys' })).toBe(false);
  });
  it('exported on request, with a warning that they will not refresh', () => {
    const warning = runnerCredentialsExportWarning(settings({ 'output-env-credentials': 'true' }), {
      kind: 'ambient',
    });
    expect(warning).toMatch(/will not refresh/);
    expect(runnerCredentialsExportWarning(settings({}), { kind: 'ambient', role: 'R' })).toBeUndefined();
  });
});
