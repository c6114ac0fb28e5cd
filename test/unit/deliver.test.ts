// Delivering credentials: the environment a later step sees (a stale session token cannot survive),
// the step outputs, and the warning when AWS_PROFILE would hide exported keys.
import { describe, expect, it } from 'vitest';
import { CREDENTIAL_VARIABLES, REGION_VARIABLES } from '../../src/aws/env-vars.js';
import { environmentFor, outputsFor, profileShadowingEnvironment } from '../../src/deliver/deliver.js';

const SESSION = {
  accessKeyId: 'ASIAEXAMPLE',
  secretAccessKey: 'secret',
  sessionToken: 'token',
  expiration: new Date(Date.UTC(2030, 0, 2, 3, 4, 5)),
};
const IDENTITY = {
  accountId: '111111111111',
  arn: 'arn:aws:sts::111111111111:assumed-role/RoleA/GitHubActions',
};

describe('environmentFor', () => {
  it('sets the credentials and both region variables', () => {
    expect(environmentFor(SESSION, 'eu-west-1')).toEqual({
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'token',
      // Left by other tools, botocore would prefer a stale token and apply a stale expiry.
      AWS_SECURITY_TOKEN: '',
      AWS_CREDENTIAL_EXPIRATION: '2030-01-02T03:04:05.000Z',
    });
  });

  it('blanks the session token of static keys, so a stale one cannot pair with them', () => {
    const env = environmentFor({ accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 's' }, 'us-east-1');
    expect(env.AWS_SESSION_TOKEN).toBe('');
    expect(Object.keys(env).sort()).toEqual([...CREDENTIAL_VARIABLES, ...REGION_VARIABLES].sort());
  });

  it('sets only the region without credentials', () => {
    expect(environmentFor(undefined, 'us-east-1')).toEqual({
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
    });
  });
});

describe('outputsFor', () => {
  it('always gives the account and the ARN', () => {
    expect(outputsFor(SESSION, IDENTITY, false)).toEqual({
      'aws-account-id': '111111111111',
      'authenticated-arn': IDENTITY.arn,
    });
  });

  it('adds the credentials and a plain ISO-8601 expiry with output-credentials', () => {
    const outputs = outputsFor(SESSION, IDENTITY, true);
    expect(outputs).toMatchObject({
      'aws-access-key-id': 'ASIAEXAMPLE',
      'aws-secret-access-key': 'secret',
      'aws-session-token': 'token',
      'aws-expiration': '2030-01-02T03:04:05.000Z',
    });
    expect(outputs['aws-expiration']).not.toContain('"');
  });

  it('has no session token or expiry for static keys', () => {
    const outputs = outputsFor({ accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 's' }, IDENTITY, true);
    expect(outputs).not.toHaveProperty('aws-session-token');
    expect(outputs).not.toHaveProperty('aws-expiration');
  });
});

describe('profileShadowingEnvironment', () => {
  it('warns, naming the profile, when AWS_PROFILE would hide the exported keys from the JS SDK', () => {
    expect(profileShadowingEnvironment({ AWS_PROFILE: 'refreshing' })).toMatch(
      /AWS_PROFILE is "refreshing".*JavaScript/,
    );
  });

  it('says nothing without a profile', () => {
    expect(profileShadowingEnvironment({})).toBeUndefined();
    expect(profileShadowingEnvironment({ AWS_PROFILE: '' })).toBeUndefined();
  });
});
