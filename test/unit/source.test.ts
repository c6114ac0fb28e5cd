// Which credentials an invocation starts from, in upstream's order, and what the runner's
// environment says about OIDC.
import { describe, expect, it } from 'vitest';
import { ActionError, InputError } from '../../src/common/errors.js';
import {
  chooseCredentialSource,
  oidcPermissionMissing,
  type RunnerFacts,
  runnerFacts,
} from '../../src/credentials/source.js';
import { parseSettings } from '../../src/inputs/settings.js';

const ROLE = 'arn:aws:iam::111111111111:role/RoleA';
const KEYS = { 'aws-access-key-id': 'AKIAEXAMPLE', 'aws-secret-access-key': 'secret' };
const HOSTED_OIDC: RunnerFacts = { oidcAvailable: true, runnerEnvironment: 'github-hosted' };
const HOSTED_NO_OIDC: RunnerFacts = { oidcAvailable: false, runnerEnvironment: 'github-hosted' };
const SELF_HOSTED: RunnerFacts = { oidcAvailable: false, runnerEnvironment: 'self-hosted' };

const parse = (raw: Record<string, string>) =>
  parseSettings({ 'aws-region': 'us-east-1', ...raw }, { GITHUB_WORKSPACE: '/w' });

function choose(raw: Record<string, string>, facts: RunnerFacts) {
  return chooseCredentialSource(parse(raw), facts);
}

describe('chooseCredentialSource, in upstream order', () => {
  it('1. OIDC when a role is set, the job can get a token, and nothing else is given', () => {
    expect(choose({ 'role-to-assume': ROLE }, HOSTED_OIDC)).toEqual({ kind: 'oidc', roleArn: ROLE });
  });

  it('2. static keys: AssumeRole with a role, as they are without one; they win over OIDC', () => {
    expect(choose({ ...KEYS, 'role-to-assume': ROLE }, HOSTED_OIDC)).toEqual({
      kind: 'access-keys',
      role: ROLE,
    });
    expect(choose(KEYS, HOSTED_OIDC)).toEqual({ kind: 'access-keys', role: undefined });
    expect(choose({ ...KEYS, 'role-to-assume': 'Deploy' }, HOSTED_NO_OIDC)).toEqual({
      kind: 'access-keys',
      role: 'Deploy',
    });
  });

  it('3. a token file goes to AssumeRoleWithWebIdentity, over OIDC', () => {
    expect(choose({ 'web-identity-token-file': 't.jwt', 'role-to-assume': ROLE }, HOSTED_OIDC)).toEqual({
      kind: 'token-file',
      roleArn: ROLE,
      tokenFile: '/w/t.jwt',
    });
  });

  it('4. role chaining uses the environment credentials, over OIDC', () => {
    expect(choose({ 'role-chaining': 'true', 'role-to-assume': 'Spoke' }, HOSTED_OIDC)).toEqual({
      kind: 'role-chaining',
      role: 'Spoke',
    });
  });

  it('5. otherwise the default chain, with or without a role', () => {
    expect(choose({}, HOSTED_OIDC)).toEqual({ kind: 'ambient', role: undefined });
    expect(choose({ 'role-to-assume': ROLE }, SELF_HOSTED)).toEqual({ kind: 'ambient', role: ROLE });
  });

  it('force-skip-oidc never uses the job token', () => {
    expect(choose({ 'role-to-assume': ROLE, 'force-skip-oidc': 'true' }, HOSTED_OIDC)).toEqual({
      kind: 'ambient',
      role: ROLE,
    });
  });

  it('explains a missing id-token permission on a GitHub-hosted runner instead of probing further', () => {
    const error = (() => {
      try {
        choose({ 'role-to-assume': ROLE }, HOSTED_NO_OIDC);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ActionError);
    expect((error as ActionError).fix).toContain('id-token: write');
  });

  it('with use-existing-credentials, leaves a missing id-token permission for after the check', () => {
    const settings = { 'role-to-assume': ROLE, 'use-existing-credentials': 'true' };
    expect(choose(settings, HOSTED_NO_OIDC)).toEqual({ kind: 'ambient', role: ROLE });
    expect(oidcPermissionMissing(parse(settings), HOSTED_NO_OIDC)).toBe(true);
    expect(oidcPermissionMissing(parse(settings), HOSTED_OIDC)).toBe(false);
    expect(oidcPermissionMissing(parse({ ...settings, 'force-skip-oidc': 'true' }), HOSTED_NO_OIDC)).toBe(
      false,
    );
  });

  it('refuses refresh-credentials with any source but GitHub OIDC', () => {
    expect(choose({ 'role-to-assume': ROLE, 'refresh-credentials': 'true' }, HOSTED_OIDC).kind).toBe('oidc');
    expect(() =>
      choose({ ...KEYS, 'role-to-assume': ROLE, 'refresh-credentials': 'true' }, HOSTED_OIDC),
    ).toThrow(/refresh-credentials needs the GitHub OIDC source/);
  });

  it('refuses a bare role name where there are no source credentials to take the account from', () => {
    expect(() => choose({ 'role-to-assume': 'Deploy' }, HOSTED_OIDC)).toThrow(InputError);
    expect(() => choose({ 'role-to-assume': 'Deploy', 'web-identity-token-file': 't' }, SELF_HOSTED)).toThrow(
      /bare role name/,
    );
  });

  it('needs a role for a token file and for role chaining', () => {
    expect(() => choose({ 'web-identity-token-file': 't' }, SELF_HOSTED)).toThrow(InputError);
    expect(() => choose({ 'role-chaining': 'true' }, SELF_HOSTED)).toThrow(/role-chaining/);
  });
});

describe('runnerFacts', () => {
  it('needs both OIDC request variables', () => {
    expect(runnerFacts({ ACTIONS_ID_TOKEN_REQUEST_URL: 'u' }).oidcAvailable).toBe(false);
    expect(
      runnerFacts({
        ACTIONS_ID_TOKEN_REQUEST_URL: 'u',
        ACTIONS_ID_TOKEN_REQUEST_TOKEN: 't',
        RUNNER_ENVIRONMENT: 'self-hosted',
      }),
    ).toEqual({ oidcAvailable: true, runnerEnvironment: 'self-hosted' });
  });
});
