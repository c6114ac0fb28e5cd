import * as core from '@actions/core';

/** Every input in action.yml. A test checks that the two lists agree. */
export const INPUT_NAMES = [
  'aws-region',
  'role-to-assume',
  'aws-access-key-id',
  'aws-secret-access-key',
  'aws-session-token',
  'web-identity-token-file',
  'role-chaining',
  'audience',
  'http-proxy',
  'no-proxy',
  'mask-aws-account-id',
  'role-duration-seconds',
  'role-external-id',
  'role-session-name',
  'role-skip-session-tagging',
  'transitive-tag-keys',
  'inline-session-policy',
  'managed-session-policies',
  'output-credentials',
  'output-env-credentials',
  'unset-current-credentials',
  'disable-retry',
  'retry-max-attempts',
  'concurrent-jobs',
  'special-characters-workaround',
  'use-existing-credentials',
  'allowed-account-ids',
  'force-skip-oidc',
  'action-timeout-s',
  'custom-tags',
  'sts-endpoint',
  'aws-profile',
  'overwrite-aws-profile',
  'job-summary',
  'refresh-credentials',
] as const;

export type InputName = (typeof INPUT_NAMES)[number];

export type RawInputs = Partial<Record<string, string>>;

/**
 * Where an input may also come from the environment, as upstream allows. Credentials and the profile
 * are left out on purpose: this action exports AWS_ACCESS_KEY_ID and AWS_PROFILE itself, so reading
 * them back would make a later invocation reuse an earlier one's credentials. http-proxy has its own
 * fallback (proxyFromEnvironment): HTTPS_PROXY before HTTP_PROXY, as upstream.
 */
export function envFallbackName(name: string): string | undefined {
  if (name === 'aws-region') return 'AWS_REGION';
  if (name.startsWith('aws-') || name === 'http-proxy') return undefined;
  return name.toUpperCase().replace(/-/g, '_');
}

/** The only caller of core.getInput. An explicit input always wins over the environment. */
export function readRawInputs(env: NodeJS.ProcessEnv): RawInputs {
  const raw: RawInputs = {};
  for (const name of INPUT_NAMES) {
    const fromInput = core.getInput(name);
    const fallback = envFallbackName(name);
    raw[name] = fromInput || (fallback ? env[fallback] : undefined) || '';
  }
  return raw;
}

/**
 * job-summary as given, read before the settings are parsed, so that a step failing on its inputs
 * still writes its summary unless told not to.
 */
export function jobSummaryRequested(env: NodeJS.ProcessEnv): boolean {
  return !/^false$/i.test((readRawInputs(env)['job-summary'] ?? '').trim());
}

/** Upstream's fallback for http-proxy: HTTPS_PROXY, then HTTP_PROXY, for every endpoint. */
export function proxyFromEnvironment(env: NodeJS.ProcessEnv): string | undefined {
  const value = (env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy)?.trim();
  if (!value) return undefined;
  return /^https?:\/\//i.test(value) ? value : `http://${value}`;
}
