/**
 * How long to wait before another attempt, and the loop that waits. The one place that decides;
 * every call to STS or to the OIDC token endpoint goes through `withRetry`.
 */
import { classify, type ErrorFacts, errorFacts, type Verdict } from './classify.js';

/**
 * One backoff schedule. A lone job's first retry comes quickly: a blip is over by then. A job that
 * is one of many started together (a matrix) spreads its first retry over a window in proportion to
 * their number instead, since its failure most likely comes from their own storm at the IdP, and
 * every job retrying at once would only fail again. Later sleeps are jittered between a floor and a
 * cap that grows with each consecutive failure, bounded by the time already spent: a job that keeps
 * failing spreads its next attempts over more and more time (and over the deadline) instead of
 * spending its attempt budget early, while in a short storm no job sleeps for long.
 */
export interface Backoff {
  /** A lone job's first retry: uniform in [quickMinMs, quickMaxMs]. */
  quickMinMs: number;
  quickMaxMs: number;
  /** With N concurrent jobs, the first retry is uniform in [quickMinMs, N × spreadPerJobMs] ... */
  spreadPerJobMs?: number;
  /** ... but that window never ends later than this. */
  maxSpreadMs?: number;
  /** Every later sleep is at least this long. */
  floorMs: number;
  /** The second sleep's cap; each further failure multiplies it by capGrowth, up to maxDelayMs. */
  capMs: number;
  capGrowth: number;
  /** If set, the cap is also at most ageFactor × the time since the first attempt (never below capMs). */
  ageFactor?: number;
  /** No single sleep is longer than this. */
  maxDelayMs: number;
}

export interface RetryPolicy {
  maxAttempts: number;
  /** For STS failures: the IdP's key fetches, throttling, 5xx, network faults. */
  backoff: Backoff;
  /** For GitHub's OIDC token endpoint (5xx, 429, network): GitHub's service, not a storm at the IdP. */
  tokenBackoff: Backoff;
  /** Absolute time (ms since epoch) after which no new attempt starts. */
  deadline?: number;
  /** How many jobs may call STS at the same moment as this one (the concurrent-jobs input). */
  concurrentJobs?: number;
}

// Chosen with bench/tune.ts on the storm model at 32, 128 and 256 jobs (see BENCHMARKS.md); re-run
// it before changing them. The 10 s cap bounds a small storm's p95; tripling it per failure spreads
// a big storm's jobs out in fewer failures; the age bound keeps a small storm's unlucky few from
// sleeping far past its end.
export const STS_BACKOFF: Backoff = {
  quickMinMs: 100,
  quickMaxMs: 400,
  spreadPerJobMs: 250,
  maxSpreadMs: 60_000,
  floorMs: 1000,
  capMs: 10_000,
  capGrowth: 3,
  ageFactor: 3,
  maxDelayMs: 30_000,
};
/** Two 5xx answers from the token endpoint cost at most 0.15 + 0.4 s of sleep. */
export const TOKEN_BACKOFF: Backoff = {
  quickMinMs: 50,
  quickMaxMs: 150,
  floorMs: 100,
  capMs: 400,
  capGrowth: 2,
  maxDelayMs: 4000,
};
/** Without action-timeout-s, retries stop starting after this long. */
export const DEFAULT_DEADLINE_MS = 120_000;

/** Pure: the policy the inputs ask for. */
export function retryPolicy(
  settings: {
    disableRetry: boolean;
    retryMaxAttempts: number;
    actionTimeoutSeconds: number;
    concurrentJobs?: number;
  },
  startedAt: number,
): RetryPolicy {
  const budget =
    settings.actionTimeoutSeconds > 0 ? settings.actionTimeoutSeconds * 1000 : DEFAULT_DEADLINE_MS;
  return {
    maxAttempts: settings.disableRetry ? 1 : settings.retryMaxAttempts,
    backoff: STS_BACKOFF,
    tokenBackoff: TOKEN_BACKOFF,
    deadline: startedAt + budget,
    concurrentJobs: settings.concurrentJobs ?? 1,
  };
}

/**
 * Pure: the end of the first retry's window. A lone job's is quickMaxMs; with N concurrent jobs,
 * N × spreadPerJobMs, at most maxSpreadMs and at most half the time left before the deadline (so the
 * spread never eats the retries it is for), never below quickMaxMs.
 */
export function firstRetryWindowMs(backoff: Backoff, concurrentJobs: number, remainingMs: number): number {
  if (backoff.spreadPerJobMs === undefined || concurrentJobs <= 1) return backoff.quickMaxMs;
  const spread = Math.min(
    concurrentJobs * backoff.spreadPerJobMs,
    backoff.maxSpreadMs ?? Number.POSITIVE_INFINITY,
    remainingMs / 2,
  );
  return Math.max(backoff.quickMaxMs, spread);
}

/** Pure: the cap of the sleep after `failures` consecutive failures, `elapsedMs` after the first attempt. */
export function backoffCap(failures: number, backoff: Backoff, elapsedMs: number): number {
  const grown = backoff.capMs * backoff.capGrowth ** Math.max(0, failures - 2);
  const byAge =
    backoff.ageFactor === undefined ? grown : Math.max(backoff.capMs, backoff.ageFactor * elapsedMs);
  return Math.max(backoff.floorMs, Math.min(backoff.maxDelayMs, grown, byAge));
}

/**
 * Pure: the sleep before the next attempt, after `failures` consecutive failures of one kind (1 for
 * the first): the first time uniform in [quickMin, firstWindowMs] (firstRetryWindowMs), then in
 * [floor, backoffCap] (the second at most half a spread first window), so that jobs that failed
 * together spread out over the whole span allowed.
 */
export function backoffDelay(
  failures: number,
  backoff: Backoff,
  random: () => number,
  elapsedMs = 0,
  firstWindowMs = backoff.quickMaxMs,
): number {
  if (failures <= 1) {
    return Math.floor(backoff.quickMinMs + random() * (firstWindowMs - backoff.quickMinMs));
  }
  let cap = backoffCap(failures, backoff, elapsedMs);
  // A spread first retry already took the jobs apart: the few that met again spread over half as long.
  if (failures === 2 && firstWindowMs > backoff.quickMaxMs) {
    cap = Math.max(backoff.floorMs, Math.min(cap, firstWindowMs / 2));
  }
  return Math.floor(backoff.floorMs + random() * (cap - backoff.floorMs));
}

/** Which schedule a retryable failure follows: the token endpoint's, or STS's. */
export function scheduleOf(facts: ErrorFacts): 'token-endpoint' | 'sts' {
  return facts.service === 'oidc-token' ? 'token-endpoint' : 'sts';
}

export interface RetryEvent {
  attempt: number;
  maxAttempts: number;
  code: string;
  delayMs: number;
  verdict: Verdict;
  /** Set when this first retry was spread over a window for concurrent jobs. */
  spread?: { concurrentJobs: number; windowMs: number };
}

/** The one log line of a retry: attempt n of m, the error code, and what happens next. */
export function describeRetry(event: RetryEvent): string {
  const seconds = (ms: number) => (ms / 1000).toFixed(2);
  const why = event.spread
    ? ` (the first retries of ${event.spread.concurrentJobs} concurrent jobs are spread over ${seconds(event.spread.windowMs)} s)`
    : '';
  const next =
    event.verdict === 'refresh-token'
      ? `fetching a fresh web identity token and retrying in ${seconds(event.delayMs)} s`
      : `retrying in ${seconds(event.delayMs)} s`;
  return `Attempt ${event.attempt} of ${event.maxAttempts} failed with ${event.code}; ${next}${why}.`;
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
  const now = hooks.now ?? Date.now;
  const started = now();
  const schedules = new Schedules(policy, hooks.random ?? Math.random, now, started);
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
      const { delayMs, spread } = immediate ? { delayMs: 0, spread: undefined } : schedules.next(facts);
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
        ...(spread ? { spread } : {}),
      });
      await sleep(delayMs);
    }
  }
}

/**
 * The sleeps of one withRetry: each schedule (STS's, the token endpoint's) counts its own failures,
 * so a token-endpoint fault does not lengthen STS's sleeps, and keeps the window its first retry
 * was drawn from.
 */
class Schedules {
  private readonly failures = { sts: 0, 'token-endpoint': 0 };
  private readonly firstWindows: Partial<Record<'sts' | 'token-endpoint', number>> = {};

  constructor(
    private readonly policy: RetryPolicy,
    private readonly random: () => number,
    private readonly now: () => number,
    private readonly started: number,
  ) {}

  next(facts: ErrorFacts): { delayMs: number; spread?: RetryEvent['spread'] } {
    const schedule = scheduleOf(facts);
    const backoff = schedule === 'token-endpoint' ? this.policy.tokenBackoff : this.policy.backoff;
    const concurrentJobs = this.policy.concurrentJobs ?? 1;
    const remainingMs = (this.policy.deadline ?? Number.POSITIVE_INFINITY) - this.now();
    const windowMs = this.firstWindows[schedule] ?? firstRetryWindowMs(backoff, concurrentJobs, remainingMs);
    this.firstWindows[schedule] = windowMs;
    const failures = ++this.failures[schedule];
    const delayMs = backoffDelay(failures, backoff, this.random, this.now() - this.started, windowMs);
    const spread = failures === 1 && windowMs > backoff.quickMaxMs ? { concurrentJobs, windowMs } : undefined;
    return { delayMs, spread };
  }
}
