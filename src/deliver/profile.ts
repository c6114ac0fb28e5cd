import { createHash, randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { CREDENTIAL_VARIABLES, LOAD_CONFIG_VARIABLE } from '../aws/env-vars.js';
import { hasSection, replaceSections, sectionBlock } from '../aws/profile-sections.js';
import { checkSharedDirectory, editShared, readShared, withSharedFilesLocked } from '../aws/shared-file.js';
import type { Credentials } from '../aws/sts.js';
import { InputError } from '../common/errors.js';
import type { Settings } from '../inputs/settings.js';
import { expandHome, homeDirectory, refuseSameFile } from './home.js';
import { STUB_LINE, stubHeader, withoutStubs } from './profile-stub.js';

/**
 * Profiles in the AWS shared files: where they are, and writing and removing one without touching
 * the others (the file handling itself is in shared-file.ts). Imported by the post step too, so
 * nothing heavy here.
 */

export interface SharedFiles {
  config: string;
  credentials: string;
  /** The config file is not ~/.aws/config, so later steps need AWS_CONFIG_FILE to find it. */
  configMoved: boolean;
  /** The credentials file is not ~/.aws/credentials: later steps need AWS_SHARED_CREDENTIALS_FILE. */
  credentialsMoved: boolean;
}

/** Where the SDKs look: AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/ (see home.ts). */
export function sharedFiles(
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = process.platform,
): SharedFiles {
  const home = homeDirectory(env, platform);
  const resolve = (file: string) => path.resolve(expandHome(file, home, platform));
  const defaultConfig = path.join(home, '.aws', 'config');
  const defaultCredentials = path.join(home, '.aws', 'credentials');
  const config = resolve(env.AWS_CONFIG_FILE || defaultConfig);
  const credentials = resolve(env.AWS_SHARED_CREDENTIALS_FILE || defaultCredentials);
  return {
    config,
    credentials,
    configMoved: config !== path.resolve(defaultConfig),
    credentialsMoved: credentials !== path.resolve(defaultCredentials),
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
  /** AWS_PROFILE, the file variables and AWS_SDK_LOAD_CONFIG before this step, for the post step. */
  previous: Partial<Record<RestoredName, string>>;
  /** overwrite-aws-profile: an existing profile may be replaced. */
  overwrite: boolean;
  /** aws-profile was not given (refresh-credentials writes "default"). */
  implicitName: boolean;
}

/** Variables profileEnvironment may point elsewhere that a user may have set: the post step restores them. */
const RESTORED = [
  'AWS_PROFILE',
  'AWS_CONFIG_FILE',
  'AWS_SHARED_CREDENTIALS_FILE',
  LOAD_CONFIG_VARIABLE,
] as const;
/** Kept after the post step when nothing came before: '' would break botocore, and they stay valid. */
const KEPT = ['AWS_PROFILE', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE'];
/** Never blanked: not a secret, and botocore takes an empty AWS_DEFAULT_REGION as a region and fails. */
const REGIONS = ['AWS_REGION', 'AWS_DEFAULT_REGION'];
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
  // Before any network call: links, a missing directory's parent that is a file, one file for both.
  checkSharedDirectory(files.config);
  checkSharedDirectory(files.credentials);
  refuseSameFile(files);
  const plan: ProfilePlan = {
    name,
    files,
    marker: `# Written by aws-credentials-action ${randomUUID()}; its post step removes it.`,
    previous: Object.fromEntries(RESTORED.flatMap((n) => (env[n] ? [[n, env[n]]] : []))),
    overwrite: settings.overwriteAwsProfile,
    implicitName: settings.awsProfile === undefined,
  };
  // Looked at now to fail before STS; decided again under the lock when writing.
  refuseExistingProfile(plan, false);
  return plan;
}

/** Without overwrite-aws-profile, a profile this invocation did not write is never replaced. */
function refuseExistingProfile(plan: ProfilePlan, atWrite: boolean): void {
  if (plan.overwrite) return;
  const { name, files } = plan;
  const found = [
    // A stub an earlier post step left (profile-stub.ts) holds nothing, and may be replaced.
    ...(hasSection(withoutStubs(readShared(files.config), inConfig(name)), inConfig(name))
      ? [files.config]
      : []),
    ...(hasSection(readShared(files.credentials), inCredentials(name)) ? [files.credentials] : []),
  ];
  if (found.length === 0) return;
  const which = plan.implicitName
    ? ' (refresh-credentials writes "default" when aws-profile is not set)'
    : '';
  const when = atWrite ? ' (another job sharing these files wrote it while this one called STS)' : '';
  throw new InputError(
    'aws-profile',
    `Profile "${name}"${which} already exists in ${found.join(' and ')}${when}; overwrite-aws-profile is false.`,
    'Set `overwrite-aws-profile: true` to replace that profile, or name another one with aws-profile.',
  );
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

/**
 * Replaces the profile in both files, holding both files' locks: whether it exists is decided here,
 * so of two jobs racing for one name without overwrite-aws-profile, exactly one writes it.
 */
export function writeProfile(plan: ProfilePlan, content: ProfileContent): void {
  const { name, files, marker } = plan;
  const header = name === 'default' ? 'default' : `profile ${name}`;
  withSharedFilesLocked([files.config, files.credentials], true, () => {
    refuseExistingProfile(plan, true);
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
  });
}

/**
 * Pure: what later steps need to use the profile on their own: the files wherever they are not the
 * defaults (a step's own `env:` does not reach later steps), AWS_SDK_LOAD_CONFIG for the SDKs that
 * read the config file only with it, and for a refreshing profile AWS_PROFILE where the SDKs would
 * not pick it without it (every SDK reads `default` unasked) and no keys.
 */
export function profileEnvironment(
  plan: ProfilePlan,
  refreshing: boolean,
  env: NodeJS.ProcessEnv = {},
): Record<string, string> {
  const files: Record<string, string> = {
    ...(plan.files.configMoved ? { AWS_CONFIG_FILE: plan.files.config } : {}),
    ...(plan.files.credentialsMoved ? { AWS_SHARED_CREDENTIALS_FILE: plan.files.credentials } : {}),
    [LOAD_CONFIG_VARIABLE]: '1',
  };
  if (!refreshing) return files;
  const profile: Record<string, string> =
    plan.name !== 'default' || env.AWS_PROFILE ? { AWS_PROFILE: plan.name } : {};
  // Credentials in the environment win over any profile, in every SDK.
  return { ...profile, ...files, ...Object.fromEntries(CREDENTIAL_VARIABLES.map((name) => [name, ''])) };
}

/**
 * What the post step needs to find the sections again: the files, the marker, a hash of the access
 * key id written, and the variables to restore; no secrets.
 */
export function cleanupState(plan: ProfilePlan, content?: ProfileContent): string {
  const keyId = content?.credentials?.aws_access_key_id;
  return JSON.stringify({
    marker: plan.marker,
    files: [plan.files.config, plan.files.credentials],
    ...(keyId ? { keyIdHash: hashKeyId(keyId) } : {}),
    previous: plan.previous,
    name: plan.name,
  });
}

const hashKeyId = (keyId: string): string => createHash('sha256').update(keyId).digest('hex');

/**
 * The post step's value for each name the main step exported: what AWS_PROFILE and the file
 * variables held before it; with nothing before, they keep their value (GITHUB_ENV cannot unset a
 * name, an empty AWS_PROFILE breaks botocore, and post.ts leaves a stub so the profile still
 * exists). Every other name is blanked.
 */
export function revertedEnvironment(
  exported: string[],
  state: string,
  current: NodeJS.ProcessEnv = {},
): Record<string, string> {
  let previous: Record<string, unknown> = {};
  try {
    previous = (JSON.parse(state) as { previous?: Record<string, unknown> }).previous ?? {};
  } catch {
    // No profile state (nothing was written): every name is blanked.
  }
  return Object.fromEntries(
    exported.map((name) => {
      const value = previous[name];
      if (RESTORED.includes(name as RestoredName) && typeof value === 'string') return [name, value];
      if (REGIONS.includes(name)) return [name, current[name] ?? ''];
      return [name, KEPT.includes(name) && state ? (current[name] ?? '') : ''];
    }),
  );
}

/**
 * The post step, under the files' locks: removes the sections this invocation wrote (its marker)
 * that still hold what it wrote (in the credentials file, its access key id), and a file left with
 * nothing else. A section another job replaced since is left alone.
 */
export function removeWrittenProfile(state: string): void {
  const { marker, files, keyIdHash } = JSON.parse(state) as {
    marker: string;
    files: string[];
    keyIdHash?: string;
  };
  const [config, credentials] = files;
  const ours = (file: string) => (lines: string[]) => {
    if (!lines.includes(marker)) return false;
    if (file !== credentials || !keyIdHash) return true;
    const keyLine = lines.map((line) => /^\s*aws_access_key_id\s*=\s*(\S+)\s*$/.exec(line)).find(Boolean);
    return keyLine?.[1] !== undefined && hashKeyId(keyLine[1]) === keyIdHash;
  };
  withSharedFilesLocked(files, false, () => {
    for (const file of [config, credentials]) {
      if (file) editShared(file, (text) => replaceSections(text, () => true, [], ours(file)));
    }
  });
}

/** The post step: a stub for the profile AWS_PROFILE keeps naming, when it had no earlier value. */
export function leaveStub(state: string, exported: string[]): void {
  const { name, files, previous } = JSON.parse(state) as {
    name?: string;
    files: string[];
    previous?: Record<string, unknown>;
  };
  const config = files[0];
  if (!name || !config || !exported.includes('AWS_PROFILE') || typeof previous?.AWS_PROFILE === 'string') {
    return;
  }
  const mine = (section: string) => section === stubHeader(name);
  // Under the lock, as every other edit: another job on this HOME may be writing the file.
  withSharedFilesLocked([config], true, () =>
    editShared(config, (text) =>
      hasSection(text, mine)
        ? text
        : replaceSections(text, () => false, sectionBlock(stubHeader(name), STUB_LINE, {})),
    ),
  );
}
