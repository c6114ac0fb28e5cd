// A local AWS STS double for end-to-end tests and benchmarks: scripted faults, hand-written
// SigV4 verification, session tags and trust policies (things the moto server cannot show).
// Listens on 127.0.0.1 only; node built-ins only. Implementation lives in ./sts-double/:
//   sigv4.ts (verification from the spec), sts.ts (actions), auth.ts (callers), server.ts (HTTP,
//   faults, latency, stop), xml.ts (response shapes), params.ts (Query lists), jwt.ts (tokens).
//
//   const sts = await startStsDouble();
//   sts.addRole({ arn: 'arn:aws:iam::111111111111:role/RoleA', trust: { sub: ['repo:o/r:*'] } });
//   sts.script('AssumeRoleWithWebIdentity', [{ code: 'IDPCommunicationError', message: '...' }]);
//   ... point the action / SDK / CLI at sts.endpoint, then inspect sts.calls ...
//   await sts.stop();
//
// Defaults: any issuer and any audience are accepted (setIssuers/setAudiences narrow them); a
// role without `trust` accepts any token and one without `principals` any signed caller.
// AssumeRoleWithWebIdentity checks, in order: parameter validation, JWT shape, `exp`, provider,
// audience, token bucket, role, trust, MaxSessionDuration. Signed actions check: SigV4 present
// and well formed, scope service 'sts', known key, session token, expiry, signature, clock skew
// (15 min). Provider is reported as arn:aws:iam::<account>:oidc-provider/<issuer host>.
export { decodeJwt, GITHUB_ISSUER, githubClaims, type JwtClaims, makeJwt } from './sts-double/jwt.js';
export { listParam, tagsOf } from './sts-double/params.js';
export { startStsDouble } from './sts-double/server.js';
export type {
  CredentialCheck,
  Fault,
  IssuedCredential,
  RecordedCall,
  RoleSpec,
  StsDouble,
  UserSpec,
} from './sts-double/types.js';
export { STS_NAMESPACE } from './sts-double/xml.js';
