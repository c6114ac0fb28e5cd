/**
 * Which failures are worth another attempt, and how long to wait before it. The one place that
 * decides; every call to STS or to the OIDC token endpoint goes through `withRetry`.
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
  };
  const message = typeof e.message === 'string' ? e.message : String(error);
  const httpStatus =
    e.$metadata?.httpStatusCode ?? (typeof e.statusCode === 'number' ? e.statusCode : undefined);
  const transportCode = typeof e.code === 'string' ? e.code : undefined;
  if (error instanceof ActionError) {
    // Ours: a local failure, unless it explains a remote one (the OIDC endpoint's answer).
    const remote = httpStatus !== undefined || transportCode !== undefined;
    return { code: transportCode, message, httpStatus, local: !remote };
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

export interface RetryPolicy {
  maxAttempts: number;
  /** The shortest sleep, and the scale of the first ones. */
  baseDelayMs: number;
  /** No single sleep is longer than this. */
  maxDelayMs: number;
  /** Absolute time (ms since epoch) after which no new attempt starts. */
  deadline?: number;
}

// Chosen with bench/tune.ts on the storm model (see BENCHMARKS.md); re-run it before changing them.
export const DEFAULT_BASE_DELAY_MS = 1000;
export const DEFAULT_MAX_DELAY_MS = 6000;
/** Without action-timeout-s, retries stop starting after this long. */
export const DEFAULT_DEADLINE_MS = 120_000;

/** Pure: the policy the inputs ask for. */
export function retryPolicy(
  settings: { disableRetry: boolean; retryMaxAttempts: number; actionTimeoutSeconds: number },
  startedAt: number,
): RetryPolicy {
  const budget =
    settings.actionTimeoutSeconds > 0 ? settings.actionTimeoutSeconds * 1000 : DEFAULT_DEADLINE_MS;
  return {
    maxAttempts: settings.disableRetry ? 1 : settings.retryMaxAttempts,
    baseDelayMs: DEFAULT_BASE_DELAY_MS,
    maxDelayMs: DEFAULT_MAX_DELAY_MS,
    deadline: startedAt + budget,
  };
}

/**
 * "Decorrelated jitter": uniform in [base, 3 × the previous sleep], capped. Each job's sleeps grow
 * like an exponential backoff's, but jobs that failed together drift apart instead of retrying in
 * step. `previousMs` is 0 before the first retry.
 */
export function backoffDelay(previousMs: number, policy: RetryPolicy, random: () => number): number {
  const base = policy.baseDelayMs;
  const upper = Math.max(base, 3 * (previousMs || base));
  return Math.floor(Math.min(policy.maxDelayMs, base + random() * (upper - base)));
}

export interface RetryEvent {
  attempt: number;
  maxAttempts: number;
  code: string;
  delayMs: number;
  verdict: Verdict;
}

/** The one log line of a retry: attempt n of m, the error code, and what happens next. */
export function describeRetry(event: RetryEvent): string {
  const next =
    event.verdict === 'refresh-token'
      ? `fetching a fresh web identity token and retrying in ${(event.delayMs / 1000).toFixed(2)} s.`
      : `retrying in ${(event.delayMs / 1000).toFixed(2)} s.`;
  return `Attempt ${event.attempt} of ${event.maxAttempts} failed with ${event.code}; ${next}`;
}

export class RetriesExhaustedError extends Error {
  readonly attempts: number;
  readonly elapsedMs: number;
  readonly lastCode: string;
  /** What ran out: retry-max-attempts, or the time budget. */
  readonly reason: 'attempts' | 'deadline';

  constructor(
    attempts: number,
    elapsedMs: number,
    lastError: unknown,
    reason: 'attempts' | 'deadline' = 'attempts',
  ) {
    const facts = errorFacts(lastError);
    super(facts.message, { cause: lastError });
    this.name = 'RetriesExhaustedError';
    this.attempts = attempts;
    this.elapsedMs = elapsedMs;
    this.lastCode = describeCode(facts);
    this.reason = reason;
  }
}

function describeCode(facts: ErrorFacts): string {
  return facts.code ?? (facts.httpStatus ? `HTTP ${facts.httpStatus}` : 'network error');
}

export interface RetryHooks {
  webIdentity: boolean;
  onRetry?: (event: RetryEvent) => void;
  /** Runs before the attempt that follows a 'refresh-token' verdict; its failures count as that attempt's. */
  refreshToken?: () => Promise<void>;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

export interface RetryOutcome<T> {
  value: T;
  attempts: number;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `operation` until it succeeds, fails for good, or the attempts or the deadline run out.
 * A non-retryable error is rethrown as it is, at once; exhaustion throws RetriesExhaustedError.
 */
export async function withRetry<T>(
  operation: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  hooks: RetryHooks,
): Promise<RetryOutcome<T>> {
  const sleep = hooks.sleep ?? realSleep;
  const random = hooks.random ?? Math.random;
  const now = hooks.now ?? Date.now;
  const started = now();
  let previousDelay = 0;
  let refreshes = 0;
  let refreshPending = false;
  for (let attempt = 1; ; attempt++) {
    try {
      if (refreshPending) {
        await hooks.refreshToken?.();
        refreshPending = false;
      }
      return { value: await operation(attempt), attempts: attempt };
    } catch (error) {
      const facts = errorFacts(error);
      const verdict = classify(facts, hooks.webIdentity);
      if (verdict === 'fail') throw error;
      if (attempt >= policy.maxAttempts) {
        throw new RetriesExhaustedError(attempt, now() - started, error, 'attempts');
      }
      // A first expired token is replaced at once; should fresh ones keep expiring, back off.
      const immediate = verdict === 'refresh-token' && refreshes++ === 0;
      const delayMs = immediate ? 0 : backoffDelay(previousDelay, policy, random);
      if (!immediate) previousDelay = delayMs;
      if (policy.deadline !== undefined && now() + delayMs >= policy.deadline) {
        throw new RetriesExhaustedError(attempt, now() - started, error, 'deadline');
      }
      if (verdict === 'refresh-token') refreshPending = true;
      hooks.onRetry?.({
        attempt,
        maxAttempts: policy.maxAttempts,
        code: describeCode(facts),
        delayMs,
        verdict,
      });
      await sleep(delayMs);
    }
  }
}
