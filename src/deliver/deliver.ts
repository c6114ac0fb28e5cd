import * as core from '@actions/core';
import { CREDENTIAL_VARIABLES, REGION_VARIABLES } from '../aws/env-vars.js';
import type { Credentials } from '../aws/sts.js';
import { log, secret } from '../common/log.js';
import type { Assumed } from '../credentials/session.js';
import type { CredentialSource } from '../credentials/source.js';
import type { Settings } from '../inputs/settings.js';
import { IDENTITY_VARIABLE, identityMarker } from './replacement.js';
import { BLANK_CREDENTIALS, runnerCredentialsExportWarning, runnerCredentialsStay } from './runner-own.js';
import { STATE_EXPORTED } from './state.js';

/**
 * Pure: the environment a later step should see. Every credential variable is set, a missing
 * session token as '' so a stale one from an earlier invocation cannot pair with new keys.
 * AWS_SECURITY_TOKEN is blanked (botocore would prefer a stale one to AWS_SESSION_TOKEN) and
 * AWS_CREDENTIAL_EXPIRATION follows the new keys (botocore applies it to them); '' counts as unset.
 */
export function environmentFor(credentials: Credentials | undefined, region: string): Record<string, string> {
  const env: Record<string, string> = { AWS_REGION: region, AWS_DEFAULT_REGION: region };
  if (credentials) {
    env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
    env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
    env.AWS_SESSION_TOKEN = credentials.sessionToken ?? '';
    env.AWS_SECURITY_TOKEN = '';
    env.AWS_CREDENTIAL_EXPIRATION = credentials.expiration?.toISOString() ?? '';
  }
  return env;
}

/** Pure: the step outputs. Credentials only when asked for; the expiry as plain ISO-8601. */
export function outputsFor(
  credentials: Credentials,
  identity: { accountId: string; arn: string },
  includeCredentials: boolean,
): Record<string, string> {
  const outputs: Record<string, string> = {
    'aws-account-id': identity.accountId,
    'authenticated-arn': identity.arn,
  };
  if (includeCredentials) {
    outputs['aws-access-key-id'] = credentials.accessKeyId;
    outputs['aws-secret-access-key'] = credentials.secretAccessKey;
    if (credentials.sessionToken) outputs['aws-session-token'] = credentials.sessionToken;
    if (credentials.expiration) outputs['aws-expiration'] = credentials.expiration.toISOString();
  }
  return outputs;
}

/** Registers every secret with the runner before anything else can print it. */
export function maskCredentials(credentials: Credentials): void {
  secret(credentials.accessKeyId);
  secret(credentials.secretAccessKey);
  if (credentials.sessionToken) secret(credentials.sessionToken);
}

export function exportEnvironment(env: Record<string, string>): void {
  for (const [name, value] of Object.entries(env)) core.exportVariable(name, value);
}

export function setOutputs(outputs: Record<string, string>): void {
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, value);
}

/** unset-current-credentials: blank what earlier steps left, before this one starts. */
export function unsetCurrentCredentials(): void {
  for (const name of [...CREDENTIAL_VARIABLES, ...REGION_VARIABLES]) core.exportVariable(name, '');
}

/**
 * Pure: a warning when AWS_PROFILE is set while keys go to the environment. GITHUB_ENV cannot unset
 * it, and the AWS SDK for JavaScript v3 then uses the profile instead of the keys (botocore and the
 * AWS CLI use the keys).
 */
export function profileShadowingEnvironment(env: NodeJS.ProcessEnv): string | undefined {
  const profile = env.AWS_PROFILE;
  if (!profile) return undefined;
  return (
    `AWS_PROFILE is "${profile}" (e.g. from an earlier refresh-credentials step), and it cannot be unset: ` +
    'the AWS CLI will use the credentials exported here, but the AWS SDK for JavaScript v3 will use that ' +
    'profile. Use aws-profile / refresh-credentials for this role too, or set AWS_PROFILE for the steps that need it.'
  );
}

/**
 * Whether this invocation takes over the job's AWS environment. A refreshing profile does too: an
 * earlier invocation's AWS_REGION and identity marker would otherwise outlive it.
 */
export function exportsEnvironment(
  settings: Pick<Settings, 'outputEnvCredentials' | 'refreshCredentials'>,
): boolean {
  return settings.outputEnvCredentials || settings.refreshCredentials;
}

/** aws-profile or refresh-credentials: the profile, planned before any STS call (profile-delivery.ts). */
export interface ProfileDelivery {
  /** Writes the profile; returns the variables later steps need to use it. */
  write(assumed: Assumed): Record<string, string>;
}

/**
 * Whether a profile is written (deliver/profile-delivery.ts, loaded only then): aws-profile, or
 * refresh-credentials, which writes "default" without it. planProfile decides the same.
 */
export function writesProfile(settings: Pick<Settings, 'awsProfile' | 'refreshCredentials'>): boolean {
  return settings.awsProfile !== undefined || settings.refreshCredentials;
}

/**
 * The export stage: the environment, the profile and the outputs, as the settings ask, and the
 * state the post step needs to undo them.
 */
export function deliverCredentials(
  assumed: Assumed,
  settings: Settings,
  source: CredentialSource,
  profile: ProfileDelivery | undefined,
  env: NodeJS.ProcessEnv,
): void {
  const ownsEnvironment = exportsEnvironment(settings);
  // Kept credentials are already in place, and so are the runner's own (runner-own.ts).
  const stay = runnerCredentialsStay(settings, source);
  const envCredentials =
    settings.outputEnvCredentials && !assumed.kept && !stay ? assumed.credentials : undefined;
  const exported = ownsEnvironment ? environmentFor(envCredentials, settings.region) : {};
  if (ownsEnvironment && stay) Object.assign(exported, BLANK_CREDENTIALS);
  const copyWarning = envCredentials ? runnerCredentialsExportWarning(settings, source) : undefined;
  if (copyWarning) core.warning(copyWarning);
  if (ownsEnvironment && !assumed.kept) {
    exported[IDENTITY_VARIABLE] = identityMarker(assumed.arn, settings.maskAccountId);
  }
  if (profile) Object.assign(exported, profile.write(assumed));
  const shadowing = envCredentials ? profileShadowingEnvironment(env) : undefined;
  if (shadowing) log('warning', shadowing);
  exportEnvironment(exported);
  core.saveState(STATE_EXPORTED, Object.keys(exported).join(','));
  setOutputs(outputsFor(assumed.credentials, assumed, settings.outputCredentials));
}
