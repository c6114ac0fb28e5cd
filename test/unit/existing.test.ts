// use-existing-credentials: which valid credentials in place are kept (a session of the role asked
// for, in an allowed account) and which are not.
import { describe, expect, it } from 'vitest';
import { isSessionOf } from '../../src/aws/arn.js';
import { whyNotKeep } from '../../src/credentials/existing.js';

const SESSION = 'arn:aws:sts::111111111111:assumed-role/RoleA/GitHubActions';

describe('isSessionOf', () => {
  it('matches a session of the role by partition, account and name, ignoring the path', () => {
    expect(isSessionOf(SESSION, 'arn:aws:iam::111111111111:role/RoleA')).toBe(true);
    expect(isSessionOf(SESSION, 'arn:aws:iam::111111111111:role/ci/RoleA')).toBe(true);
    expect(isSessionOf(SESSION, 'RoleA')).toBe(true);
    expect(isSessionOf(SESSION, 'ci/RoleA')).toBe(true);
  });

  it('does not match another role, account or partition, or a user', () => {
    expect(isSessionOf(SESSION, 'arn:aws:iam::111111111111:role/RoleB')).toBe(false);
    expect(isSessionOf(SESSION, 'arn:aws:iam::222222222222:role/RoleA')).toBe(false);
    expect(isSessionOf(SESSION, 'arn:aws-cn:iam::111111111111:role/RoleA')).toBe(false);
    expect(isSessionOf(SESSION, 'RoleAB')).toBe(false);
    expect(isSessionOf('arn:aws:iam::111111111111:user/RoleA', 'RoleA')).toBe(false);
  });
});

describe('whyNotKeep', () => {
  const identity = { account: '111111111111', arn: SESSION };
  it('keeps valid credentials when nothing more is asked', () => {
    expect(whyNotKeep(identity, { allowedAccountIds: [] })).toBeUndefined();
    expect(
      whyNotKeep({ account: '1', arn: 'arn:aws:iam::1:user/u' }, { allowedAccountIds: [] }),
    ).toBeUndefined();
  });

  it('refuses another account than allowed-account-ids lists', () => {
    expect(whyNotKeep(identity, { allowedAccountIds: ['222222222222'] })).toMatch(/allowed-account-ids/);
    expect(whyNotKeep(identity, { allowedAccountIds: ['222222222222', '111111111111'] })).toBeUndefined();
  });

  it('refuses credentials of another role than role-to-assume', () => {
    expect(whyNotKeep(identity, { allowedAccountIds: [], roleToAssume: 'RoleB' })).toMatch(
      /not a session of RoleB/,
    );
    expect(
      whyNotKeep(identity, { allowedAccountIds: [], roleToAssume: 'arn:aws:iam::111111111111:role/RoleA' }),
    ).toBeUndefined();
  });
});
