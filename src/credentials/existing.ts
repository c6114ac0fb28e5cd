import { isSessionOf } from '../aws/arn.js';
import type { CallerIdentity } from '../aws/sts.js';
import { errorFacts } from '../common/classify.js';
import { log } from '../common/log.js';
import { withRetry } from '../common/retry.js';
import type { Settings } from '../inputs/settings.js';
import { maskAccountIds } from './accounts.js';
import { defaultCredentialChain } from './ambient.js';
import { type Assumed, type AssumeOptions, sessionSts } from './session.js';

export type ExistingOptions = Pick<AssumeOptions, 'settings' | 'env' | 'retry' | 'onRetry' | 'sts'>;

/**
 * use-existing-credentials: the credentials already in place (environment, shared files, instance
 * role), when STS accepts them and they are what this step asks for. Undefined means "carry on as
 * if the input were false".
 */
export async function keepExistingCredentials(options: ExistingOptions): Promise<Assumed | undefined> {
  const { settings } = options;
  // The SDK's default chain, environment first, as upstream checks.
  const provider = defaultCredentialChain(options.env, { withEnvironment: true });
  const sts = sessionSts(options, provider);
  let identity: CallerIdentity;
  let attempts: number;
  try {
    const outcome = await withRetry(() => sts.getCallerIdentity(), options.retry, {
      webIdentity: false,
      onRetry: options.onRetry,
    });
    identity = outcome.value;
    attempts = outcome.attempts;
  } catch (error) {
    log('info', `use-existing-credentials: no valid credentials in place (${errorFacts(error).message}).`);
    return undefined;
  }
  if (settings.maskAccountId) maskAccountIds(identity.account);
  const refusal = whyNotKeep(identity, settings);
  if (refusal) {
    log('info', `use-existing-credentials: not keeping the credentials of ${identity.arn}: ${refusal}.`);
    return undefined;
  }
  const credentials = await provider();
  log('info', `use-existing-credentials: the credentials of ${identity.arn} are valid; keeping them.`);
  return {
    credentials: { ...credentials, arn: identity.arn },
    accountId: identity.account,
    arn: identity.arn,
    attempts,
    kept: true,
  };
}

/**
 * Pure: why valid credentials are still not the ones asked for, or undefined to keep them. Upstream
 * keeps any valid credentials, even another role's, which silently runs later steps as that role.
 */
export function whyNotKeep(
  identity: CallerIdentity,
  settings: Pick<Settings, 'roleToAssume' | 'allowedAccountIds'>,
): string | undefined {
  const allowed = settings.allowedAccountIds;
  if (allowed.length > 0 && !allowed.includes(identity.account)) {
    return `account ${identity.account} is not in allowed-account-ids`;
  }
  const role = settings.roleToAssume;
  if (role && !isSessionOf(identity.arn, role)) return `they are not a session of ${role}`;
  return undefined;
}
