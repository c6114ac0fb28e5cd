import type { Credentials } from '../aws/sts.js';

/**
 * Pure: the credentials as the formats print them. Every value is quoted for a POSIX shell, so
 * `eval "$(...)"` sets exactly the value whatever it holds.
 */

/** POSIX single quotes: nothing inside is special except the quote, written as '\''. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * `--format env`: export lines for eval. Every variable an earlier run (or `aws configure
 * export-credentials`) may have set is overwritten or unset, so nothing stale pairs with the new keys:
 * botocore reads AWS_SECURITY_TOKEN before AWS_SESSION_TOKEN and applies AWS_CREDENTIAL_EXPIRATION,
 * and an AWS_PROFILE would win over the keys in the AWS SDK for JavaScript v3.
 */
export function envScript(credentials: Credentials, region: string): string {
  const set: Array<[string, string | undefined]> = [
    ['AWS_ACCESS_KEY_ID', credentials.accessKeyId],
    ['AWS_SECRET_ACCESS_KEY', credentials.secretAccessKey],
    ['AWS_SESSION_TOKEN', credentials.sessionToken],
    ['AWS_SECURITY_TOKEN', credentials.sessionToken],
    ['AWS_CREDENTIAL_EXPIRATION', credentials.expiration?.toISOString()],
    ['AWS_REGION', region],
    ['AWS_DEFAULT_REGION', region],
    ['AWS_PROFILE', undefined],
  ];
  const lines = set.map(([name, value]) =>
    value === undefined ? `unset ${name}` : `export ${name}=${shellQuote(value)}`,
  );
  return `${lines.join('\n')}\n`;
}

/** `--format json`: what a credential_process prints. */
export function credentialProcessJson(credentials: Credentials): string {
  return `${JSON.stringify({
    Version: 1,
    AccessKeyId: credentials.accessKeyId,
    SecretAccessKey: credentials.secretAccessKey,
    SessionToken: credentials.sessionToken,
    Expiration: credentials.expiration?.toISOString(),
  })}\n`;
}

/**
 * Text from outside (claims, STS messages, paths) made safe for a log: control characters shown
 * as escapes, and no line that a runner could take for a workflow command (`::name::`).
 */
export function forLog(text: string): string {
  return text
    .replace(/\p{Cc}/gu, (c) =>
      c === '\n' || c === '\t' ? c : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    )
    .split('\n')
    .map((line) => (/^\s*::/.test(line) ? `> ${line}` : line))
    .join('\n');
}
