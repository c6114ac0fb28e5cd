import { parseCustomTags } from '../aws/session-tags.js';
import { STS_AUDIENCE } from '../aws/sts.js';
import { type InputName, proxyFromEnvironment, type RawInputs, readRawInputs } from './names.js';
import { type InputSpec, parseInput } from './parsers.js';
import { applyRules } from './rules.js';

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
  /** output-env-credentials was given as true, not defaulted: needed to export the runner's own keys. */
  outputEnvCredentialsExplicit: boolean;
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
  audience: STS_AUDIENCE,
  sessionName: 'GitHubActions',
  durationSeconds: 3600,
  retryMaxAttempts: 12,
} as const;

/** The settings read straight from one input each; output-env-credentials as given (rules.ts decides). */
type TableSettings = Omit<Settings, 'outputEnvCredentials' | 'outputEnvCredentialsExplicit'> & {
  outputEnvCredentials?: boolean;
};

const bool = (input: InputName, fallback: boolean = false): InputSpec => ({
  kind: 'boolean',
  input,
  fallback,
});
const text = (input: InputName, fallback?: string): InputSpec => ({ kind: 'text', input, fallback });

/** Every input: its kind, and the default, bounds or check of that kind. */
const INPUTS: Record<keyof TableSettings, InputSpec> = {
  region: {
    kind: 'text',
    input: 'aws-region',
    required: () => ['aws-region is required.', 'Set `aws-region`, e.g. `aws-region: us-east-1`.'],
    pattern: /^[a-z0-9-]+$/,
    refusal: (v) => [
      `aws-region "${v}" is not a region name.`,
      'Use a region such as us-east-1 (lower-case letters, digits and hyphens).',
    ],
  },
  roleToAssume: {
    kind: 'text',
    input: 'role-to-assume',
    // A role ARN, or a bare role name (with its path).
    pattern: /^(?:arn:[a-z0-9-]+:iam::\d{12}:role\/)?(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/,
    refusal: (v) => [
      `role-to-assume "${v}" is neither a role ARN nor a role name.`,
      'Use arn:<partition>:iam::<12-digit account>:role/<path/name>, e.g. arn:aws:iam::123456789012:role/Deploy.',
    ],
  },
  accessKeyId: text('aws-access-key-id'),
  secretAccessKey: text('aws-secret-access-key'),
  sessionToken: text('aws-session-token'),
  webIdentityTokenFile: { kind: 'path', input: 'web-identity-token-file' },
  roleChaining: bool('role-chaining'),
  audience: text('audience', DEFAULTS.audience),
  httpProxy: { kind: 'url', input: 'http-proxy', fromEnvironment: proxyFromEnvironment },
  noProxy: {
    kind: 'line',
    input: 'no-proxy',
    refusal: () => ['no-proxy spans several lines.', 'List the hosts on one line, comma-separated.'],
  },
  maskAccountId: bool('mask-aws-account-id'),
  durationSeconds: {
    kind: 'integer',
    input: 'role-duration-seconds',
    fallback: DEFAULTS.durationSeconds,
    min: 900,
    max: 43200,
  },
  externalId: text('role-external-id'),
  sessionName: {
    kind: 'text',
    input: 'role-session-name',
    fallback: DEFAULTS.sessionName,
    pattern: /^[\w+=,.@-]{2,64}$/,
    refusal: (v) => [
      `role-session-name "${v}" is not a valid session name.`,
      'Use 2 to 64 characters from letters, digits and _+=,.@- (e.g. GitHubActions-1234).',
    ],
  },
  skipSessionTagging: bool('role-skip-session-tagging'),
  transitiveTagKeys: { kind: 'list', input: 'transitive-tag-keys', separator: /[\n,]/ },
  // Sent minified, which leaves more of STS's 2048-character limit for the policy itself.
  inlineSessionPolicy: {
    kind: 'json',
    input: 'inline-session-policy',
    refusal: () => [
      'inline-session-policy is not valid JSON.',
      'Pass an IAM policy document as JSON, e.g. {"Version":"2012-10-17","Statement":[...]}.',
    ],
  },
  // One per line, as upstream: a policy ARN may itself contain a comma.
  managedSessionPolicies: {
    kind: 'list',
    input: 'managed-session-policies',
    separator: /\n/,
    pattern: /^arn:[a-z0-9-]+:iam::(?:\d{12}|aws):policy\/.+$/,
    refusal: (v) => [
      `managed-session-policies contains "${v}", which is not a policy ARN.`,
      'List one policy ARN per line, e.g. arn:aws:iam::aws:policy/ReadOnlyAccess.',
    ],
  },
  outputCredentials: bool('output-credentials'),
  // Its default depends on aws-profile and refresh-credentials (rules.ts).
  outputEnvCredentials: { kind: 'boolean', input: 'output-env-credentials' },
  unsetCurrentCredentials: bool('unset-current-credentials'),
  disableRetry: bool('disable-retry'),
  retryMaxAttempts: {
    kind: 'integer',
    input: 'retry-max-attempts',
    fallback: DEFAULTS.retryMaxAttempts,
    min: 1,
    max: 100,
  },
  specialCharactersWorkaround: bool('special-characters-workaround'),
  useExistingCredentials: bool('use-existing-credentials'),
  allowedAccountIds: {
    kind: 'list',
    input: 'allowed-account-ids',
    separator: /,/,
    pattern: /^\d{12}$/,
    refusal: (v) => [
      `allowed-account-ids contains "${v}", which is not a 12-digit account id.`,
      'Give a comma-separated list of 12-digit account ids, e.g. 123456789012,210987654321.',
    ],
  },
  forceSkipOidc: bool('force-skip-oidc'),
  actionTimeoutSeconds: { kind: 'integer', input: 'action-timeout-s', fallback: 0, min: 0, max: 21600 },
  customTags: { kind: 'custom', input: 'custom-tags', parse: parseCustomTags },
  stsEndpoint: { kind: 'url', input: 'sts-endpoint' },
  awsProfile: text('aws-profile'),
  overwriteAwsProfile: bool('overwrite-aws-profile'),
  jobSummary: bool('job-summary', true),
  refreshCredentials: bool('refresh-credentials'),
};

/** Reads the action's inputs (the only place that does) and validates them. */
export function readSettings(env: NodeJS.ProcessEnv): Settings {
  return parseSettings(readRawInputs(env), env);
}

/** Pure: raw input strings in, typed settings out, or an InputError naming the input. */
export function parseSettings(raw: RawInputs, env: NodeJS.ProcessEnv): Settings {
  const table = Object.fromEntries(
    Object.entries(INPUTS).map(([key, spec]) => [key, parseInput(spec, raw, env)]),
  ) as unknown as TableSettings;
  return { ...table, ...applyRules(table) };
}
