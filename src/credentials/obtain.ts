import type { AssumeRoleCommandInput } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { roleArnFor } from '../aws/arn.js';
import { buildSessionTags, essentialTags, type Tag } from '../aws/session-tags.js';
import type { Sts } from '../aws/sts.js';
import { errorFacts } from '../common/classify.js';
import { log } from '../common/log.js';
import { withRetry } from '../common/retry.js';
import type { Settings } from '../inputs/settings.js';
import { recordClaims } from '../tokens/claims.js';
import { requestGitHubIdToken } from '../tokens/oidc-request.js';
import { GitHubOidcToken, TokenFile, type TokenSource } from '../tokens/token.js';
import { maskAccountIds } from './accounts.js';
import { ambientChain, chainingSource } from './ambient.js';
import {
  type Assumed,
  type AssumeOptions,
  assumedFrom,
  sessionSts,
  withSpecialCharacterWorkaround,
} from './session.js';
import { webIdentitySession } from './web-identity.js';

type SourceCredentials = AwsCredentialIdentity | AwsCredentialIdentityProvider;

/** The credentials stage: one case per source, each ending in an assumed role or checked keys. */
export async function obtainCredentials(options: AssumeOptions): Promise<Assumed> {
  const { settings, source } = options;
  switch (source.kind) {
    case 'oidc':
    case 'token-file': {
      const tokens =
        source.kind === 'oidc'
          ? (options.oidcToken ??
            new GitHubOidcToken(settings.audience, (aud) => requestGitHubIdToken(aud, { env: options.env })))
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
      return assumeWithCredentials(options, source.role, chainingSource(options.env));
    case 'ambient': {
      const chain = ambientChain(options.env);
      return source.role ? assumeWithCredentials(options, source.role, chain) : identify(options, chain);
    }
  }
}

async function assumeWithWebIdentity(
  options: AssumeOptions,
  roleArn: string,
  tokens: TokenSource,
): Promise<Assumed> {
  const { settings } = options;
  const sts = sessionSts(options);
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
  return assumedFrom(credentials, attempts);
}

/** Pure: the AssumeRole request for `roleArn` with these session tags. */
export function assumeRoleRequest(settings: Settings, roleArn: string, tags: Tag[]): AssumeRoleCommandInput {
  return {
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
  };
}

async function assumeWithCredentials(
  options: AssumeOptions,
  role: string,
  sourceCredentials: SourceCredentials,
): Promise<Assumed> {
  const { settings } = options;
  const sts = sessionSts(options, sourceCredentials);
  let attempts = 0;
  const call = async <T>(operation: () => Promise<T>): Promise<T> => {
    const outcome = await withRetry(operation, options.retry, {
      webIdentity: false,
      onRetry: options.onRetry,
    });
    attempts += outcome.attempts;
    return outcome.value;
  };
  const roleArn = role.startsWith('arn:') ? role : await roleInCallerAccount(settings, role, sts, call);
  const allTags = settings.skipSessionTagging ? [] : buildSessionTags(options.env, settings.customTags);
  const credentials = await withSpecialCharacterWorkaround(settings, async () => {
    try {
      return await call(() => sts.assumeRole(assumeRoleRequest(settings, roleArn, allTags)));
    } catch (error) {
      // The tags can push the packed session policy over its limit; try once with only the
      // tags that identify the run.
      const fewer = essentialTags(allTags, settings.transitiveTagKeys);
      if (errorFacts(error).code !== 'PackedPolicyTooLarge' || fewer.length === allTags.length) throw error;
      const dropped = allTags.filter((tag) => !fewer.includes(tag)).map((tag) => tag.Key);
      log(
        'warning',
        `AssumeRole failed with PackedPolicyTooLarge; trying once more without the session tags ${dropped.join(', ')}.`,
      );
      return call(() => sts.assumeRole(assumeRoleRequest(settings, roleArn, fewer)));
    }
  });
  return assumedFrom(credentials, attempts);
}

/** A bare role name takes its partition and account from the source credentials. */
async function roleInCallerAccount(
  settings: Settings,
  role: string,
  sts: Sts,
  call: <T>(operation: () => Promise<T>) => Promise<T>,
): Promise<string> {
  const caller = await call(() => sts.getCallerIdentity());
  // The keys' account may differ from any the inputs named; mask it before STS can echo it.
  if (settings.maskAccountId) maskAccountIds(caller.account);
  return roleArnFor(role, caller.arn);
}

/** No role to assume: check the credentials work and learn whose they are. */
async function identify(options: AssumeOptions, credentials: SourceCredentials): Promise<Assumed> {
  const sts = sessionSts(options, credentials);
  const outcome = await withRetry(() => sts.getCallerIdentity(), options.retry, {
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
