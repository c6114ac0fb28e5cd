import * as path from 'node:path';
import { parseCustomTags } from '../aws/session-tags.js';
import { InputError } from '../common/errors.js';
import { type RawInputs, readRawInputs } from './names.js';

/** Every input of the action, parsed and validated. The rest of the code reads only this. */
export interface Settings {
  region: string;
  roleToAssume?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  /** Absolute path; a relative input is joined to GITHUB_WORKSPACE. */
  webIdentityTokenFile?: string;
  roleChaining: boolean;
  audience: string;
  httpProxy?: string;
  noProxy?: string;
  maskAccountId: boolean;
  durationSeconds: number;
  externalId?: string;
  sessionName: string;
  skipSessionTagging: boolean;
  transitiveTagKeys: string[];
  inlineSessionPolicy?: string;
  managedSessionPolicies: string[];
  outputCredentials: boolean;
  outputEnvCredentials: boolean;
  unsetCurrentCredentials: boolean;
  disableRetry: boolean;
  retryMaxAttempts: number;
  specialCharactersWorkaround: boolean;
  useExistingCredentials: boolean;
  allowedAccountIds: string[];
  forceSkipOidc: boolean;
  /** 0 means no global timeout. */
  actionTimeoutSeconds: number;
  customTags: Record<string, string>;
  stsEndpoint?: string;
  awsProfile?: string;
  overwriteAwsProfile: boolean;
  jobSummary: boolean;
  refreshCredentials: boolean;
}

export const DEFAULTS = {
  audience: 'sts.amazonaws.com',
  sessionName: 'GitHubActions',
  durationSeconds: 3600,
  retryMaxAttempts: 12,
} as const;

const ROLE_ARN = /^arn:[a-z0-9-]+:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
const ROLE_NAME = /^(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
const REGION = /^[a-z0-9-]+$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const ACCOUNT_ID = /^\d{12}$/;
const POLICY_ARN = /^arn:[a-z0-9-]+:iam::(?:\d{12}|aws):policy\/.+$/;

/** Reads the action's inputs (the only place that does) and validates them. */
export function readSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  return parseSettings(readRawInputs(env), env);
}

/** Pure: raw input strings in, typed settings out, or an InputError naming the input. */
export function parseSettings(raw: RawInputs, env: NodeJS.ProcessEnv): Settings {
  const get = (name: string): string | undefined => {
    const value = raw[name]?.trim();
    return value ? value : undefined;
  };

  const region = get('aws-region');
  if (!region) {
    throw new InputError(
      'aws-region',
      'aws-region is required.',
      'Set `aws-region`, e.g. `aws-region: us-east-1`.',
    );
  }
  if (!REGION.test(region)) {
    throw new InputError(
      'aws-region',
      `aws-region "${region}" is not a region name.`,
      'Use a region such as us-east-1 (lower-case letters, digits and hyphens).',
    );
  }

  const roleToAssume = get('role-to-assume');
  if (roleToAssume && !ROLE_ARN.test(roleToAssume) && !ROLE_NAME.test(roleToAssume)) {
    throw new InputError(
      'role-to-assume',
      `role-to-assume "${roleToAssume}" is neither a role ARN nor a role name.`,
      'Use arn:<partition>:iam::<12-digit account>:role/<path/name>, e.g. arn:aws:iam::123456789012:role/Deploy.',
    );
  }

  const accessKeyId = get('aws-access-key-id');
  const secretAccessKey = get('aws-secret-access-key');
  if (accessKeyId && !secretAccessKey) {
    throw new InputError(
      'aws-secret-access-key',
      'aws-access-key-id is set but aws-secret-access-key is not.',
      'Pass both keys, e.g. from secrets.AWS_ACCESS_KEY_ID and secrets.AWS_SECRET_ACCESS_KEY.',
    );
  }
  if (secretAccessKey && !accessKeyId) {
    throw new InputError(
      'aws-access-key-id',
      'aws-secret-access-key is set but aws-access-key-id is not.',
      'Pass both keys, or neither.',
    );
  }

  const tokenFileInput = get('web-identity-token-file');
  const webIdentityTokenFile = tokenFileInput
    ? path.resolve(env.GITHUB_WORKSPACE ?? process.cwd(), tokenFileInput)
    : undefined;

  const sessionName = get('role-session-name') ?? DEFAULTS.sessionName;
  if (!SESSION_NAME.test(sessionName)) {
    throw new InputError(
      'role-session-name',
      `role-session-name "${sessionName}" is not a valid session name.`,
      'Use 2 to 64 characters from letters, digits and _+=,.@- (e.g. GitHubActions-1234).',
    );
  }

  const durationSeconds = parseInteger(raw, 'role-duration-seconds', DEFAULTS.durationSeconds, 900, 43200);
  const retryMaxAttempts = parseInteger(raw, 'retry-max-attempts', DEFAULTS.retryMaxAttempts, 1, 100);
  const actionTimeoutSeconds = parseInteger(raw, 'action-timeout-s', 0, 0, 21600);

  const stsEndpoint = get('sts-endpoint');
  if (stsEndpoint) checkUrl('sts-endpoint', stsEndpoint);
  const httpProxyInput = get('http-proxy');
  if (httpProxyInput) checkUrl('http-proxy', httpProxyInput);
  const httpProxy = httpProxyInput ?? proxyFromEnvironment(env);

  const allowedAccountIds = splitList(get('allowed-account-ids'), /,/);
  for (const id of allowedAccountIds) {
    if (!ACCOUNT_ID.test(id)) {
      throw new InputError(
        'allowed-account-ids',
        `allowed-account-ids contains "${id}", which is not a 12-digit account id.`,
        'Give a comma-separated list of 12-digit account ids, e.g. 123456789012,210987654321.',
      );
    }
  }

  // One per line, as upstream: a policy ARN may itself contain a comma.
  const managedSessionPolicies = splitList(get('managed-session-policies'), /\n/);
  for (const arn of managedSessionPolicies) {
    if (!POLICY_ARN.test(arn)) {
      throw new InputError(
        'managed-session-policies',
        `managed-session-policies contains "${arn}", which is not a policy ARN.`,
        'List one policy ARN per line, e.g. arn:aws:iam::aws:policy/ReadOnlyAccess.',
      );
    }
  }

  // Sent minified, which leaves more of STS's 2048-character limit for the policy itself.
  let inlineSessionPolicy = get('inline-session-policy');
  if (inlineSessionPolicy) {
    try {
      inlineSessionPolicy = JSON.stringify(JSON.parse(inlineSessionPolicy));
    } catch {
      throw new InputError(
        'inline-session-policy',
        'inline-session-policy is not valid JSON.',
        'Pass an IAM policy document as JSON, e.g. {"Version":"2012-10-17","Statement":[...]}.',
      );
    }
  }

  const transitiveTagKeys = splitList(get('transitive-tag-keys'), /[\n,]/);
  const customTags = parseCustomTags(get('custom-tags'));

  const awsProfile = get('aws-profile');
  const refreshCredentials = parseBoolean(raw, 'refresh-credentials', false);
  const useExistingCredentials = parseBoolean(raw, 'use-existing-credentials', false);
  if (refreshCredentials && useExistingCredentials) {
    throw new InputError(
      'use-existing-credentials',
      'use-existing-credentials and refresh-credentials are both true: kept credentials cannot refresh.',
      'Drop use-existing-credentials: refresh-credentials writes a profile that always works.',
    );
  }
  const noProxy = get('no-proxy');
  if (noProxy && /[\r\n]/.test(noProxy)) {
    throw new InputError(
      'no-proxy',
      'no-proxy spans several lines.',
      'List the hosts on one line, comma-separated.',
    );
  }
  const outputEnvCredentials = parseBoolean(
    raw,
    'output-env-credentials',
    !awsProfile && !refreshCredentials,
  );
  if (refreshCredentials && outputEnvCredentials) {
    // Environment keys win over any profile, so they would hide the refreshing one until they expire.
    throw new InputError(
      'output-env-credentials',
      'output-env-credentials is true together with refresh-credentials, but keys in the environment would be used instead of the refreshing profile, and would expire.',
      'Remove output-env-credentials (it defaults to false with refresh-credentials).',
    );
  }

  return {
    region,
    roleToAssume,
    accessKeyId,
    secretAccessKey,
    sessionToken: get('aws-session-token'),
    webIdentityTokenFile,
    roleChaining: parseBoolean(raw, 'role-chaining', false),
    audience: get('audience') ?? DEFAULTS.audience,
    httpProxy,
    noProxy,
    maskAccountId: parseBoolean(raw, 'mask-aws-account-id', false),
    durationSeconds,
    externalId: get('role-external-id'),
    sessionName,
    skipSessionTagging: parseBoolean(raw, 'role-skip-session-tagging', false),
    transitiveTagKeys,
    inlineSessionPolicy,
    managedSessionPolicies,
    outputCredentials: parseBoolean(raw, 'output-credentials', false),
    // Writing a profile means "not the environment" unless the user asks for both.
    outputEnvCredentials,
    unsetCurrentCredentials: parseBoolean(raw, 'unset-current-credentials', false),
    disableRetry: parseBoolean(raw, 'disable-retry', false),
    retryMaxAttempts,
    specialCharactersWorkaround: parseBoolean(raw, 'special-characters-workaround', false),
    useExistingCredentials,
    allowedAccountIds,
    forceSkipOidc: parseBoolean(raw, 'force-skip-oidc', false),
    actionTimeoutSeconds,
    customTags,
    stsEndpoint,
    awsProfile,
    overwriteAwsProfile: parseBoolean(raw, 'overwrite-aws-profile', false),
    jobSummary: parseBoolean(raw, 'job-summary', true),
    refreshCredentials,
  };
}

const TRUE = ['true', 'True', 'TRUE'];
const FALSE = ['false', 'False', 'FALSE'];

export function parseBoolean(raw: RawInputs, name: string, fallback: boolean): boolean {
  const value = raw[name]?.trim();
  if (!value) return fallback;
  if (TRUE.includes(value)) return true;
  if (FALSE.includes(value)) return false;
  throw new InputError(
    name,
    `${name} is "${value}", which is not a boolean.`,
    `Use one of ${[...TRUE, ...FALSE].join(', ')}.`,
  );
}

function parseInteger(raw: RawInputs, name: string, fallback: number, min: number, max: number): number {
  const value = raw[name]?.trim();
  if (!value) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new InputError(name, `${name} is "${value}".`, `Use a whole number from ${min} to ${max}.`);
  }
  return n;
}

function checkUrl(name: string, value: string): void {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  // The value may hold a proxy password: name the input, never echo it.
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || /[\r\n]/.test(value)) {
    throw new InputError(
      name,
      `${name} is not an http(s) URL on one line.`,
      'Use a URL such as https://host:port (with user:password@ before the host if the proxy needs it).',
    );
  }
}

/** Upstream's fallback for http-proxy: HTTPS_PROXY, then HTTP_PROXY, for every endpoint. */
function proxyFromEnvironment(env: NodeJS.ProcessEnv): string | undefined {
  const value = (env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy)?.trim();
  if (!value) return undefined;
  return /^https?:\/\//i.test(value) ? value : `http://${value}`;
}

function splitList(value: string | undefined, separator: RegExp): string[] {
  if (!value) return [];
  return value
    .split(separator)
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}
