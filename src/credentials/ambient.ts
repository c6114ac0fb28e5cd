import * as core from '@actions/core';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { CREDENTIAL_VARIABLES } from '../aws/env-vars.js';
import { errorFacts } from '../common/classify.js';
import { ActionError } from '../common/errors.js';

/**
 * The SDK's default credential chain (shared files, container and instance roles, …).
 * `withEnvironment: false` drops the AWS_* variables from this process first: in a job they were
 * most likely exported by an earlier invocation, and using them silently is what role-chaining is for.
 * The chain is a fifth of the SDK's code and only these paths use it, so it loads on first call
 * (in the bundles, from a chunk of its own).
 */
export function defaultCredentialChain(
  env: NodeJS.ProcessEnv,
  { withEnvironment, profile }: { withEnvironment: boolean; profile?: string },
): AwsCredentialIdentityProvider {
  // GitHub-hosted runners have no instance metadata service; asking it would only cost seconds.
  if (env.RUNNER_ENVIRONMENT === 'github-hosted') env.AWS_EC2_METADATA_DISABLED ??= 'true';
  if (!withEnvironment) for (const name of CREDENTIAL_VARIABLES) delete env[name];
  let chain: Promise<AwsCredentialIdentityProvider> | undefined;
  return async (props) => {
    chain ??= import('@aws-sdk/credential-provider-node').then((sdk) =>
      sdk.defaultProvider(profile ? { profile } : {}),
    );
    return (await chain)(props);
  };
}

/** The runner's own credentials, without the environment's (see defaultCredentialChain). */
export function ambientChain(env: NodeJS.ProcessEnv): AwsCredentialIdentityProvider {
  const provider = defaultCredentialChain(env, { withEnvironment: false });
  return async () => {
    try {
      const credentials = await provider();
      // Masked as soon as resolved: they may only sign an AssumeRole, but an SDK error could echo them.
      core.setSecret(credentials.accessKeyId);
      core.setSecret(credentials.secretAccessKey);
      if (credentials.sessionToken) core.setSecret(credentials.sessionToken);
      return credentials;
    } catch (error) {
      throw new ActionError(
        'No credentials found',
        `No credentials were given and none were found on this runner (${errorFacts(error).message}).`,
        'Use role-to-assume with `permissions: id-token: write`, pass aws-access-key-id / aws-secret-access-key, ' +
          'or run on a self-hosted runner with an instance profile or container role.',
        { cause: error },
      );
    }
  };
}

/**
 * role-chaining, as upstream takes its source: the keys in the environment (an earlier invocation's
 * export), else the profile AWS_PROFILE names (an earlier invocation's aws-profile).
 */
export function chainingSource(
  env: NodeJS.ProcessEnv,
): AwsCredentialIdentity | AwsCredentialIdentityProvider {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (accessKeyId && secretAccessKey) {
    return { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN || undefined };
  }
  const profile = env.AWS_PROFILE;
  if (!profile) {
    throw new ActionError(
      'No credentials to chain from',
      'role-chaining is true but neither AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY nor AWS_PROFILE is set in the environment.',
      'Run this action once before (e.g. with OIDC for the hub role), then again with role-chaining: true; ' +
        'with aws-profile in the first step, give the second step `env: AWS_PROFILE: <that profile>`.',
    );
  }
  const provider = defaultCredentialChain(env, { withEnvironment: false, profile });
  return async () => {
    try {
      return await provider();
    } catch (error) {
      throw new ActionError(
        'No credentials to chain from',
        `role-chaining is true and AWS_PROFILE is "${profile}", but that profile gave no credentials (${errorFacts(error).message}).`,
        'Write the profile in an earlier step (aws-profile), or point AWS_PROFILE / AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE at it.',
        { cause: error },
      );
    }
  };
}
