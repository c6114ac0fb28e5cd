import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { proxyUserInfo } from '../aws/proxy.js';
import { ActionError } from '../common/errors.js';
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
  };
}

const PLAIN = /^[\w@%+=:,./-]+$/;

/**
 * One command line that both readers of credential_process split back into `argv`: the JS SDK
 * hands it to a shell (sh, or cmd.exe on Windows), the AWS CLI splits it itself (shlex on POSIX).
 */
export function commandLine(argv: string[], platform: NodeJS.Platform = process.platform): string {
  const quoted = argv.map((arg) => {
    if (PLAIN.test(arg)) return arg;
    if (platform !== 'win32') return `'${arg.replaceAll("'", `'\\''`)}'`;
    if (/["%]/.test(arg)) throw unquotable(arg);
    return `"${arg.replace(/(\\+)$/, '$1$1')}"`;
  });
  const line = quoted.join(' ');
  // The JS SDK cuts a config value at whitespace followed by # or ; (an inline comment).
  if (/\s[#;]/.test(line)) throw unquotable(line);
  return line;
}

function unquotable(text: string): ActionError {
  return new ActionError(
    'Cannot write credential_process',
    `The refresher's command line cannot be written so that every AWS SDK reads it back: ${text}`,
    'Run the action from a path without " or %, and without # or ; after a space.',
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
