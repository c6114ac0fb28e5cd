import type { CredentialSource } from '../credentials/source.js';
import type { Settings } from '../inputs/settings.js';

/**
 * Pure: the runner's own credentials (instance profile, ECS or EKS container role, Pod Identity)
 * with no role to assume stay where they are. Those sources refresh themselves; a copy in AWS_*
 * variables would not, and it would win over them in every SDK. Only an explicit
 * `output-env-credentials: true` exports the copy.
 */
export function runnerCredentialsStay(
  settings: Pick<Settings, 'outputEnvCredentialsExplicit'>,
  source: CredentialSource,
): boolean {
  return source.kind === 'ambient' && !source.role && !settings.outputEnvCredentialsExplicit;
}

/** Pure: the warning when the runner's own credentials are exported all the same. */
export function runnerCredentialsExportWarning(
  settings: Pick<Settings, 'outputEnvCredentials' | 'outputEnvCredentialsExplicit'>,
  source: CredentialSource,
): string | undefined {
  if (source.kind !== 'ambient' || source.role || !settings.outputEnvCredentials) return undefined;
  return (
    "output-env-credentials: true exports a copy of this runner's own credentials as AWS_* variables. " +
    'That copy will not refresh: it stops working when it expires, and until then later steps use it ' +
    'instead of the instance profile or container role, which would have refreshed. Remove ' +
    "output-env-credentials to leave the runner's credentials in place."
  );
}

/** Credential variables blanked so later steps use the runner's source, not an earlier step's keys. */
export const BLANK_CREDENTIALS = { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_SESSION_TOKEN: '' };
