/**
 * Which failures are worth another attempt: the facts of an error, and the verdict on them.
 * Pure; `retry.ts` acts on the verdict.
 */
import { ActionError } from './errors.js';

export type Verdict =
  /** Transient: wait and try again. */
  | 'retry'
  /** The web identity token expired: get a fresh one, then try again. */
  | 'refresh-token'
  /** Cannot succeed by trying again. */
  | 'fail';

export interface ErrorFacts {
  code?: string;
  message: string;
  httpStatus?: number;
  /** Raised by this action itself (a bad input, an unreadable token file): never retried. */
  local?: boolean;
  /** Set when GitHub's OIDC token endpoint failed, which has its own retry schedule. */
  service?: 'oidc-token';
}

/** Wire codes (without a trailing "Exception") that say "wait and try again". */
const RETRYABLE_CODES = new Set([
  'IDPCommunicationError',
  'Throttling',
  'RequestLimitExceeded',
  'TooManyRequests',
  'InternalFailure',
  'InternalError',
  'ServiceUnavailable',
  'RequestTimeout',
  'TimeoutError',
  // Node's network errors.
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);

/** Codes that no retry can fix, whatever the HTTP status or message says. */
const FATAL_CODES = new Set([
  'AccessDenied',
  'ValidationError',
  'MalformedPolicyDocument',
  'PackedPolicyTooLarge',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'UnrecognizedClient',
  'RegionDisabledException',
  'IDPRejectedClaim',
  'InvalidParameterValue',
  'InvalidAction',
]);

const RATE_EXCEEDED = /rate exceeded/i;
const NETWORK_MESSAGE =
  /socket hang up|request timed? ?out|connection timed? ?out|network error|ECONNRESET|ETIMEDOUT|ECONNREFUSED/i;
/** STS reports a failed fetch of the IdP's signing keys under InvalidIdentityToken too. */
const VERIFICATION_KEY = /verification key|retrieve .*key|JWKS/i;

/** Pulls the code, message and status out of an SDK, OIDC or Node error. */
export function errorFacts(error: unknown): ErrorFacts {
  if (typeof error !== 'object' || error === null) return { message: String(error) };
  const e = error as {
    Code?: unknown;
    name?: unknown;
    code?: unknown;
    message?: unknown;
    $metadata?: { httpStatusCode?: number };
    statusCode?: unknown;
    service?: unknown;
  };
  const message = typeof e.message === 'string' ? e.message : String(error);
  const httpStatus =
    e.$metadata?.httpStatusCode ?? (typeof e.statusCode === 'number' ? e.statusCode : undefined);
  const transportCode = typeof e.code === 'string' ? e.code : undefined;
  if (error instanceof ActionError) {
    // Ours: a local failure, unless it explains a remote one (the OIDC endpoint's answer).
    const remote = httpStatus !== undefined || transportCode !== undefined;
    const service = e.service === 'oidc-token' ? 'oidc-token' : undefined;
    return { code: transportCode, message, httpStatus, local: !remote, ...(service && { service }) };
  }
  const rawCode = [e.Code, transportCode, e.name].find(
    (c): c is string => typeof c === 'string' && c !== 'Error' && c !== '',
  );
  // The SDK names modeled errors after their class (IDPCommunicationErrorException); the wire code
  // has no suffix except for a few (ExpiredTokenException). Normalise to the wire code.
  const code =
    rawCode && rawCode !== 'ExpiredTokenException' && rawCode !== 'RegionDisabledException'
      ? rawCode.replace(/Exception$/, '') || rawCode
      : rawCode;
  return { code, message, httpStatus };
}

/** Pure: what to do about one failed attempt. `webIdentity` says the call carried a JWT. */
export function classify(facts: ErrorFacts, webIdentity: boolean): Verdict {
  const { message, httpStatus } = facts;
  if (facts.local) return 'fail';
  const code = facts.code ?? '';
  // ExpiredTokenException: a web identity token; ExpiredToken: the credentials that signed the call.
  if (code === 'ExpiredTokenException' || code === 'ExpiredToken')
    return webIdentity ? 'refresh-token' : 'fail';
  if (code === 'InvalidIdentityToken') return VERIFICATION_KEY.test(message) ? 'retry' : 'fail';
  if (FATAL_CODES.has(code)) return 'fail';
  if (RETRYABLE_CODES.has(code)) return 'retry';
  if (RATE_EXCEEDED.test(message)) return 'retry';
  if (httpStatus !== undefined) return httpStatus >= 500 || httpStatus === 429 ? 'retry' : 'fail';
  return NETWORK_MESSAGE.test(message) ? 'retry' : 'fail';
}
