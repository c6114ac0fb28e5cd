// Public types of the STS double.

export interface RecordedCall {
  action: string;
  /** Every Query parameter (query string merged with the form body). */
  params: Record<string, string>;
  /** Access key id of a valid SigV4 signature. */
  signedBy?: string;
  /** Why the SigV4 material was rejected (never contains key material). */
  signatureError?: string;
  /** How the request was authenticated: no SigV4 at all, an Authorization header, or a presigned query. */
  auth: 'none' | 'header' | 'query';
  /** Region from the SigV4 credential scope. */
  region?: string;
  /** HTTP status sent; 0 when no response was sent (hang, reset). */
  status: number;
  errorCode?: string;
  /** Set when a scripted fault answered this call: the error code, 'hang' or 'reset'. */
  fault?: string;
  requestId: string;
  /** Arrival time, ms since the epoch. */
  at: number;
}

/** A scripted answer; `{Name}` in an error message is replaced by the request's parameter Name. */
export type Fault = { code: string; message: string; status?: number } | { kind: 'hang' } | { kind: 'reset' };

export interface RoleSpec {
  /** arn:aws:iam::111111111111:role/RoleA (a path is allowed); the account comes from it. */
  arn: string;
  /** AssumeRoleWithWebIdentity trust: token claims must match (sub uses StringLike wildcards). */
  trust?: { sub?: string[]; aud?: string[] };
  /** AssumeRole trust: caller ARNs (users, roles for their sessions, arn:aws:iam::<acct>:root, or '*'). */
  principals?: string[];
  /** Required ExternalId for AssumeRole. */
  externalId?: string;
  /** Default 3600. */
  maxSessionDuration?: number;
  /** More session tags than this -> PackedPolicyTooLarge. */
  maxPackedTags?: number;
}

export interface UserSpec {
  accessKeyId: string;
  secretAccessKey: string;
  arn: string;
}

/** A credential set the double issued (secrets deliberately left out). */
export interface IssuedCredential {
  accessKeyId: string;
  action: 'AssumeRole' | 'AssumeRoleWithWebIdentity';
  arn: string;
  roleArn: string;
  sessionName: string;
  /** ms since the epoch. */
  expiration: number;
  tags: Record<string, string>;
  transitiveTagKeys: string[];
  sourceIdentity?: string;
}

export type CredentialCheck = 'valid' | 'expired' | 'unknown' | 'wrong-secret' | 'wrong-session-token';

export interface StsDouble {
  /** http://127.0.0.1:PORT/ */
  endpoint: string;
  calls: RecordedCall[];
  issued: IssuedCredential[];
  addRole(spec: RoleSpec): void;
  addUser(u: UserSpec): void;
  /** The next calls of `action` ('*' = any action) get these faults in order, then normal behaviour. */
  script(action: string, faults: Fault[]): void;
  /** Verification-key budget for AssumeRoleWithWebIdentity; null = unlimited. */
  tokenBucket(opts: { capacity: number; refillPerSecond: number } | null): void;
  /** Issued credentials expire this many seconds from issue (regardless of DurationSeconds); null = normal. */
  setCredentialLifetime(seconds: number | null): void;
  setNoOidcProvider(on: boolean): void;
  /** The OIDC provider's client IDs; null = any audience. */
  setAudiences(aud: string[] | null): void;
  /** Issuers with a registered OIDC provider; null (default) = any issuer. */
  setIssuers(issuers: string[] | null): void;
  setLatency(ms: number): void;
  /** Whether a credential triple would authenticate right now (for asserting on exported credentials). */
  checkCredentials(c: {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
  }): CredentialCheck;
  stop(): Promise<void>;
}
