import { defaultProvider } from '@aws-sdk/credential-provider-node';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { CREDENTIAL_VARIABLES } from '../deliver/deliver.js';

/**
 * The SDK's default credential chain (shared files, container and instance roles, …).
 * `withEnvironment: false` drops the AWS_* variables from this process first: in a job they were
 * most likely exported by an earlier invocation, and using them silently is what role-chaining is for.
 */
export function defaultCredentialChain(
  env: NodeJS.ProcessEnv,
  { withEnvironment }: { withEnvironment: boolean },
): AwsCredentialIdentityProvider {
  // GitHub-hosted runners have no instance metadata service; asking it would only cost seconds.
  if (env.RUNNER_ENVIRONMENT === 'github-hosted') env.AWS_EC2_METADATA_DISABLED ??= 'true';
  if (!withEnvironment) for (const name of CREDENTIAL_VARIABLES) delete env[name];
  return defaultProvider();
}
