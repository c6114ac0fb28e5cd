// The local endpoints a benchmark runs against: the OIDC issuer and the STS double of the e2e
// tests, both on 127.0.0.1, with the bench role in place.
import { type OidcIssuer, startOidcIssuer } from '../test/support/oidc-issuer.js';
import { type StsDouble, startStsDouble } from '../test/support/sts-double.js';
import { type ActionEndpoints, ROLE_ARN } from './action.js';

export interface Endpoints extends ActionEndpoints {
  issuer: OidcIssuer;
  sts: StsDouble;
  stop(): Promise<void>;
}

/** A trust policy that accepts the issuer's tokens (audience sts.amazonaws.com). */
export async function startEndpoints(): Promise<Endpoints> {
  const issuer = await startOidcIssuer();
  const sts = await startStsDouble();
  sts.addRole({ arn: ROLE_ARN, trust: { aud: ['sts.amazonaws.com'] } });
  return {
    issuer,
    sts,
    oidcEnv: issuer.env(),
    stsEndpoint: sts.endpoint,
    stop: async () => {
      await Promise.all([sts.stop(), issuer.stop()]);
    },
  };
}

/** AssumeRoleWithWebIdentity calls the STS double has seen. */
export function webIdentityCalls(sts: StsDouble): number {
  return sts.calls.filter((call) => call.action === 'AssumeRoleWithWebIdentity').length;
}
