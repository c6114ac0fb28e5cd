import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { accountOf } from '../aws/arn.js';
import type { Credentials, Sts, StsFactory } from '../aws/sts.js';
import { ActionError } from '../common/errors.js';
import type { RetryEvent, RetryPolicy } from '../common/retry.js';
import type { Settings } from '../inputs/settings.js';
import type { TokenClaims } from '../tokens/claims.js';
import type { TokenSource } from '../tokens/token.js';
import type { CredentialSource } from './source.js';

/** What the credentials stage hands on: the credentials and whose they are. */
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
  /** STS, for given signing credentials (tests pass their own). */
  sts: StsFactory;
  /** Where a GitHub OIDC token comes from (tests pass their own). */
  oidcToken?: TokenSource;
  /** Told the claims of each web identity token sent (never the token), to explain a refusal. */
  onClaims?: (claims: TokenClaims) => void;
}

/** STS in the settings' region and endpoint, signing with `credentials` when given. */
export function sessionSts(
  options: Pick<AssumeOptions, 'settings' | 'sts'>,
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider,
): Sts {
  const { settings } = options;
  return options.sts({ region: settings.region, endpoint: settings.stsEndpoint, credentials });
}

/** The Assumed for credentials STS returned with their session ARN. */
export function assumedFrom(credentials: Credentials, attempts: number): Assumed {
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
