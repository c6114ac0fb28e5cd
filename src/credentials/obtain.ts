import * as core from '@actions/core';
import type { STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { buildSessionTags, essentialTags, type Tag } from '../aws/session-tags.js';
import {
  assumeRole,
  assumeRoleWithWebIdentity,
  type Credentials,
  createStsClient,
  getCallerIdentity,
  type WebIdentityRequest,
} from '../aws/sts.js';
import { ActionError } from '../common/errors.js';
import {
  errorFacts,
  type RetryEvent,
  type RetryOutcome,
  type RetryPolicy,
  withRetry,
} from '../common/retry.js';
import type { Settings } from '../inputs/settings.js';
import { recordClaims, type TokenClaims } from '../tokens/claims.js';
import { GitHubOidcToken, TokenFile, type TokenSource } from '../tokens/token.js';
import { accountOf, maskAccountIds } from './accounts.js';
import { defaultCredentialChain } from './ambient.js';
import type { CredentialSource } from './source.js';

export interface Assumed {
  credentials: Credentials;
  accountId: string;
  arn: string;
  /** STS calls made, retries included. */
  attempts: number;
  /** use-existing-credentials: these were already in place, so there is nothing to export. */
  kept?: boolean;
}

export interface AssumeOptions {
  settings: Settings;
  source: CredentialSource;
  /** The job's environment: GitHub context for tags, source credentials for role chaining. */
  env: NodeJS.ProcessEnv;
  retry: RetryPolicy;
  onRetry: (event: RetryEvent) => void;
  /** Where a GitHub OIDC token comes from (tests pass their own). */
  oidcToken?: TokenSource;
  /** Told the claims of each web identity token sent (never the token), to explain a refusal. */
  onClaims?: (claims: TokenClaims) => void;
}

/** The last stages of the pipeline: get a token or source credentials, then assume the role. */
export async function obtainCredentials(options: AssumeOptions): Promise<Assumed> {
  const { settings, source } = options;
  switch (source.kind) {
    case 'oidc':
    case 'token-file': {
      const tokens =
        source.kind === 'oidc'
          ? (options.oidcToken ?? new GitHubOidcToken(settings.audience))
          : new TokenFile(source.tokenFile);
      const onClaims = options.onClaims;
      return assumeWithWebIdentity(
        options,
        source.roleArn,
        onClaims ? recordClaims(tokens, onClaims) : tokens,
      );
    }
    case 'access-keys': {
      const keys: AwsCredentialIdentity = {
        accessKeyId: settings.accessKeyId ?? '',
        secretAccessKey: settings.secretAccessKey ?? '',
        sessionToken: settings.sessionToken,
      };
      return source.role ? assumeWithCredentials(options, source.role, keys) : identify(options, keys);
    }
    case 'role-chaining':
      return assumeWithCredentials(options, source.role, environmentCredentials(options.env));
    case 'ambient': {
      const chain = ambientChain(options.env);
      return source.role ? assumeWithCredentials(options, source.role, chain) : identify(options, chain);
    }
  }
}

export function stsClient(
  settings: Settings,
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider,
): STSClient {
  return createStsClient({
    region: settings.region,
    endpoint: settings.stsEndpoint,
    credentials,
  });
}

async function assumeWithWebIdentity(
  options: AssumeOptions,
  roleArn: string,
  tokens: TokenSource,
): Promise<Assumed> {
  const { settings } = options;
  const sts = stsClient(settings);
  let attempts = 0;
  const credentials = await withSpecialCharacterWorkaround(settings, async () => {
    const request = {
      roleArn,
      sessionName: settings.sessionName,
      durationSeconds: settings.durationSeconds,
      policy: settings.inlineSessionPolicy,
      policyArns: settings.managedSessionPolicies.length ? settings.managedSessionPolicies : undefined,
    };
    const outcome = await webIdentitySession(sts, request, tokens, options.retry, options.onRetry);
    attempts += outcome.attempts;
    return outcome.value;
  });
  return finish(credentials, attempts);
}

/**
 * AssumeRoleWithWebIdentity with the classified retry, the token taken from `tokens` for each
 * attempt and swapped for a fresh one when STS says it expired. The action and the refresher share it.
 */
export function webIdentitySession(
  sts: STSClient,
  request: Omit<WebIdentityRequest, 'webIdentityToken'>,
  tokens: TokenSource,
  retry: RetryPolicy,
  onRetry: (event: RetryEvent) => void,
): Promise<RetryOutcome<Credentials>> {
  return withRetry(
    async () => assumeRoleWithWebIdentity(sts, { ...request, webIdentityToken: await tokens.token() }),
    retry,
    {
      webIdentity: true,
      onRetry,
      refreshToken: async () => {
        await tokens.token(true);
      },
    },
  );
}

async function assumeWithCredentials(
  options: AssumeOptions,
  role: string,
  sourceCredentials: AwsCredentialIdentity | AwsCredentialIdentityProvider,
): Promise<Assumed> {
  const { settings } = options;
  const sts = stsClient(settings, sourceCredentials);
  let attempts = 0;
  const call = async <T>(operation: () => Promise<T>): Promise<T> => {
    const outcome = await withRetry(operation, options.retry, {
      webIdentity: false,
      onRetry: options.onRetry,
    });
    attempts += outcome.attempts;
    return outcome.value;
  };

  // A bare role name takes its partition and account from the source credentials.
  let roleArn = role;
  if (!role.startsWith('arn:')) {
    const caller = await call(() => getCallerIdentity(sts));
    // The keys' account may differ from any the inputs named; mask it before STS can echo it.
    if (settings.maskAccountId) maskAccountIds(caller.account);
    roleArn = roleArnFor(role, caller.arn);
  }
  const allTags = settings.skipSessionTagging ? [] : buildSessionTags(options.env, settings.customTags);
  const request = (tags: Tag[]) => ({
    RoleArn: roleArn,
    RoleSessionName: settings.sessionName,
    DurationSeconds: settings.durationSeconds,
    ExternalId: settings.externalId,
    Tags: tags.length ? tags : undefined,
    TransitiveTagKeys:
      tags.length && settings.transitiveTagKeys.length ? settings.transitiveTagKeys : undefined,
    Policy: settings.inlineSessionPolicy,
    PolicyArns: settings.managedSessionPolicies.length
      ? settings.managedSessionPolicies.map((arn) => ({ arn }))
      : undefined,
  });

  const credentials = await withSpecialCharacterWorkaround(settings, async () => {
    try {
      return await call(() => assumeRole(sts, request(allTags)));
    } catch (error) {
      // The tags can push the packed session policy over its limit; try once with only the
      // tags that identify the run.
      const fewer = essentialTags(allTags, settings.transitiveTagKeys);
      if (errorFacts(error).code !== 'PackedPolicyTooLarge' || fewer.length === allTags.length) throw error;
      const dropped = allTags.filter((tag) => !fewer.includes(tag)).map((tag) => tag.Key);
      core.warning(
        `AssumeRole failed with PackedPolicyTooLarge; trying once more without the session tags ${dropped.join(', ')}.`,
      );
      return call(() => assumeRole(sts, request(fewer)));
    }
  });
  return finish(credentials, attempts);
}

/** No role to assume: check the credentials work and learn whose they are. */
async function identify(
  options: AssumeOptions,
  credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider,
): Promise<Assumed> {
  const sts = stsClient(options.settings, credentials);
  const outcome = await withRetry(() => getCallerIdentity(sts), options.retry, {
    webIdentity: false,
    onRetry: options.onRetry,
  });
  const resolved = typeof credentials === 'function' ? await credentials() : credentials;
  return {
    credentials: { ...resolved, arn: outcome.value.arn },
    accountId: outcome.value.account,
    arn: outcome.value.arn,
    attempts: outcome.attempts,
  };
}

/** The ARN of role `name` in the partition and account of the caller `callerArn`. */
export function roleArnFor(name: string, callerArn: string): string {
  const [, partition = 'aws', , , account = ''] = callerArn.split(':');
  return `arn:${partition}:iam::${account}:role/${name}`;
}

function finish(credentials: Credentials, attempts: number): Assumed {
  const arn = credentials.arn ?? '';
  return { credentials, arn, accountId: accountOf(arn) ?? '', attempts };
}

/**
 * Some tools choke on secrets with characters other than letters and digits. Upstream assumes
 * again until it gets a plain one, without bound; this stops after retry-max-attempts.
 */
export async function withSpecialCharacterWorkaround(
  settings: Pick<Settings, 'specialCharactersWorkaround' | 'retryMaxAttempts'>,
  assume: () => Promise<Credentials>,
): Promise<Credentials> {
  const tries = settings.specialCharactersWorkaround ? settings.retryMaxAttempts : 1;
  let credentials = await assume();
  for (let n = 1; n < tries && !/^[A-Za-z0-9]+$/.test(credentials.secretAccessKey); n++) {
    credentials = await assume();
  }
  if (settings.specialCharactersWorkaround && !/^[A-Za-z0-9]+$/.test(credentials.secretAccessKey)) {
    throw new ActionError(
      'No plain secret key',
      `special-characters-workaround: every one of ${tries} sessions had a secret key with special characters.`,
      'Raise retry-max-attempts, or drop special-characters-workaround and quote the key where it is used.',
    );
  }
  return credentials;
}

export function environmentCredentials(env: NodeJS.ProcessEnv): AwsCredentialIdentity {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new ActionError(
      'No credentials to chain from',
      'role-chaining is true but AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are not set in the environment.',
      'Run this action once before (e.g. with OIDC for the hub role), then again with role-chaining: true.',
    );
  }
  return { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN || undefined };
}

/** The runner's own credentials, without the environment's (see defaultCredentialChain). */
function ambientChain(env: NodeJS.ProcessEnv): AwsCredentialIdentityProvider {
  const provider = defaultCredentialChain(env, { withEnvironment: false });
  return async () => {
    try {
      return await provider();
    } catch (error) {
      throw new ActionError(
        'No credentials found',
        `No credentials were given and none were found on this runner (${errorFacts(error).message}).`,
        'Use role-to-assume with `permissions: id-token: write`, pass aws-access-key-id / aws-secret-access-key, ' +
          'or run on a self-hosted runner with an instance profile or container role.',
        { cause: error },
      );
    }
  };
}
