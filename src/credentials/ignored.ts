import type { Settings } from '../inputs/settings.js';
import type { CredentialSource } from './source.js';

/**
 * Pure: inputs that were set but that the chosen source never uses, so that a workflow which
 * counts on them hears about it. AssumeRoleWithWebIdentity takes no external id and no session tags.
 */
export function ignoredInputs(settings: Settings, source: CredentialSource): string[] {
  if (source.kind !== 'oidc' && source.kind !== 'token-file') return [];
  const ignored: string[] = [];
  if (settings.externalId) ignored.push('role-external-id');
  if (Object.keys(settings.customTags).length > 0) ignored.push('custom-tags');
  if (settings.transitiveTagKeys.length > 0) ignored.push('transitive-tag-keys');
  return ignored;
}

export function ignoredWarning(names: string[], source: CredentialSource): string | undefined {
  if (names.length === 0) return undefined;
  const how = source.kind === 'oidc' ? 'GitHub OIDC' : 'web-identity-token-file';
  return (
    `${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} ignored: with ${how} the role is assumed with ` +
    'AssumeRoleWithWebIdentity, which takes no external id and no session tags (the token carries the claims).'
  );
}
