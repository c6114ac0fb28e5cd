import { InputError } from '../common/errors.js';
import type { Settings } from '../inputs/settings.js';
import { missingOidcPermissionError, oidcRequestAvailable } from '../tokens/oidc-request.js';

export type CredentialSource =
  /** GitHub's OIDC token → AssumeRoleWithWebIdentity. */
  | { kind: 'oidc'; roleArn: string }
  /** A token file written by someone else (EKS, a script) → AssumeRoleWithWebIdentity. */
  | { kind: 'token-file'; roleArn: string; tokenFile: string }
  /** Static keys from the inputs: AssumeRole when a role is given, else exported as they are. */
  | { kind: 'access-keys'; role?: string }
  /** The AWS_* credentials already in the environment → AssumeRole. */
  | { kind: 'role-chaining'; role: string }
  /** The SDK's default chain (instance profile, container role, shared files) on a self-hosted runner. */
  | { kind: 'ambient'; role?: string };

export type SourceKind = CredentialSource['kind'];

export const SOURCE_LABELS: Record<SourceKind, string> = {
  oidc: 'GitHub OIDC',
  'token-file': 'web identity token file',
  'access-keys': 'access keys',
  'role-chaining': 'role chaining',
  ambient: 'ambient credentials',
};

export interface RunnerFacts {
  /** ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN are both set. */
  oidcAvailable: boolean;
  /** RUNNER_ENVIRONMENT: 'github-hosted', 'self-hosted' or unset. */
  runnerEnvironment?: string;
}

export function runnerFacts(env: NodeJS.ProcessEnv): RunnerFacts {
  return {
    oidcAvailable: oidcRequestAvailable(env),
    runnerEnvironment: env.RUNNER_ENVIRONMENT,
  };
}

const isArn = (role: string): boolean => role.startsWith('arn:');

/**
 * Which credentials to start from, in upstream's order. Pure: decided from the settings and the
 * runner's facts alone.
 */
export function chooseCredentialSource(settings: Settings, facts: RunnerFacts): CredentialSource {
  const role = settings.roleToAssume;
  const oidc =
    role !== undefined &&
    facts.oidcAvailable &&
    !settings.accessKeyId &&
    !settings.webIdentityTokenFile &&
    !settings.roleChaining &&
    !settings.forceSkipOidc;

  const source = pick();
  if (settings.refreshCredentials && source.kind !== 'oidc') {
    throw new InputError(
      'refresh-credentials',
      `refresh-credentials needs the GitHub OIDC source, but this invocation uses ${SOURCE_LABELS[source.kind]}.`,
      'Use role-to-assume with `permissions: id-token: write` and no keys, token file or role-chaining; ' +
        'or remove refresh-credentials.',
    );
  }
  return source;

  function pick(): CredentialSource {
    if (oidc && role) return { kind: 'oidc', roleArn: requireArn(role, 'GitHub OIDC') };
    if (settings.accessKeyId) return { kind: 'access-keys', role };
    if (settings.webIdentityTokenFile) {
      if (!role) {
        throw new InputError(
          'role-to-assume',
          'web-identity-token-file is set but role-to-assume is not.',
          'Set role-to-assume to the role the token may assume.',
        );
      }
      return {
        kind: 'token-file',
        roleArn: requireArn(role, 'a web identity token file'),
        tokenFile: settings.webIdentityTokenFile,
      };
    }
    if (settings.roleChaining) {
      if (!role) {
        throw new InputError(
          'role-to-assume',
          'role-chaining is true but role-to-assume is not set.',
          'Set role-to-assume to the role to chain into.',
        );
      }
      return { kind: 'role-chaining', role };
    }
    // With use-existing-credentials, the credentials in place may still do: main looks first.
    if (oidcPermissionMissing(settings, facts) && !settings.useExistingCredentials) {
      throw missingOidcPermissionError();
    }
    return { kind: 'ambient', role };
  }
}

/**
 * Pure: a role, no other source, and no way to get a token on a GitHub-hosted runner. That can only
 * mean a missing permission; looking further (instance metadata) would only delay the same failure.
 */
export function oidcPermissionMissing(settings: Settings, facts: RunnerFacts): boolean {
  return (
    settings.roleToAssume !== undefined &&
    !settings.accessKeyId &&
    !settings.webIdentityTokenFile &&
    !settings.roleChaining &&
    !facts.oidcAvailable &&
    !settings.forceSkipOidc &&
    facts.runnerEnvironment !== 'self-hosted'
  );
}

function requireArn(role: string, what: string): string {
  if (isArn(role)) return role;
  throw new InputError(
    'role-to-assume',
    `role-to-assume "${role}" is a bare role name, but with ${what} there are no source credentials to take the account from.`,
    `Give the full ARN: arn:aws:iam::<12-digit account>:role/${role}`,
  );
}
