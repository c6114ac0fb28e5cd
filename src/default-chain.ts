import type { AwsCredentialIdentityProvider } from '@smithy/types';

const ENVIRONMENT_KEYS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'];

/**
 * The SDK's default credential chain (shared files, container and instance roles, …). Loaded only
 * on the paths that need it. `withEnvironment: false` drops the AWS_* variables from this process
 * first: in a job they were most likely exported by an earlier invocation, and using them silently
 * is what role-chaining is for.
 */
export async function defaultCredentialChain(
  env: NodeJS.ProcessEnv,
  { withEnvironment }: { withEnvironment: boolean },
): Promise<AwsCredentialIdentityProvider> {
  // GitHub-hosted runners have no instance metadata service; asking it would only cost seconds.
  if (env.RUNNER_ENVIRONMENT === 'github-hosted') env.AWS_EC2_METADATA_DISABLED ??= 'true';
  if (!withEnvironment) for (const name of ENVIRONMENT_KEYS) delete env[name];
  const { defaultProvider } = await import('@aws-sdk/credential-provider-node');
  return defaultProvider();
}
