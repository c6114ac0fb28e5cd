// Partitions other than aws (issue 10, item 9): the STS host the proxy decision is made on, and the
// ARNs the fixes print, follow the role's partition.
import { afterEach, describe, expect, it } from 'vitest';
import { proxyAgent } from '../../src/aws/proxy.js';
import { stsEndpointFor } from '../../src/aws/sts.js';
import { explainFacts } from '../../src/report/diagnostics.js';

const saved = { ...process.env };
afterEach(() => {
  for (const name of ['HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy']) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

describe('the STS endpoint of a region', () => {
  // Hosts from the AWS documentation of each partition's STS endpoints.
  it.each([
    ['eu-west-1', 'sts.eu-west-1.amazonaws.com'],
    ['cn-north-1', 'sts.cn-north-1.amazonaws.com.cn'],
    ['cn-northwest-1', 'sts.cn-northwest-1.amazonaws.com.cn'],
    ['us-gov-west-1', 'sts.us-gov-west-1.amazonaws.com'],
    ['us-iso-east-1', 'sts.us-iso-east-1.c2s.ic.gov'],
    ['us-isob-east-1', 'sts.us-isob-east-1.sc2s.sgov.gov'],
  ])('%s → %s', (region, host) => {
    expect(new URL(stsEndpointFor({ region })).host).toBe(host);
  });

  it('is sts-endpoint when given', () => {
    expect(stsEndpointFor({ region: 'cn-north-1', endpoint: 'http://127.0.0.1:9' })).toBe(
      'http://127.0.0.1:9',
    );
  });

  it('decides the proxy: NO_PROXY for the China domain bypasses it for aws-cn regions only', () => {
    process.env.HTTPS_PROXY = 'http://127.0.0.1:3128';
    process.env.NO_PROXY = 'amazonaws.com.cn';
    expect(proxyAgent(stsEndpointFor({ region: 'cn-north-1' }))).toBeUndefined();
    expect(proxyAgent(stsEndpointFor({ region: 'eu-west-1' }))).toBeDefined();
  });
});

describe('fix texts in other partitions', () => {
  const claims = {
    iss: 'https://token.actions.githubusercontent.com',
    sub: 'repo:acme/app:ref:refs/heads/main',
    aud: 'sts.amazonaws.com',
  };

  it.each([
    ['aws-cn', 'arn:aws-cn:iam::111111111111:role/Deploy'],
    ['aws-us-gov', 'arn:aws-us-gov:iam::111111111111:role/Deploy'],
  ])('%s: the trust-policy fix names the provider ARN in the role’s partition', (partition, roleArn) => {
    const explained = explainFacts(
      { code: 'AccessDenied', message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity' },
      { roleArn, source: { kind: 'oidc', roleArn }, claims },
    );
    expect(explained.fix).toContain(
      `arn:${partition}:iam::111111111111:oidc-provider/token.actions.githubusercontent.com`,
    );
    expect(explained.fix).not.toContain('arn:aws:');
  });

  it('aws-cn: the audience fix names the provider ARN in the role’s partition', () => {
    const roleArn = 'arn:aws-cn:iam::111111111111:role/Deploy';
    const explained = explainFacts(
      { code: 'InvalidIdentityToken', message: 'Incorrect token audience' },
      { roleArn, source: { kind: 'oidc', roleArn }, claims },
    );
    expect(explained.fix).toContain(
      '--open-id-connect-provider-arn arn:aws-cn:iam::111111111111:oidc-provider/',
    );
    expect(explained.fix).not.toContain('arn:aws:');
  });
});
