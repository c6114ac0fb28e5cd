// Profiles in the shared AWS files: section edits that keep every other byte, where the files are,
// refusing a profile that exists, writing and removing only what this invocation wrote, and the
// post step's restored environment.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSharedConfigFiles } from '@smithy/core/config';
import { afterEach, describe, expect, it } from 'vitest';
import {
  hasSection,
  normaliseSection,
  replaceSections,
  sectionBlock,
  sectionHeader,
} from '../../src/aws/profile-sections.js';
import { ActionError, InputError } from '../../src/common/errors.js';
import { writesProfile } from '../../src/deliver/deliver.js';
import {
  cleanupState,
  keysProfile,
  type ProfilePlan,
  planProfile,
  profileEnvironment,
  removeWrittenProfile,
  revertedEnvironment,
  sharedFiles,
  writeProfile,
} from '../../src/deliver/profile.js';
import { parseSettings, type Settings } from '../../src/inputs/settings.js';

const KEYS = {
  accessKeyId: 'ASIAUNITTESTKEY00001',
  secretAccessKey: 'unit/test+secret/0000000000000000000000',
  sessionToken: 'IQoJunit-test-session-token',
};

/** A config file as people write them: comments, nested settings, values with ; and #. */
const OTHERS = [
  '# team defaults',
  '[default]',
  'region = us-west-2',
  's3 =',
  '  max_concurrent_requests = 20',
  '',
  '; production, read-only',
  '[profile prod.eu]',
  'credential_process = /opt/bin/creds --tag "a;b" # keep',
  'output = json',
  '',
].join('\n');

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function home(): string {
  const dir = mkdtempSync(join(tmpdir(), 'profile-unit-'));
  dirs.push(dir);
  return dir;
}

function settings(raw: Record<string, string>): Settings {
  return parseSettings({ 'aws-region': 'eu-central-1', ...raw }, {});
}

function plan(raw: Record<string, string>, env: NodeJS.ProcessEnv): ProfilePlan {
  const planned = planProfile(settings(raw), env);
  if (!planned) throw new Error('expected a profile plan');
  return planned;
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

const mode = (path: string) => statSync(path).mode & 0o777;

describe('section edits', () => {
  it('reads headers as the SDKs do', () => {
    expect(sectionHeader('[default]')).toBe('default');
    expect(sectionHeader('  [ profile  x ]  # note')).toBe('profile  x');
    expect(sectionHeader('key = [x]')).toBeUndefined();
    expect(sectionHeader('# [commented]')).toBeUndefined();
    expect(normaliseSection('profile  "x"')).toBe('profile x');
    expect(normaliseSection("profile 'x'")).toBe('profile x');
    expect(normaliseSection('default')).toBe('default');
  });

  it('adds a section at the end and keeps every byte of the others', () => {
    const out = replaceSections(OTHERS, (n) => n === 'profile ci', ['[profile ci]', 'region = x']);
    expect(out).toBe(`${OTHERS}\n[profile ci]\nregion = x\n`);
    expect(replaceSections('', () => true, ['[a]', 'k = v'])).toBe('[a]\nk = v\n');
  });

  it('replaces a section in place, comments above the next one staying with it', () => {
    const out = replaceSections(OTHERS, (n) => n === 'default', ['[default]', 'region = x']);
    expect(out).toBe(
      OTHERS.replace('region = us-west-2\ns3 =\n  max_concurrent_requests = 20\n', 'region = x\n'),
    );
    expect(out).toContain('; production, read-only\n[profile prod.eu]');
  });

  it('removes a section without leaving a double blank line, and keeps CRLF files CRLF', () => {
    const text = '[a]\nk = 1\n\n[b]\nk = 2\n\n[c]\nk = 3\n';
    expect(replaceSections(text, (n) => n === 'b')).toBe('[a]\nk = 1\n\n[c]\nk = 3\n');
    expect(replaceSections(text, (n) => n === 'c')).toBe('[a]\nk = 1\n\n[b]\nk = 2\n');
    const crlf = text.replaceAll('\n', '\r\n');
    expect(replaceSections(crlf, (n) => n === 'b')).toBe('[a]\r\nk = 1\r\n\r\n[c]\r\nk = 3\r\n');
  });

  it('removes only the sections holding the marker line when one is given', () => {
    const text = '[a]\n# mine\nk = 1\n\n[a]\nk = 2\n';
    expect(replaceSections(text, () => true, [], '# mine')).toBe('[a]\nk = 2\n');
    expect(hasSection(text, (n) => n === 'a')).toBe(true);
    expect(hasSection(text, (n) => n === 'b')).toBe(false);
  });

  it('refuses a value that spans lines', () => {
    const error = thrown(() => sectionBlock('a', '# m', { region: 'x\n[evil]' }));
    expect(error).toBeInstanceOf(ActionError);
    expect((error as ActionError).title).toBe('Profile value spans lines');
    expect((error as ActionError).message).toMatch(/region .*spans lines/);
    expect((error as ActionError).message).not.toContain('evil');
    expect((error as ActionError).fix).toMatch(/aws-region/);
    expect(sectionBlock('a', '# m', { k: 'v' })).toEqual(['[a]', '# m', 'k = v']);
  });
});

describe('sharedFiles', () => {
  it('uses ~/.aws unless AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE say otherwise', () => {
    expect(sharedFiles({ HOME: '/h' })).toEqual({
      config: '/h/.aws/config',
      credentials: '/h/.aws/credentials',
      configMoved: false,
      credentialsMoved: false,
    });
    expect(
      sharedFiles({ HOME: '/h', AWS_CONFIG_FILE: '~/cfg', AWS_SHARED_CREDENTIALS_FILE: '/x/creds' }),
    ).toEqual({ config: '/h/cfg', credentials: '/x/creds', configMoved: true, credentialsMoved: true });
  });
});

describe('planProfile', () => {
  it('plans nothing unless a profile is asked for; refresh-credentials defaults to "default"', () => {
    expect(planProfile(settings({}), { HOME: home() })).toBeUndefined();
    expect(plan({ 'refresh-credentials': 'true' }, { HOME: home() }).name).toBe('default');
    const p = plan({ 'aws-profile': 'ci' }, { HOME: home() });
    expect(p.name).toBe('ci');
    expect(p.marker).toMatch(
      /^# Written by aws-credentials-action [0-9a-f-]{36}; its post step removes it\.$/,
    );
  });

  it('is asked for exactly when writesProfile says so (main.ts loads the profile code only then)', () => {
    const cases: Record<string, string>[] = [
      {},
      { 'aws-profile': 'ci' },
      { 'aws-profile': '' },
      { 'refresh-credentials': 'true' },
      { 'refresh-credentials': 'false' },
      { 'aws-profile': 'ci', 'refresh-credentials': 'true' },
    ];
    const answers = cases.map((raw) => [
      writesProfile(settings(raw)),
      planProfile(settings(raw), { HOME: home() }) !== undefined,
    ]);
    expect(answers.map(([writes]) => writes)).toEqual(answers.map(([, planned]) => planned));
    expect(answers.filter(([writes]) => writes)).toHaveLength(3);
  });

  it('refuses a name that would not survive the file syntax', () => {
    for (const name of ['a b', 'x]', 'evil\nregion', '__proto__']) {
      const error = thrown(() => plan({ 'aws-profile': name }, { HOME: home() }));
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).input).toBe('aws-profile');
    }
  });

  it('refuses an existing profile, in either file and any spelling, unless overwrite is true', () => {
    const cases: [string, string, string][] = [
      ['config', '[profile  "ci"]\nregion = x\n', 'ci'],
      ['credentials', '[ci]\naws_access_key_id = A\n', 'ci'],
      ['config', '[profile default]\nregion = x\n', 'default'],
    ];
    for (const [file, text, name] of cases) {
      const h = home();
      mkdirSync(join(h, '.aws'));
      writeFileSync(join(h, '.aws', file), text);
      const error = thrown(() => plan({ 'aws-profile': name }, { HOME: h }));
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).message).toContain(join(h, '.aws', file));
      expect((error as InputError).describe()).toMatch(/overwrite-aws-profile: true/);
      expect(plan({ 'aws-profile': name, 'overwrite-aws-profile': 'true' }, { HOME: h }).name).toBe(name);
    }
  });
});

describe('writeProfile and removeWrittenProfile', () => {
  it('creates ~/.aws 0700 and both files 0600, readable by the JS SDK', async () => {
    const h = home();
    const p = plan({ 'aws-profile': 'ci' }, { HOME: h });
    writeProfile(p, keysProfile('eu-central-1', KEYS));
    expect(mode(join(h, '.aws'))).toBe(0o700);
    expect(mode(p.files.config)).toBe(0o600);
    expect(mode(p.files.credentials)).toBe(0o600);
    const parsed = await loadSharedConfigFiles({
      filepath: p.files.credentials,
      configFilepath: p.files.config,
      ignoreCache: true,
    });
    expect(parsed.configFile.ci).toEqual({ region: 'eu-central-1' });
    expect(parsed.credentialsFile.ci).toEqual({
      aws_access_key_id: KEYS.accessKeyId,
      aws_secret_access_key: KEYS.secretAccessKey,
      aws_session_token: KEYS.sessionToken,
    });
    expect(readdirSync(join(h, '.aws')).sort()).toEqual(['config', 'credentials']);
  });

  it('keeps the other profiles byte for byte, tightens a loose file, and the post step restores them', () => {
    const h = home();
    mkdirSync(join(h, '.aws'), { mode: 0o755 });
    writeFileSync(join(h, '.aws', 'config'), OTHERS, { mode: 0o644 });
    const p = plan({ 'aws-profile': 'ci' }, { HOME: h });
    writeProfile(p, keysProfile('eu-central-1', KEYS));
    const written = readFileSync(p.files.config, 'utf8');
    expect(written.startsWith(OTHERS)).toBe(true);
    expect(written.slice(OTHERS.length)).toBe(`\n[profile ci]\n${p.marker}\nregion = eu-central-1\n`);
    expect(mode(p.files.config)).toBe(0o600);
    expect(mode(join(h, '.aws'))).toBe(0o755); // an existing directory is the user's to keep

    removeWrittenProfile(cleanupState(p));
    expect(readFileSync(p.files.config, 'utf8')).toBe(OTHERS);
    expect(existsSync(p.files.credentials)).toBe(false); // it held only our section
  });

  it('leaves a section the post step did not write, even under the same name', () => {
    const h = home();
    const p = plan({ 'aws-profile': 'ci' }, { HOME: h });
    writeProfile(p, keysProfile('eu-central-1', KEYS));
    const later = plan({ 'aws-profile': 'ci', 'overwrite-aws-profile': 'true' }, { HOME: h });
    writeProfile(later, keysProfile('us-east-2', KEYS));
    removeWrittenProfile(cleanupState(p));
    expect(readFileSync(p.files.config, 'utf8')).toContain('region = us-east-2');
    removeWrittenProfile(cleanupState(later));
    expect(existsSync(p.files.config)).toBe(false);
  });

  it('writes no keys for a refreshing profile and drops keys that would shadow it', () => {
    const h = home();
    mkdirSync(join(h, '.aws'));
    writeFileSync(join(h, '.aws', 'credentials'), '[other]\nk = 1\n\n[default]\naws_access_key_id = OLD\n');
    const p = plan({ 'refresh-credentials': 'true', 'overwrite-aws-profile': 'true' }, { HOME: h });
    writeProfile(p, { config: { region: 'eu-central-1', credential_process: '/bin/node /r.js' } });
    expect(readFileSync(p.files.credentials, 'utf8')).toBe('[other]\nk = 1\n');
    expect(readFileSync(p.files.config, 'utf8')).toBe(
      `[default]\n${p.marker}\nregion = eu-central-1\ncredential_process = /bin/node /r.js\n`,
    );
  });

  it('refuses to write or read through a symbolic link, leaving the target alone', () => {
    const h = home();
    const target = join(h, 'elsewhere');
    writeFileSync(target, '[x]\n');
    mkdirSync(join(h, '.aws'));
    symlinkSync(target, join(h, '.aws', 'credentials'));
    const error = thrown(() => plan({ 'aws-profile': 'ci' }, { HOME: h }));
    expect(error).toBeInstanceOf(ActionError);
    expect((error as ActionError).message).toMatch(/symbolic link/);

    const linkedDir = home();
    symlinkSync(h, join(linkedDir, '.aws'));
    rmSync(join(h, '.aws', 'credentials'));
    // A symlinked ~/.aws is refused when the profile is planned, before any network call ...
    expect(() =>
      plan({ 'aws-profile': 'ci' }, { HOME: linkedDir, AWS_CONFIG_FILE: join(linkedDir, '.aws', 'c') }),
    ).toThrow(`${join(linkedDir, '.aws')} is a symbolic link`);
    // ... and again when writing, should the link appear in between.
    const p = plan({ 'aws-profile': 'ci' }, { HOME: home() });
    const moved = {
      ...p,
      files: { ...p.files, config: join(linkedDir, '.aws', 'c'), credentials: join(linkedDir, '.aws', 'k') },
    };
    expect(() => writeProfile(moved, keysProfile('eu-central-1', KEYS))).toThrow(/symbolic link/);
    expect(readFileSync(target, 'utf8')).toBe('[x]\n');
    expect(readdirSync(h).sort()).toEqual(['.aws', 'elsewhere']);
  });
});

describe('profileEnvironment', () => {
  it('points later steps at a refreshing profile and blanks the keys that would win over it', () => {
    const h = home();
    const p = plan({ 'refresh-credentials': 'true', 'aws-profile': 'ci' }, { HOME: h });
    expect(profileEnvironment(p, true)).toEqual({
      AWS_PROFILE: 'ci',
      AWS_SDK_LOAD_CONFIG: '1',
      AWS_ACCESS_KEY_ID: '',
      AWS_SECRET_ACCESS_KEY: '',
      AWS_SESSION_TOKEN: '',
      AWS_SECURITY_TOKEN: '',
      AWS_CREDENTIAL_EXPIRATION: '',
    });
    const moved = plan({ 'refresh-credentials': 'true' }, { HOME: h, AWS_CONFIG_FILE: join(h, 'cfg') });
    expect(profileEnvironment(moved, true).AWS_CONFIG_FILE).toBe(join(h, 'cfg'));
    expect(profileEnvironment(p, false)).toEqual({ AWS_SDK_LOAD_CONFIG: '1' });
  });

  it('names no AWS_PROFILE for the default profile, which every SDK reads unasked', () => {
    const p = plan({ 'refresh-credentials': 'true' }, { HOME: home() });
    expect(profileEnvironment(p, true, {})).not.toHaveProperty('AWS_PROFILE');
    // An AWS_PROFILE from before would hide it: then it is named.
    expect(profileEnvironment(p, true, { AWS_PROFILE: 'other' }).AWS_PROFILE).toBe('default');
  });

  it('exports both file variables when a step-only env: moved them, for profiles with keys too', () => {
    const h = home();
    const env = { HOME: h, AWS_CONFIG_FILE: join(h, 'c'), AWS_SHARED_CREDENTIALS_FILE: join(h, 'k') };
    for (const refreshing of [true, false]) {
      const p = plan({ 'aws-profile': 'ci', ...(refreshing ? { 'refresh-credentials': 'true' } : {}) }, env);
      expect(profileEnvironment(p, refreshing, env)).toMatchObject({
        AWS_CONFIG_FILE: join(h, 'c'),
        AWS_SHARED_CREDENTIALS_FILE: join(h, 'k'),
        AWS_SDK_LOAD_CONFIG: '1',
      });
    }
  });
});

describe('file-system failures', () => {
  /** Root reads and writes through chmod 000, so the failing path here is one under a regular file. */
  function underAFile(): { h: string; path: string } {
    const h = home();
    writeFileSync(join(h, 'plain'), 'x');
    return { h, path: join(h, 'plain', 'credentials') };
  }

  function expectSharedFileError(error: unknown, file: string): void {
    expect(error).toBeInstanceOf(ActionError);
    const e = error as ActionError;
    expect(e.title).toBe('Cannot read/write the shared AWS files');
    expect(e.message).toContain(file);
    expect(e.message).toContain('aws-profile / refresh-credentials');
    expect(e.message).toContain('ENOTDIR');
    expect(e.fix).toMatch(/AWS_SHARED_CREDENTIALS_FILE \/ AWS_CONFIG_FILE/);
    expect(e.fix).toMatch(/HOME must be writable/);
    expect(e.cause).toMatchObject({ code: 'ENOTDIR' });
  }

  it('an unreadable credentials file is an ActionError naming it, before any STS call', () => {
    const { h, path } = underAFile();
    const error = thrown(() => plan({ 'aws-profile': 'ci' }, { HOME: h, AWS_SHARED_CREDENTIALS_FILE: path }));
    expectSharedFileError(error, path);
  });

  it('an unwritable config file is an ActionError naming it, and the other file is left alone', () => {
    const { h, path } = underAFile();
    const p = plan({ 'aws-profile': 'ci' }, { HOME: h });
    const broken = { ...p, files: { ...p.files, config: path } };
    expectSharedFileError(
      thrown(() => writeProfile(broken, keysProfile('eu-central-1', KEYS))),
      path,
    );
    expect(existsSync(p.files.credentials)).toBe(false);
  });
});

describe('revertedEnvironment (the post step)', () => {
  const EXPORTED = ['AWS_PROFILE', 'AWS_CONFIG_FILE', 'AWS_ACCESS_KEY_ID', 'AWS_REGION'];

  it('puts back the AWS_PROFILE / AWS_CONFIG_FILE a job had before, keeps the region, and blanks the rest', () => {
    const h = home();
    const env = { HOME: h, AWS_PROFILE: 'preexisting', AWS_CONFIG_FILE: '~/team/config' };
    const p = plan({ 'refresh-credentials': 'true', 'aws-profile': 'ci' }, env);
    // The main step points both at its own profile; the post step must not leave them that way.
    const main = profileEnvironment(p, true);
    expect(main.AWS_PROFILE).toBe('ci');
    expect(main.AWS_CONFIG_FILE).toBe(join(h, 'team', 'config'));
    expect(revertedEnvironment(EXPORTED, cleanupState(p), { AWS_REGION: 'eu-west-1' })).toEqual({
      AWS_PROFILE: env.AWS_PROFILE,
      AWS_CONFIG_FILE: env.AWS_CONFIG_FILE,
      AWS_ACCESS_KEY_ID: '',
      AWS_REGION: 'eu-west-1',
    });
  });

  it('never leaves AWS_PROFILE or a file variable empty after a profile was written', () => {
    const p = plan({ 'refresh-credentials': 'true', 'aws-profile': 'ci' }, { HOME: home(), AWS_PROFILE: '' });
    const current = { AWS_PROFILE: 'ci', AWS_CONFIG_FILE: '/moved/config', AWS_ACCESS_KEY_ID: '' };
    expect(revertedEnvironment(EXPORTED, cleanupState(p), current)).toEqual({
      AWS_PROFILE: 'ci',
      AWS_CONFIG_FILE: '/moved/config',
      AWS_ACCESS_KEY_ID: '',
      AWS_REGION: '',
    });
    const blank = Object.fromEntries(EXPORTED.map((name) => [name, '']));
    expect(revertedEnvironment(EXPORTED, '')).toEqual(blank);
    // Environment hand-off (no profile state): the credentials are blanked, the region stays.
    expect(revertedEnvironment(EXPORTED, '', { AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKIA' })).toEqual(
      {
        ...blank,
        AWS_REGION: 'eu-west-1',
      },
    );
  });

  it('restores only the two profile variables, whatever the state holds', () => {
    const state = JSON.stringify({ marker: '#', files: [], previous: { AWS_ACCESS_KEY_ID: 'AKIAOLD' } });
    expect(revertedEnvironment(['AWS_ACCESS_KEY_ID'], state)).toEqual({ AWS_ACCESS_KEY_ID: '' });
  });
});
