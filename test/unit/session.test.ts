// Parts of a role session: a bare role name completed from the caller's ARN, and the
// special-characters workaround, which assumes again until the secret key is plain, within bounds.
import { describe, expect, it } from 'vitest';
import { roleArnFor } from '../../src/aws/arn.js';
import { ActionError } from '../../src/common/errors.js';
import { withSpecialCharacterWorkaround } from '../../src/credentials/session.js';

describe('roleArnFor', () => {
  it("builds a bare role name's ARN in the caller's partition and account", () => {
    expect(roleArnFor('Deploy', 'arn:aws:iam::123456789012:user/ci')).toBe(
      'arn:aws:iam::123456789012:role/Deploy',
    );
    expect(roleArnFor('ci/Deploy', 'arn:aws-us-gov:sts::210987654321:assumed-role/Hub/s')).toBe(
      'arn:aws-us-gov:iam::210987654321:role/ci/Deploy',
    );
  });
});

describe('withSpecialCharacterWorkaround', () => {
  const session = (secretAccessKey: string) => ({ accessKeyId: 'ASIAEXAMPLE', secretAccessKey });

  it('assumes again until the secret is letters and digits only', async () => {
    const secrets = ['a/b', 'c+d', 'plainSecret1'];
    let calls = 0;
    const result = await withSpecialCharacterWorkaround(
      { specialCharactersWorkaround: true, retryMaxAttempts: 12 },
      async () => session(secrets[calls++] ?? 'unused'),
    );
    expect(result.secretAccessKey).toBe('plainSecret1');
    expect(calls).toBe(3);
  });

  it('stops after retry-max-attempts sessions (upstream loops without bound)', async () => {
    let calls = 0;
    const attempt = withSpecialCharacterWorkaround(
      { specialCharactersWorkaround: true, retryMaxAttempts: 4 },
      async () => {
        calls++;
        return session('always/special');
      },
    );
    await expect(attempt).rejects.toBeInstanceOf(ActionError);
    expect(calls).toBe(4);
  });

  it('assumes once when the workaround is off', async () => {
    let calls = 0;
    const result = await withSpecialCharacterWorkaround(
      { specialCharactersWorkaround: false, retryMaxAttempts: 12 },
      async () => {
        calls++;
        return session('with/slash');
      },
    );
    expect([result.secretAccessKey, calls]).toEqual(['with/slash', 1]);
  });
});
