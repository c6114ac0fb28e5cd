import { parseCustomTags } from '../aws/session-tags.js';
import { STS_AUDIENCE } from '../aws/sts.js';
import { type InputName, proxyFromEnvironment, type RawInputs, readRawInputs } from './names.js';
import { type InputSpec, parseInput } from './parsers.js';
import { applyRules } from './rules.js';
import { maskEarlySecrets } from './secrets.js';

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
  /** Jobs that may call STS at the same moment as this one (a matrix's size): spreads the first retry. */
  concurrentJobs: number;
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

/** Every input: its kind, and the default, bounds or check of that kind. */
const INPUTS: Record<keyof TableSettings, InputSpec> = {
  region: {
    kind: 'text',
    input: 'aws-region',
    maxLength: 50,
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
    maxLength: 2048,
    // A role ARN, or a bare role name (with its path).
    pattern: /^(?:arn:[a-z0-9-]+:iam::\d{12}:role\/)?(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/,
    refusal: (v) => [
      `role-to-assume "${v}" is neither a role ARN nor a role name.`,
      'Use arn:<partition>:iam::<12-digit account>:role/<path/name>, e.g. arn:aws:iam::123456789012:role/Deploy.',
    ],
  },
  // Secrets: refused without echoing them.
  accessKeyId: {
    kind: 'text',
    input: 'aws-access-key-id',
    maxLength: 128,
    pattern: /^\w+$/,
    refusal: () => [
      'aws-access-key-id is not an access key id.',
      'Use the key id, e.g. AKIAIOSFODNN7EXAMPLE.',
    ],
  },
  secretAccessKey: { kind: 'text', input: 'aws-secret-access-key', maxLength: 256 },
  sessionToken: { kind: 'text', input: 'aws-session-token', maxLength: 16384 },
  webIdentityTokenFile: { kind: 'path', input: 'web-identity-token-file' },
  roleChaining: bool('role-chaining'),
  // Written into the refreshing profile's credential_process line: no " #" or " ;" (INI comments).
  audience: {
    kind: 'text',
    input: 'audience',
    fallback: DEFAULTS.audience,
    maxLength: 1024,
    pattern: /^(?!.*\s[#;])\S.*$/,
    refusal: (v) => [
      `audience "${v}" holds " #" or " ;", which an INI file reads as a comment.`,
      "Use the audience your role's OIDC provider lists, e.g. sts.amazonaws.com.",
    ],
  },
  httpProxy: {
    kind: 'url',
    input: 'http-proxy',
    fromEnvironment: proxyFromEnvironment,
    userInfo: true,
    maxLength: 2048,
  },
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
  externalId: {
    kind: 'text',
    input: 'role-external-id',
    pattern: /^[\w+=,.@:/-]{2,1224}$/,
    refusal: () => [
      'role-external-id is not a valid external id.',
      'Use 2 to 1224 characters from letters, digits and _+=,.@:/-.',
    ],
  },
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
  transitiveTagKeys: {
    kind: 'list',
    input: 'transitive-tag-keys',
    separator: /[\n,]/,
    maxItems: 50,
    pattern: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u,
    refusal: (v) => [
      `transitive-tag-keys contains "${v}", which is not a tag key.`,
      'Use 1 to 128 characters from letters, digits, spaces and _.:/=+-@ per key.',
    ],
  },
  // Sent minified, which leaves more of STS's 2048-character limit for the policy itself.
  inlineSessionPolicy: {
    kind: 'json',
    input: 'inline-session-policy',
    maxLength: 65536,
    maxMinified: 2048,
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
    maxLength: 20480,
    maxItems: 10,
    pattern: /^arn:[a-z0-9-]+:iam::(?:\d{12}|aws):policy\/[\w+=,.@/-]{1,2048}$/,
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
  // Empty outside GitHub's runner (which fills in the matrix's size): a lone job.
  concurrentJobs: { kind: 'integer', input: 'concurrent-jobs', fallback: 1, min: 1, max: 1000 },
  specialCharactersWorkaround: bool('special-characters-workaround'),
  useExistingCredentials: bool('use-existing-credentials'),
  allowedAccountIds: {
    kind: 'list',
    input: 'allowed-account-ids',
    separator: /,/,
    maxItems: 1000,
    maxLength: 16384,
    pattern: /^\d{12}$/,
    refusal: (v) => [
      `allowed-account-ids contains "${v}", which is not a 12-digit account id.`,
      'Give a comma-separated list of 12-digit account ids, e.g. 123456789012,210987654321.',
    ],
  },
  forceSkipOidc: bool('force-skip-oidc'),
  actionTimeoutSeconds: { kind: 'integer', input: 'action-timeout-s', fallback: 0, min: 0, max: 21600 },
  customTags: { kind: 'custom', input: 'custom-tags', parse: parseCustomTags, maxLength: 65536 },
  stsEndpoint: { kind: 'url', input: 'sts-endpoint', maxLength: 2048 },
  awsProfile: { kind: 'text', input: 'aws-profile', maxLength: 128 },
  overwriteAwsProfile: bool('overwrite-aws-profile'),
  jobSummary: bool('job-summary', true),
  refreshCredentials: bool('refresh-credentials'),
};

/** Reads the action's inputs (the only place that does) and validates them. */
export function readSettings(env: NodeJS.ProcessEnv): Settings {
  const raw = readRawInputs(env);
  // Before any check can print a value, and before the first call.
  maskEarlySecrets(raw, env);
  return parseSettings(raw, env);
}

/** Pure: raw input strings in, typed settings out, or an InputError naming the input. */
export function parseSettings(raw: RawInputs, env: NodeJS.ProcessEnv): Settings {
  const table = Object.fromEntries(
    Object.entries(INPUTS).map(([key, spec]) => [key, parseInput(spec, raw, env)]),
  ) as unknown as TableSettings;
  return { ...table, ...applyRules(table) };
}
