import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';
import { ActionError, InputError } from './errors.js';
import { hasSection, replaceSections, sectionBlock } from './profile-sections.js';
import type { Settings } from './settings.js';
import type { Credentials } from './sts.js';

/**
 * Profiles in the AWS shared files: where they are, and writing and removing one without touching
 * the others. Credential files are 0600 in a 0700 directory, written whole (temp file + rename),
 * and never through a symbolic link. Imported by the post step too, so nothing heavy here.
 */

export interface SharedFiles {
  config: string;
  credentials: string;
  /** The config file is not ~/.aws/config, so later steps need AWS_CONFIG_FILE to find it. */
  configMoved: boolean;
}

/** Where the SDKs look: AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/. */
export function sharedFiles(env: NodeJS.ProcessEnv): SharedFiles {
  const home = env.HOME || env.USERPROFILE || homedir();
  const resolve = (file: string) =>
    path.resolve(file.startsWith('~/') ? path.join(home, file.slice(2)) : file);
  const defaultConfig = path.join(home, '.aws', 'config');
  const config = resolve(env.AWS_CONFIG_FILE || defaultConfig);
  return {
    config,
    credentials: resolve(env.AWS_SHARED_CREDENTIALS_FILE || path.join(home, '.aws', 'credentials')),
    configMoved: config !== path.resolve(defaultConfig),
  };
}

/** What both SDKs accept in `[profile NAME]`; anything else could also break the file's syntax. */
const PROFILE_NAME = /^[\w@+.%:/-]+$/;

/** The profile as it appears in each file: `[profile x]` (or `[default]`) in config, `[x]` in credentials. */
function inConfig(profile: string): (section: string) => boolean {
  return (section) =>
    profile === 'default'
      ? section === 'default' || section === 'profile default'
      : section === `profile ${profile}`;
}
const inCredentials = (profile: string) => (section: string) => section === profile;

export interface ProfileContent {
  /** The config file's section: region, credential_process. */
  config: Record<string, string>;
  /** The credentials file's section. None: any such section is removed, since its keys would win. */
  credentials?: Record<string, string>;
}

export interface ProfilePlan {
  name: string;
  files: SharedFiles;
  /** The comment line that marks the sections this invocation writes, for the post step. */
  marker: string;
  /** AWS_PROFILE / AWS_CONFIG_FILE before this step, for the post step to put back. */
  previous: Partial<Record<RestoredName, string>>;
}

/** Variables profileEnvironment may point elsewhere that a user may have set: the post step restores them. */
const RESTORED = ['AWS_PROFILE', 'AWS_CONFIG_FILE'] as const;
type RestoredName = (typeof RESTORED)[number];

/**
 * Before any STS call: which profile to write and where, and that it may be written there.
 * Undefined when the credentials go to the environment only.
 */
export function planProfile(settings: Settings, env: NodeJS.ProcessEnv): ProfilePlan | undefined {
  if (settings.awsProfile === undefined && !settings.refreshCredentials) return undefined;
  const name = settings.awsProfile ?? 'default';
  if (!PROFILE_NAME.test(name) || name === '__proto__') {
    throw new InputError(
      'aws-profile',
      `aws-profile "${name}" is not a profile name the AWS SDKs accept.`,
      'Use letters, digits and _-@+.%:/ only, e.g. `aws-profile: deploy`.',
    );
  }
  const files = sharedFiles(env);
  const found = [
    ...(hasSection(readShared(files.config), inConfig(name)) ? [files.config] : []),
    ...(hasSection(readShared(files.credentials), inCredentials(name)) ? [files.credentials] : []),
  ];
  if (found.length > 0 && !settings.overwriteAwsProfile) {
    const which =
      settings.awsProfile === undefined
        ? ' (refresh-credentials writes "default" when aws-profile is not set)'
        : '';
    throw new InputError(
      'aws-profile',
      `Profile "${name}"${which} already exists in ${found.join(' and ')}; overwrite-aws-profile is false.`,
      'Set `overwrite-aws-profile: true` to replace that profile, or name another one with aws-profile.',
    );
  }
  return {
    name,
    files,
    marker: `# Written by aws-credentials-action ${randomUUID()}; its post step removes it.`,
    previous: Object.fromEntries(RESTORED.flatMap((n) => (env[n] ? [[n, env[n]]] : []))),
  };
}

/** A profile holding the credentials themselves. */
export function keysProfile(region: string, credentials: Credentials): ProfileContent {
  return {
    config: { region },
    credentials: {
      aws_access_key_id: credentials.accessKeyId,
      aws_secret_access_key: credentials.secretAccessKey,
      ...(credentials.sessionToken ? { aws_session_token: credentials.sessionToken } : {}),
    },
  };
}

/** Replaces the profile in both files; the other sections keep every byte. */
export function writeProfile(plan: ProfilePlan, content: ProfileContent): void {
  const { name, files, marker } = plan;
  const header = name === 'default' ? 'default' : `profile ${name}`;
  editShared(files.config, (text) =>
    replaceSections(text, inConfig(name), sectionBlock(header, marker, content.config)),
  );
  editShared(files.credentials, (text) =>
    replaceSections(
      text,
      inCredentials(name),
      content.credentials ? sectionBlock(name, marker, content.credentials) : [],
    ),
  );
}

/** Pure: what later steps need to use the profile on their own. */
export function profileEnvironment(plan: ProfilePlan, refreshing: boolean): Record<string, string> {
  if (!refreshing) return {};
  return {
    AWS_PROFILE: plan.name,
    ...(plan.files.configMoved ? { AWS_CONFIG_FILE: plan.files.config } : {}),
    // Credentials in the environment win over any profile, in every SDK.
    AWS_ACCESS_KEY_ID: '',
    AWS_SECRET_ACCESS_KEY: '',
    AWS_SESSION_TOKEN: '',
  };
}

/**
 * What the post step needs to find the sections again: the files, the marker and the variables to
 * restore; no secrets.
 */
export function cleanupState(plan: ProfilePlan): string {
  return JSON.stringify({
    marker: plan.marker,
    files: [plan.files.config, plan.files.credentials],
    previous: plan.previous,
  });
}

/**
 * The post step's value for each name the main step exported: what AWS_PROFILE / AWS_CONFIG_FILE
 * held before it, else ''. An empty AWS_PROFILE breaks botocore, but GITHUB_ENV cannot unset a name.
 */
export function revertedEnvironment(exported: string[], state: string): Record<string, string> {
  let previous: Record<string, unknown> = {};
  try {
    previous = (JSON.parse(state) as { previous?: Record<string, unknown> }).previous ?? {};
  } catch {
    // No profile state (nothing was written): every name is blanked.
  }
  return Object.fromEntries(
    exported.map((name) => {
      const value = previous[name];
      return [name, RESTORED.includes(name as RestoredName) && typeof value === 'string' ? value : ''];
    }),
  );
}

/** The post step: removes the sections carrying the marker, and a file left with nothing else. */
export function removeWrittenProfile(state: string): void {
  const { marker, files } = JSON.parse(state) as { marker: string; files: string[] };
  for (const file of files) editShared(file, (text) => replaceSections(text, () => true, [], marker));
}

function editShared(file: string, edit: (text: string) => string): void {
  const before = readShared(file);
  const after = edit(before);
  if (after === before) return;
  if (after.trim() === '') {
    try {
      fs.rmSync(file, { force: true });
    } catch (error) {
      throw sharedFileError(file, 'write', error);
    }
  } else writeShared(file, after);
}

/** The file's text, '' when it does not exist. */
function readShared(file: string): string {
  try {
    const stat = lstat(file);
    if (!stat) return '';
    refuseUnsafe(file, stat, 'file');
    let fd: number;
    try {
      // O_NONBLOCK: a FIFO swapped in must not hang the open; the fstat below refuses it.
      fd = fs.openSync(
        file,
        fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0),
      );
    } catch (error) {
      // O_NOFOLLOW's answer to a link swapped in after the lstat.
      if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw symlinkError(file, error);
      throw error;
    }
    try {
      refuseUnsafe(file, fs.fstatSync(fd), 'file');
      return fs.readFileSync(fd, 'utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch (error) {
    throw sharedFileError(file, 'read', error);
  }
}

function writeShared(file: string, text: string): void {
  try {
    replaceShared(file, text);
  } catch (error) {
    throw sharedFileError(file, 'write', error);
  }
}

/** Atomic: readers see the old file or the new one, never half of it; the temp file is 0600 from birth. */
function replaceShared(file: string, text: string): void {
  const dir = path.dirname(file);
  const dirStat = lstat(dir);
  if (dirStat) refuseUnsafe(dir, dirStat, 'directory');
  else {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.chmodSync(dir, 0o700);
  }
  const stat = lstat(file);
  if (stat) refuseUnsafe(file, stat, 'file');
  const temp = path.join(dir, `.${path.basename(file)}.${randomUUID()}.tmp`);
  const fd = fs.openSync(temp, 'wx', 0o600);
  try {
    try {
      fs.writeFileSync(fd, text);
      fs.fchmodSync(fd, 0o600);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}

function lstat(file: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** A file-system failure (EACCES, ENOTDIR, EROFS...) as the user's to fix, not an STS failure. */
function sharedFileError(file: string, action: 'read' | 'write', error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (error instanceof ActionError || typeof code !== 'string') return error;
  const where = (error as NodeJS.ErrnoException).path;
  return new ActionError(
    'Cannot read/write the shared AWS files',
    `aws-profile / refresh-credentials could not ${action} ${file} (${code}${where && where !== file ? ` at ${where}` : ''}).`,
    "Let the runner's user read and write that file and its directory, or set AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE to paths in a writable directory (by default they are in $HOME/.aws, so HOME must be writable).",
    { cause: error },
  );
}

function symlinkError(file: string, cause?: unknown): ActionError {
  return new ActionError(
    'Shared AWS file is a symlink',
    `${file} is a symbolic link; this action does not read or write credentials through links.`,
    'Point AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE (or ~/.aws) at a real file and directory.',
    { cause },
  );
}

function refuseUnsafe(file: string, stat: fs.Stats, kind: 'file' | 'directory'): void {
  if (stat.isSymbolicLink()) throw symlinkError(file);
  if (kind === 'file' ? !stat.isFile() : !stat.isDirectory()) {
    throw new ActionError(
      `Shared AWS ${kind} is not a ${kind}`,
      `${file} is not a regular ${kind}.`,
      'Point AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE at a file path.',
    );
  }
}
