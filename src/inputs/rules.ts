import { InputError } from '../common/errors.js';

/** What the rules look at: inputs already parsed one by one; output-env-credentials as given. */
export interface RuleInputs {
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
  awsProfile?: string;
  refreshCredentials: boolean;
  useExistingCredentials: boolean;
  outputEnvCredentials?: boolean;
}

/**
 * Pure: the refusals that involve two inputs or more, and the one default that depends on others
 * (output-env-credentials). The profile name is checked where the profile is planned (deliver/profile.ts).
 */
export function applyRules(inputs: RuleInputs): {
  outputEnvCredentials: boolean;
  outputEnvCredentialsExplicit: boolean;
} {
  checkKeyPair(inputs);
  if (inputs.refreshCredentials && inputs.useExistingCredentials) {
    throw new InputError(
      'use-existing-credentials',
      'use-existing-credentials and refresh-credentials are both true: kept credentials cannot refresh.',
      'Drop use-existing-credentials: refresh-credentials writes a profile that always works.',
    );
  }
  // Writing a profile means "not the environment" unless the user asks for both.
  const outputEnvCredentials =
    inputs.outputEnvCredentials ?? (!inputs.awsProfile && !inputs.refreshCredentials);
  if (inputs.refreshCredentials && outputEnvCredentials) {
    // Environment keys win over any profile, so they would hide the refreshing one until they expire.
    throw new InputError(
      'output-env-credentials',
      'output-env-credentials is true together with refresh-credentials, but keys in the environment would be used instead of the refreshing profile, and would expire.',
      'Remove output-env-credentials (it defaults to false with refresh-credentials).',
    );
  }
  return { outputEnvCredentials, outputEnvCredentialsExplicit: inputs.outputEnvCredentials === true };
}

function checkKeyPair({ accessKeyId, secretAccessKey, sessionToken }: RuleInputs): void {
  if (sessionToken && !accessKeyId && !secretAccessKey) {
    throw new InputError(
      'aws-session-token',
      'aws-session-token is set without aws-access-key-id and aws-secret-access-key; a session token alone is never used.',
      'Pass the temporary keys with it, or drop aws-session-token.',
    );
  }
  if (accessKeyId && !secretAccessKey) {
    throw new InputError(
      'aws-secret-access-key',
      'aws-access-key-id is set but aws-secret-access-key is not.',
      'Pass both keys, e.g. from secrets.AWS_ACCESS_KEY_ID and secrets.AWS_SECRET_ACCESS_KEY.',
    );
  }
  if (secretAccessKey && !accessKeyId) {
    throw new InputError(
      'aws-access-key-id',
      'aws-secret-access-key is set but aws-access-key-id is not.',
      'Pass both keys, or neither.',
    );
  }
}
