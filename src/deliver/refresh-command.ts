import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { proxyUserInfo } from '../aws/proxy.js';
import { ActionError } from '../common/errors.js';
import { type RetryPolicy, retryPolicy } from '../common/retry.js';
import type { Settings } from '../inputs/settings.js';
import type { ProfileContent } from './profile.js';

/**
 * The `credential_process` line of a self-refreshing profile, and its parsing on the other side
 * (src/refresher.ts). Both ends live here so they cannot drift apart.
 */

/** Everything the refresher needs to assume the role again; none of it is secret. */
export interface RefreshOptions {
  roleArn: string;
  sessionName: string;
  durationSeconds: number;
  audience: string;
  region: string;
  stsEndpoint?: string;
  httpProxy?: string;
  noProxy?: string;
  /** The inline session policy: refreshed sessions must be no broader than the first one. */
  policy?: string;
  policyArns: string[];
  maxAttempts: number;
  /** Where the refresher records each refresh for the post step's summary (job-summary). */
  healthFile?: string;
}

/** `roleArn`: the OIDC source's role; source.ts refuses refresh-credentials with any other source. */
export function refreshOptions(settings: Settings, roleArn: string): RefreshOptions {
  return {
    roleArn,
    sessionName: settings.sessionName,
    durationSeconds: settings.durationSeconds,
    audience: settings.audience,
    region: settings.region,
    stsEndpoint: settings.stsEndpoint,
    // A proxy URL with a password would end up in the config file and in error messages.
    httpProxy: proxyUserInfo(settings.httpProxy).length === 0 ? settings.httpProxy : undefined,
    noProxy: settings.noProxy,
    policy: settings.inlineSessionPolicy,
    policyArns: settings.managedSessionPolicies,
    maxAttempts: settings.disableRetry ? 1 : settings.retryMaxAttempts,
  };
}

/**
 * Pure: the warning when the http-proxy input holds a user name or password, which is never written
 * into the refreshing profile's line (other users can read a command line). Not when the value came
 * from the job's HTTPS_PROXY / HTTP_PROXY (`fromEnvironment`): the refresher reads that itself.
 */
export function refresherProxyWarning(
  httpProxy: string | undefined,
  fromEnvironment: string | undefined,
): string | undefined {
  if (proxyUserInfo(httpProxy).length === 0 || httpProxy === fromEnvironment) return undefined;
  return (
    'http-proxy holds a user name or password, so the refresher that refresh-credentials writes will not use ' +
    'it: a command line is readable by other users. The refresher uses HTTPS_PROXY from the job environment ' +
    'instead; set HTTPS_PROXY in the job `env:` (from a secret) if refreshes must go through this proxy.'
  );
}

/**
 * The refresher stops starting attempts this long after it started. The Go SDKs kill a
 * credential_process after 60 s (processcreds.DefaultTimeout); the last attempt (a token request
 * and an STS call, each bounded by its socket timeouts) must end, and its error reach the user,
 * before that.
 */
export const REFRESHER_DEADLINE_MS = 40_000;

/** No sleep of the refresher's is longer: even the longest draws leave room for four attempts. */
export const REFRESHER_MAX_SLEEP_MS = 15_000;

/** Pure: the refresher's retry policy: the action's schedule, shortened to fit REFRESHER_DEADLINE_MS. */
export function refresherRetryPolicy(
  options: Pick<RefreshOptions, 'maxAttempts'>,
  startedAt: number,
): RetryPolicy {
  const policy = retryPolicy(
    { disableRetry: false, retryMaxAttempts: options.maxAttempts, actionTimeoutSeconds: 0 },
    startedAt,
  );
  return {
    ...policy,
    backoff: { ...policy.backoff, maxDelayMs: REFRESHER_MAX_SLEEP_MS },
    deadline: startedAt + REFRESHER_DEADLINE_MS,
  };
}

const FLAGS = {
  roleArn: '--role-arn',
  sessionName: '--session-name',
  durationSeconds: '--duration-seconds',
  audience: '--audience',
  region: '--region',
  stsEndpoint: '--sts-endpoint',
  httpProxy: '--http-proxy',
  noProxy: '--no-proxy',
  policy: '--policy-base64',
  policyArns: '--policy-arn',
  maxAttempts: '--max-attempts',
  healthFile: '--health-file',
} as const satisfies Record<keyof RefreshOptions, string>;

export function refresherArgs(options: RefreshOptions): string[] {
  const values: Partial<Record<keyof RefreshOptions, string | string[]>> = {
    ...options,
    durationSeconds: String(options.durationSeconds),
    maxAttempts: String(options.maxAttempts),
    // JSON is full of quotes that cmd.exe and shells read differently; base64url has none.
    policy: options.policy === undefined ? undefined : Buffer.from(options.policy).toString('base64url'),
  };
  return Object.entries(FLAGS).flatMap(([key, flag]) => {
    const value = values[key as keyof RefreshOptions];
    return (Array.isArray(value) ? value : value === undefined ? [] : [value]).flatMap((v) => [flag, v]);
  });
}

export function parseRefresherArgs(argv: string[]): RefreshOptions {
  const byFlag = new Map<string, string>();
  const policyArns: string[] = [];
  for (let i = 0; i < argv.length; i += 2) {
    const flag = argv[i] ?? '';
    const value = argv[i + 1];
    if (!Object.values(FLAGS).includes(flag as never) || value === undefined) {
      throw new Error(`Unexpected argument ${JSON.stringify(flag)}.`);
    }
    // Policy ARNs may contain commas, so each one has its own flag.
    if (flag === FLAGS.policyArns) policyArns.push(value);
    else byFlag.set(flag, value);
  }
  const required = (flag: string): string => {
    const value = byFlag.get(flag);
    if (value === undefined) throw new Error(`Missing ${flag}.`);
    return value;
  };
  const integer = (flag: string): number => {
    const value = Number(required(flag));
    if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${flag} is not a positive whole number.`);
    return value;
  };
  const policy = byFlag.get(FLAGS.policy);
  return {
    roleArn: required(FLAGS.roleArn),
    sessionName: required(FLAGS.sessionName),
    durationSeconds: integer(FLAGS.durationSeconds),
    audience: required(FLAGS.audience),
    region: required(FLAGS.region),
    stsEndpoint: byFlag.get(FLAGS.stsEndpoint),
    httpProxy: byFlag.get(FLAGS.httpProxy),
    noProxy: byFlag.get(FLAGS.noProxy),
    policy: policy === undefined ? undefined : Buffer.from(policy, 'base64url').toString('utf8'),
    policyArns,
    maxAttempts: integer(FLAGS.maxAttempts),
    healthFile: byFlag.get(FLAGS.healthFile),
  };
}

const PLAIN = /^[\w@%+=:,./-]+$/;
/**
 * Left bare on Windows: no space and nothing cmd.exe reads (& | < > ^ ( ) % ! "). The Go SDKs run
 * `cmd.exe /C <line>` and cannot start a quoted program (aws/aws-sdk-go-v2#3208), and older Go INI
 * parsers read the `\n` of a quoted `\node.exe` as a newline, so a path is quoted only when it must be.
 */
const WINDOWS_PLAIN = /^[\w@+=:,./\\-]+$/;

/**
 * One command line that every reader of credential_process splits back into `argv`: the JS SDKs
 * hand it to a shell (sh, or `cmd.exe /d /s /c "…"` on Windows), the Go SDKs to `sh -c` or
 * `cmd.exe /C`, botocore splits it itself (shlex, or CommandLineToArgvW's rules on Windows).
 * A line that some of them could not run as meant is refused before any call.
 */
export function commandLine(argv: string[], platform: NodeJS.Platform = process.platform): string {
  const windows = platform === 'win32';
  const quoted = argv.map((arg) => {
    if (/\p{Cc}/u.test(arg)) throw unquotable(arg);
    if (!windows) return PLAIN.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
    // cmd.exe expands %NAME% inside quotes too, and has no escape for " within them.
    if (/["%]/.test(arg)) throw unquotable(arg);
    return WINDOWS_PLAIN.test(arg) ? arg : `"${arg.replace(/(\\+)$/, '$1$1')}"`;
  });
  const line = quoted.join(' ');
  // The JS SDK cuts a config value at whitespace followed by # or ; (an inline comment).
  if (/\s[#;]/.test(line)) throw unquotable(line);
  return line;
}

function unquotable(text: string): ActionError {
  return new ActionError(
    'Cannot write credential_process',
    `The refresher's command line cannot be written so that every AWS SDK reads it back: ${JSON.stringify(text)}`,
    'Run the action (and node) from a path without ", %, control characters, or # or ; after a space.',
  );
}

/** dist/refresh/index.js, next to the running bundle (dist/index.js). */
export function refresherScript(): string {
  return path.join(path.dirname(fileURLToPath(import.meta.url)), 'refresh', 'index.js');
}

/** The profile of refresh-credentials: the region and a credential_process line, no keys. */
export function refreshingProfile(
  options: RefreshOptions,
  node: string = process.execPath,
  script: string = refresherScript(),
): ProfileContent {
  if (!existsSync(script)) {
    throw new ActionError(
      'Refresher missing',
      `refresh-credentials needs ${script}, which is not there.`,
      'Use a released version of the action, whose dist/ includes refresh/index.js.',
    );
  }
  return {
    config: {
      region: options.region,
      credential_process: commandLine([node, script, ...refresherArgs(options)]),
    },
  };
}
