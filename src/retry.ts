/**
 * Which failures are worth another attempt, and how long to wait before it. The one place that
 * decides; everything that talks to STS or the OIDC endpoint goes through `withRetry`.
 */

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
}

const RETRYABLE_CODES = new Set([
  'IDPCommunicationError',
  'Throttling',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequests',
  'InternalFailure',
  'InternalError',
  'ServiceUnavailable',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

const NETWORK_MESSAGES =
  /socket hang up|request timed? ?out|connection timed? ?out|network error|ECONNRESET|ETIMEDOUT/i;
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
    cause?: unknown;
  };
  const message = typeof e.message === 'string' ? e.message : String(error);
  const rawCode = [e.Code, e.code, e.name].find(
    (c): c is string => typeof c === 'string' && c !== 'Error' && c !== '',
  );
  // The SDK names modeled errors after their class (IDPCommunicationErrorException); the wire code
  // has no suffix except for a few (ExpiredTokenException). Normalise to the wire code.
  const code =
    rawCode && rawCode !== 'ExpiredTokenException' && rawCode !== 'RegionDisabledException'
      ? rawCode.replace(/Exception$/, '') || rawCode
      : rawCode;
  const oidcStatus = /Error Code\s*:\s*(\d{3})/.exec(message)?.[1];
  const httpStatus =
    e.$metadata?.httpStatusCode ??
    (typeof e.statusCode === 'number' ? e.statusCode : undefined) ??
    (oidcStatus ? Number(oidcStatus) : undefined);
  return { code, message, httpStatus };
}

/** Pure: what to do about one failed attempt. `webIdentity` says the call carried a JWT. */
export function classify(facts: ErrorFacts, webIdentity: boolean): Verdict {
  const { code = '', message, httpStatus } = facts;
  if (code === 'ExpiredTokenException' || code === 'ExpiredToken') {
    return webIdentity ? 'refresh-token' : 'fail';
  }
  if (code === 'InvalidIdentityToken') {
    // STS reports a failed key fetch under this code too; only that variant is transient.
    return VERIFICATION_KEY.test(message) ? 'retry' : 'fail';
  }
  if (RETRYABLE_CODES.has(code)) return 'retry';
  if (/rate exceeded/i.test(message)) return 'retry';
  if (httpStatus !== undefined && (httpStatus >= 500 || httpStatus === 429)) return 'retry';
  if (httpStatus === undefined && NETWORK_MESSAGES.test(message)) return 'retry';
  return 'fail';
}

export interface RetryPolicy {
  maxAttempts: number;
  /** First backoff ceiling; doubles each attempt. */
  baseDelayMs: number;
  /** No single sleep is longer than this. */
  maxDelayMs: number;
  /** Absolute time (ms since epoch) after which no new attempt starts. */
  deadline?: number;
}

export const DEFAULT_BASE_DELAY_MS = 1000;
export const DEFAULT_MAX_DELAY_MS = 8000;
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

/** "Full jitter": uniform in [0, min(cap, base·2^(n-1))], so parallel jobs spread out instead of colliding. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

export interface RetryEvent {
  attempt: number;
  maxAttempts: number;
  code: string;
  delayMs: number;
  verdict: Verdict;
}

export class RetriesExhaustedError extends Error {
  readonly attempts: number;
  readonly elapsedMs: number;
  readonly lastCode: string;

  constructor(attempts: number, elapsedMs: number, lastError: unknown) {
    const facts = errorFacts(lastError);
    super(facts.message, { cause: lastError });
    this.name = 'RetriesExhaustedError';
    this.attempts = attempts;
    this.elapsedMs = elapsedMs;
    this.lastCode = facts.code ?? (facts.httpStatus ? `HTTP ${facts.httpStatus}` : 'unknown');
  }
}

export interface RetryHooks {
  webIdentity: boolean;
  onRetry?: (event: RetryEvent) => void;
  /** Called before retrying a 'refresh-token' verdict. */
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
  for (let attempt = 1; ; attempt++) {
    try {
      return { value: await operation(attempt), attempts: attempt };
    } catch (error) {
      const facts = errorFacts(error);
      const verdict = classify(facts, hooks.webIdentity);
      if (verdict === 'fail') throw error;
      if (attempt >= policy.maxAttempts) throw new RetriesExhaustedError(attempt, now() - started, error);
      const delayMs = verdict === 'refresh-token' ? 0 : backoffDelay(attempt, policy, random);
      if (policy.deadline !== undefined && now() + delayMs >= policy.deadline) {
        throw new RetriesExhaustedError(attempt, now() - started, error);
      }
      hooks.onRetry?.({
        attempt,
        maxAttempts: policy.maxAttempts,
        code: facts.code ?? (facts.httpStatus ? `HTTP ${facts.httpStatus}` : 'network error'),
        delayMs,
        verdict,
      });
      if (verdict === 'refresh-token') await hooks.refreshToken?.();
      await sleep(delayMs);
    }
  }
}
