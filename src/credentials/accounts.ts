import { ActionError } from '../common/errors.js';
import { secret } from '../common/log.js';

/** allowed-account-ids: refuse credentials for any other account, whatever the source. */
export function checkAllowedAccount(accountId: string, allowed: string[]): void {
  if (allowed.length === 0 || allowed.includes(accountId)) return;
  throw new ActionError(
    'Account not allowed',
    `The credentials belong to account ${accountId}, which is not in allowed-account-ids (${allowed.join(', ')}).`,
    'Check role-to-assume points at the intended account, or add the account to allowed-account-ids.',
  );
}

const masked = new Set<string>();

/** mask-aws-account-id: register account ids with the runner before a log line can show them. */
export function maskAccountIds(...ids: Array<string | undefined>): void {
  for (const id of ids) {
    if (!id) continue;
    secret(id);
    masked.add(id);
  }
}

/** Every account id masked so far, for what the runner's masking may not reach (the summary file). */
export function maskedAccountIds(): string[] {
  return [...masked];
}
