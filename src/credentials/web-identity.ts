import type { Credentials, Sts, WebIdentityRequest } from '../aws/sts.js';
import { type RetryEvent, type RetryOutcome, type RetryPolicy, withRetry } from '../common/retry.js';
import type { TokenSource } from '../tokens/token.js';

/**
 * AssumeRoleWithWebIdentity with the classified retry, the token taken from `tokens` for each
 * attempt and swapped for a fresh one when STS says it expired. The action and the refresher share
 * it; it is all the refresher needs of the credentials stage, so it imports nothing else of it.
 */
export function webIdentitySession(
  sts: Sts,
  request: Omit<WebIdentityRequest, 'webIdentityToken'>,
  tokens: TokenSource,
  retry: RetryPolicy,
  onRetry: (event: RetryEvent) => void,
): Promise<RetryOutcome<Credentials>> {
  return withRetry(
    async () => sts.assumeRoleWithWebIdentity({ ...request, webIdentityToken: await tokens.token() }),
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
