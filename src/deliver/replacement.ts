import { displayArn } from '../aws/arn.js';

/**
 * Exported next to the credentials: whom they act as (the account hidden when masked). Not a
 * secret; it lets the next invocation say which credentials it replaces without reading any key.
 */
export const IDENTITY_VARIABLE = 'AWS_CREDENTIALS_ACTION_ARN';

/** Credentials found in the environment before this invocation; `arn` when an earlier one named them. */
export interface EarlierCredentials {
  arn?: string;
}

/** Pure: what is in the environment now. Read before anything (unset, ambient lookup) changes it. */
export function earlierCredentials(env: NodeJS.ProcessEnv): EarlierCredentials | undefined {
  if (!env.AWS_ACCESS_KEY_ID) return undefined;
  const arn = env[IDENTITY_VARIABLE];
  return arn ? { arn } : {};
}

/** Pure: the value of IDENTITY_VARIABLE for credentials acting as `arn`. */
export function identityMarker(arn: string, maskAccountId: boolean): string {
  return displayArn(arn, maskAccountId);
}

/** Pure: the one notice line about replaced credentials, or undefined when nothing was replaced. */
export function replacementNotice(
  earlier: EarlierCredentials | undefined,
  arn: string,
  maskAccountId: boolean,
): string | undefined {
  if (!earlier) return undefined;
  const now = arn ? displayArn(arn, maskAccountId) : 'the new credentials';
  return earlier.arn
    ? `Replaced the AWS credentials of ${displayArn(earlier.arn, maskAccountId)} (set by an earlier invocation of this action) with ${now}.`
    : `Replaced the AWS credentials that an earlier step left in the environment with ${now}.`;
}
