// SigV4 authentication of callers against static user keys and issued session credentials.
import {
  ACCOUNT_IN_ARN,
  type AuthOutcome,
  type Identity,
  type Session,
  StsError,
  safeEqual,
  stableId,
} from './model.js';
import {
  MalformedAuthError,
  type ParsedAuth,
  parseAmzDate,
  parseAuth,
  type SigV4Request,
  toAmzDate,
  verifySignature,
} from './sigv4.js';
import type { CredentialCheck, UserSpec } from './types.js';

const MAX_SKEW_MS = 15 * 60 * 1000;
const INVALID_TOKEN = 'The security token included in the request is invalid.';

export interface KeyStore {
  users: Map<string, UserSpec>;
  sessions: Map<string, Session>;
}

export function userIdentity(u: UserSpec): Identity {
  const account = ACCOUNT_IN_ARN.exec(u.arn)?.[1] ?? '000000000000';
  return { arn: u.arn, userId: stableId('AIDA', u.arn), account, transitiveTags: {} };
}

export function checkCredentials(
  keys: KeyStore,
  c: {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
  },
): CredentialCheck {
  const user = keys.users.get(c.accessKeyId);
  if (user) {
    if (c.sessionToken) return 'wrong-session-token';
    return safeEqual(user.secretAccessKey, c.secretAccessKey) ? 'valid' : 'wrong-secret';
  }
  const session = keys.sessions.get(c.accessKeyId);
  if (!session) return 'unknown';
  if (!safeEqual(session.sessionToken, c.sessionToken ?? '')) return 'wrong-session-token';
  if (!safeEqual(session.secretAccessKey, c.secretAccessKey)) return 'wrong-secret';
  return Date.now() >= session.expiration ? 'expired' : 'valid';
}

/** Verifies SigV4 material. Never throws; `error` says why a signed-only action must be refused. */
export function authenticate(keys: KeyStore, req: SigV4Request): AuthOutcome {
  let auth: ParsedAuth | undefined;
  try {
    auth = parseAuth(req);
  } catch (e) {
    const message = e instanceof MalformedAuthError ? e.message : 'Malformed SigV4 material';
    return {
      auth: 'header',
      signatureError: message,
      error: new StsError('IncompleteSignature', message, 400),
    };
  }
  if (!auth) {
    return {
      auth: 'none',
      error: new StsError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403),
    };
  }
  const base = { auth: auth.source, region: auth.region };
  const reject = (code: string, message: string, status: number): AuthOutcome => ({
    ...base,
    signatureError: `${code}: ${message}`,
    error: new StsError(code, message, status),
  });
  if (auth.service !== 'sts') {
    return reject('SignatureDoesNotMatch', "Credential should be scoped to correct service: 'sts'. ", 403);
  }
  if (!auth.amzDate.startsWith(auth.scopeDate)) {
    return reject(
      'SignatureDoesNotMatch',
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.scopeDate}' != '${auth.amzDate.slice(0, 8)}', from '${auth.amzDate}'.`,
      403,
    );
  }
  const user = keys.users.get(auth.accessKeyId);
  const session = keys.sessions.get(auth.accessKeyId);
  if (!user && !session) return reject('InvalidClientTokenId', INVALID_TOKEN, 403);
  if (user && auth.securityToken !== undefined) return reject('InvalidClientTokenId', INVALID_TOKEN, 403);
  if (session && !safeEqual(session.sessionToken, auth.securityToken ?? '')) {
    return reject('InvalidClientTokenId', INVALID_TOKEN, 403);
  }
  const now = Date.now();
  if (session && now >= session.expiration) {
    return reject('ExpiredToken', 'The security token included in the request is expired', 400);
  }
  const secret = user?.secretAccessKey ?? session?.secretAccessKey ?? '';
  const verdict = verifySignature(req, auth, secret);
  if (!verdict.ok) {
    const r = reject(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
      403,
    );
    return { ...r, signatureError: `SignatureDoesNotMatch: ${verdict.reason ?? ''}` };
  }
  const signedAt = parseAmzDate(auth.amzDate);
  if (signedAt === undefined)
    return reject('IncompleteSignature', `Invalid X-Amz-Date: ${auth.amzDate}`, 400);
  if (
    auth.source === 'query' &&
    auth.expiresSeconds !== undefined &&
    now > signedAt + auth.expiresSeconds * 1000
  ) {
    return reject('AccessDenied', 'Request has expired', 403);
  }
  if (signedAt < now - MAX_SKEW_MS) {
    return reject(
      'SignatureDoesNotMatch',
      `Signature expired: ${auth.amzDate} is now earlier than ${toAmzDate(now - MAX_SKEW_MS)} (${toAmzDate(now)} - 15 min.)`,
      403,
    );
  }
  if (signedAt > now + MAX_SKEW_MS) {
    return reject(
      'SignatureDoesNotMatch',
      `Signature not yet current: ${auth.amzDate} is still later than ${toAmzDate(now + MAX_SKEW_MS)} (${toAmzDate(now)} + 15 min.)`,
      403,
    );
  }
  const identity = user ? userIdentity(user) : (session as Session).identity;
  return { ...base, signedBy: auth.accessKeyId, identity };
}
