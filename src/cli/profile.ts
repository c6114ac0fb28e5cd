import type { Credentials } from '../aws/sts.js';
import { keysProfile, type ProfilePlan, planProfile, writeProfile } from '../deliver/profile.js';
import type { Settings } from '../inputs/settings.js';
import { PROGRAM } from './usage.js';

/**
 * `--format profile`: the named profile in the AWS shared files, written as the action writes one
 * (only that profile's sections replaced, atomically, 0600, never through a link). The profile is
 * named on purpose, so it is replaced; there is no post step to remove it.
 */
export type CliProfile = ProfilePlan;

/** Before any call: the profile name checked and the shared files found and readable. */
export function planCliProfile(
  settings: Settings,
  name: string | undefined,
  env: NodeJS.ProcessEnv,
): CliProfile {
  const plan = planProfile(
    { ...settings, awsProfile: name ?? 'default', overwriteAwsProfile: true, refreshCredentials: false },
    env,
  );
  // planProfile always plans one when aws-profile is set.
  if (!plan) throw new Error('no profile planned');
  return { ...plan, marker: `# Written by ${PROGRAM} assume.` };
}

/** Writes the keys and region; returns the line that says where, and how to use it. */
export function writeCliProfile(
  plan: CliProfile,
  region: string,
  credentials: Credentials,
  env: NodeJS.ProcessEnv,
): string {
  writeProfile(plan, keysProfile(region, credentials));
  // Keys in the environment win over any profile, in every SDK.
  const shadowed = env.AWS_ACCESS_KEY_ID
    ? ' AWS_ACCESS_KEY_ID is set in this environment and wins over any profile: unset it (and AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) before using the profile.'
    : '';
  const use =
    plan.name === 'default'
      ? 'the AWS CLI and SDKs use it by default'
      : `use it with AWS_PROFILE=${plan.name} or --profile ${plan.name}`;
  return `wrote profile "${plan.name}" to ${plan.files.config} and ${plan.files.credentials}; ${use}${plan.files.configMoved ? ` (with AWS_CONFIG_FILE=${plan.files.config})` : ''}.${shadowed}`;
}
