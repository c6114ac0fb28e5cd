// Issue 4: classified retry. Errors are built the way the SDK, Node and the OIDC request raise them;
// the retry loop runs on a fake clock, so nothing here sleeps.
import {
  ExpiredTokenException,
  IDPCommunicationErrorException,
  InvalidIdentityTokenException,
  MalformedPolicyDocumentException,
  RegionDisabledException,
  STSServiceException,
} from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { compareOnModel, STORM_MODEL, simulateGlitch } from '../../bench/simulate.js';
import { classify, errorFacts, type Verdict } from '../../src/common/classify.js';
import { ActionError, InputError } from '../../src/common/errors.js';
import {
  type Backoff,
  backoffCap,
  backoffDelay,
  DEFAULT_DEADLINE_MS,
  describeRetry,
  firstRetryWindowMs,
  RetriesExhaustedError,
  type RetryEvent,
  type RetryPolicy,
  retryPolicy,
  STS_BACKOFF,
  scheduleOf,
  TOKEN_BACKOFF,
  withRetry,
} from '../../src/common/retry.js';
import { OidcRequestError } from '../../src/tokens/oidc-request.js';

const MODELED: Record<string, new (opts: never) => STSServiceException> = {
  ExpiredTokenException,
  IDPCommunicationError: IDPCommunicationErrorException,
  InvalidIdentityToken: InvalidIdentityTokenException,
  MalformedPolicyDocument: MalformedPolicyDocumentException,
  RegionDisabledException,
};

/** As the SDK raises an STS error answer: the modeled class when there is one, and the wire `Code`. */
function stsError(code: string, message: string, status = 400): Error {
  const Modeled = MODELED[code];
  const meta = { $metadata: { httpStatusCode: status }, message };
  const error = Modeled
    ? new Modeled(meta as never)
    : new STSServiceException({ name: code, $fault: status >= 500 ? 'server' : 'client', ...meta });
  return Object.assign(error, { Code: code });
}

/** As Node raises a socket error. */
const netError = (code: string, message = `read ${code}`) => Object.assign(new Error(message), { code });

const verdict = (error: unknown, webIdentity = true): Verdict => classify(errorFacts(error), webIdentity);

const KEY_MESSAGE =
  "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements";

describe('classify: retried', () => {
  it.each([
    ['IDPCommunicationError', KEY_MESSAGE, 400],
    ['InvalidIdentityToken', KEY_MESSAGE, 400],
    ['Throttling', 'Rate exceeded', 400],
    ['ThrottlingException', 'Rate exceeded', 400],
    ['RequestLimitExceeded', 'Request limit exceeded.', 400],
    ['SomethingNew', 'Rate exceeded', 400],
    ['InternalFailure', 'The request processing has failed.', 500],
    ['ServiceUnavailable', 'Service is unavailable.', 503],
    ['NotModeled', 'an answer with no known code', 502],
    ['NotModeled', 'an answer with no known code', 504],
  ])('%s (%s, HTTP %i)', (code, message, status) => {
    expect(verdict(stsError(code, message, status))).toBe('retry');
    expect(verdict(stsError(code, message, status), false)).toBe('retry');
  });

  it.each([
    ['ECONNRESET', 'read ECONNRESET'],
    ['ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9'],
    ['ETIMEDOUT', 'connect ETIMEDOUT'],
    ['ECONNRESET', 'socket hang up'],
    ['EAI_AGAIN', 'getaddrinfo EAI_AGAIN sts.us-east-1.amazonaws.com'],
  ])('the network fault %s (%s)', (code, message) => {
    expect(verdict(netError(code, message))).toBe('retry');
  });

  it('a socket hang-up or request timeout without a code, by its message', () => {
    expect(verdict(new Error('socket hang up'))).toBe('retry');
    expect(verdict(new Error('Request timed out'))).toBe('retry');
  });

  it("the SDK's connect and request timeouts", () => {
    // As @smithy/node-http-handler raises them.
    const connect = Object.assign(new Error('the request socket did not establish a connection'), {
      name: 'TimeoutError',
    });
    const request = Object.assign(
      new Error('a request has exceeded the configured 5000 ms requestTimeout.'),
      {
        name: 'TimeoutError',
        code: 'ETIMEDOUT',
      },
    );
    expect(verdict(connect)).toBe('retry');
    expect(verdict(request)).toBe('retry');
  });

  it.each([500, 502, 503, 429])("the OIDC token endpoint's HTTP %i", (status) => {
    expect(verdict(new OidcRequestError(`HTTP ${status}`, { statusCode: status }))).toBe('retry');
  });

  it('network faults reaching the OIDC token endpoint', () => {
    expect(verdict(new OidcRequestError('no answer within 5 s', { code: 'ETIMEDOUT' }))).toBe('retry');
    expect(verdict(new OidcRequestError('connect ECONNREFUSED', { code: 'ECONNREFUSED' }))).toBe('retry');
  });
});

describe('classify: fails at once', () => {
  it.each([
    ['AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity', 403],
    ['ValidationError', "1 validation error detected: Value 'x' at 'roleArn'", 400],
    ['MalformedPolicyDocument', 'The policy is not in the valid JSON format.', 400],
    ['InvalidClientTokenId', 'The security token included in the request is invalid.', 403],
    ['SignatureDoesNotMatch', 'The request signature we calculated does not match', 403],
    ['RegionDisabledException', 'STS is not activated in this region for account:111111111111', 403],
    ['PackedPolicyTooLarge', 'Packed policy consumes 120% of allotted space', 400],
    ['IDPRejectedClaim', 'Token rejected', 403],
  ])('%s', (code, message, status) => {
    expect(verdict(stsError(code, message, status))).toBe('fail');
    expect(verdict(stsError(code, message, status), false)).toBe('fail');
  });

  it('a fatal code even when the message mentions a rate or a timeout', () => {
    expect(verdict(stsError('AccessDenied', 'Rate exceeded for this caller', 403))).toBe('fail');
    expect(verdict(stsError('ValidationError', 'request timed out value', 400))).toBe('fail');
  });

  it.each([
    ['audience', 'Incorrect token audience'],
    [
      'issuer',
      'No OpenIDConnect provider found in your account for https://token.actions.githubusercontent.com',
    ],
    ['signature', 'The signature of the token could not be validated'],
    [
      'not a JWT',
      'The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)',
    ],
  ])('InvalidIdentityToken about the %s', (_about, message) => {
    expect(verdict(stsError('InvalidIdentityToken', message))).toBe('fail');
  });

  it('every local configuration error, whatever its message says', () => {
    expect(verdict(new InputError('aws-region', 'aws-region is required.', 'Set it.'))).toBe('fail');
    expect(verdict(new ActionError('Token file not found', 'the connection timed out reading it', ''))).toBe(
      'fail',
    );
  });

  it.each([401, 403, 404, 400])("the OIDC token endpoint's HTTP %i", (status) => {
    expect(verdict(new OidcRequestError(`HTTP ${status}`, { statusCode: status }))).toBe('fail');
  });

  it('an HTTP 4xx with no known code, and an error with nothing to go on', () => {
    expect(verdict(stsError('NotModeled', 'something', 400))).toBe('fail');
    expect(verdict(new Error('something else'))).toBe('fail');
    expect(verdict('a string')).toBe('fail');
  });
});

describe('classify: an expired token', () => {
  it('ExpiredTokenException on a web identity call asks for a fresh token', () => {
    const error = stsError('ExpiredTokenException', 'Token expired: current date/time 2 must be before 1');
    expect(verdict(error, true)).toBe('refresh-token');
  });

  it('expired source credentials (AssumeRole) cannot be refreshed here', () => {
    expect(
      verdict(stsError('ExpiredToken', 'The security token included in the request is expired'), false),
    ).toBe('fail');
    expect(verdict(stsError('ExpiredTokenException', 'expired'), false)).toBe('fail');
  });
});

describe('errorFacts', () => {
  it('reads the wire code, the message and the status of an SDK error', () => {
    const facts = errorFacts(stsError('IDPCommunicationError', KEY_MESSAGE));
    expect(facts).toEqual({ code: 'IDPCommunicationError', message: KEY_MESSAGE, httpStatus: 400 });
  });

  it("keeps the suffix of the codes whose wire form has one, drops the SDK's class suffix otherwise", () => {
    const modeled = new IDPCommunicationErrorException({ message: 'm', $metadata: {} });
    expect(errorFacts(modeled).code).toBe('IDPCommunicationError');
    expect(errorFacts(stsError('ExpiredTokenException', 'm')).code).toBe('ExpiredTokenException');
    expect(errorFacts(stsError('RegionDisabledException', 'm')).code).toBe('RegionDisabledException');
  });

  it("reads the OIDC endpoint's status from its error", () => {
    const facts = errorFacts(new OidcRequestError('HTTP 502: bad gateway', { statusCode: 502 }));
    expect(facts.httpStatus).toBe(502);
    expect(classify(facts, true)).toBe('retry');
  });

  it('marks our own errors local, unless they carry a remote answer', () => {
    expect(errorFacts(new InputError('x', 'm', 'f')).local).toBe(true);
    const remote = errorFacts(new OidcRequestError('HTTP 503', { statusCode: 503 }));
    expect(remote.local).toBe(false);
    expect(remote.httpStatus).toBe(503);
  });
});

const POLICY: RetryPolicy = { maxAttempts: 12, backoff: STS_BACKOFF, tokenBackoff: TOKEN_BACKOFF };

/** Round numbers, so that every expected value below can be worked out by hand. */
const SCHEDULE: Backoff = {
  quickMinMs: 100,
  quickMaxMs: 500,
  floorMs: 1000,
  capMs: 4000,
  capGrowth: 2,
  ageFactor: 2,
  maxDelayMs: 20_000,
};

describe('backoffDelay', () => {
  it('the first retry is quick: uniform in [quickMin, quickMax], whatever the time spent', () => {
    expect(backoffDelay(1, SCHEDULE, () => 0)).toBe(100);
    expect(backoffDelay(1, SCHEDULE, () => 0.5)).toBe(300);
    expect(backoffDelay(1, SCHEDULE, () => 0.999_999, 60_000)).toBe(499);
  });

  it('later sleeps are uniform in [floor, cap]', () => {
    // Second failure, 10 s in: the cap is capMs itself (4 s).
    expect(backoffDelay(2, SCHEDULE, () => 0, 10_000)).toBe(1000);
    expect(backoffDelay(2, SCHEDULE, () => 0.5, 10_000)).toBe(2500);
    expect(backoffDelay(2, SCHEDULE, () => 0.999_999, 10_000)).toBe(3999);
  });

  it('the cap doubles with each consecutive failure, up to maxDelay', () => {
    const late = 3_600_000; // an hour in: the age bound is out of the way
    expect([2, 3, 4, 5, 6, 7].map((n) => backoffCap(n, SCHEDULE, late))).toEqual([
      4000, 8000, 16_000, 20_000, 20_000, 20_000,
    ]);
  });

  it('early in a storm the cap is at most ageFactor × the time spent, never below capMs', () => {
    // Fifth failure (grown cap 20 s): 1 s in, capMs (4 s); 3 s in, 6 s; 8 s in, 16 s.
    expect(backoffCap(5, SCHEDULE, 1000)).toBe(4000);
    expect(backoffCap(5, SCHEDULE, 3000)).toBe(6000);
    expect(backoffCap(5, SCHEDULE, 8000)).toBe(16_000);
    expect(backoffCap(5, { ...SCHEDULE, ageFactor: undefined }, 1000)).toBe(20_000);
  });

  it('stays within its bounds for any draw', () => {
    for (let i = 0; i < 1000; i++) {
      const failures = 1 + (i % 12);
      const elapsed = i * 97;
      const delay = backoffDelay(failures, STS_BACKOFF, Math.random, elapsed);
      if (failures === 1) {
        expect(delay).toBeGreaterThanOrEqual(STS_BACKOFF.quickMinMs);
        expect(delay).toBeLessThanOrEqual(STS_BACKOFF.quickMaxMs);
      } else {
        expect(delay).toBeGreaterThanOrEqual(STS_BACKOFF.floorMs);
        expect(delay).toBeLessThanOrEqual(backoffCap(failures, STS_BACKOFF, elapsed));
        expect(delay).toBeLessThanOrEqual(STS_BACKOFF.maxDelayMs);
      }
    }
  });

  it('the shipped schedules: a blip retried within 0.5 s; two token-endpoint 5xx cost under 1 s of sleep', () => {
    expect(STS_BACKOFF.quickMaxMs).toBeLessThanOrEqual(500);
    const worst = () => 0.999_999;
    expect(backoffDelay(1, TOKEN_BACKOFF, worst) + backoffDelay(2, TOKEN_BACKOFF, worst)).toBeLessThan(1000);
  });
});

describe('firstRetryWindowMs', () => {
  const spread: Backoff = { ...SCHEDULE, spreadPerJobMs: 250, maxSpreadMs: 60_000 };
  const ample = 120_000;

  it('a lone job, or a schedule without a spread, retries within quickMax', () => {
    expect(firstRetryWindowMs(spread, 1, ample)).toBe(500);
    expect(firstRetryWindowMs(SCHEDULE, 64, ample)).toBe(500);
  });

  it('N concurrent jobs spread over N × spreadPerJob, never below quickMax nor past maxSpread', () => {
    expect(firstRetryWindowMs(spread, 2, ample)).toBe(500);
    expect(firstRetryWindowMs(spread, 32, ample)).toBe(8000);
    expect(firstRetryWindowMs(spread, 128, ample)).toBe(32_000);
    expect(firstRetryWindowMs(spread, 1000, ample)).toBe(60_000);
  });

  it('leaves half the time before the deadline for the retries the spread is for', () => {
    expect(firstRetryWindowMs(spread, 128, 20_000)).toBe(10_000);
    expect(firstRetryWindowMs(spread, 128, 600)).toBe(500);
  });

  it('after a spread first retry, the second sleep is at most half that window', () => {
    const spread: Backoff = { ...SCHEDULE, capMs: 10_000 };
    expect(backoffDelay(2, spread, () => 0.999_999, 0, 8000)).toBe(3999);
    expect(backoffDelay(2, spread, () => 0.999_999, 0, 500)).toBe(9999);
    // Never below the floor, and the third sleep is the usual one.
    expect(backoffDelay(2, spread, () => 0.999_999, 0, 1200)).toBe(1000);
    expect(backoffDelay(3, spread, () => 0.999_999, 60_000, 8000)).toBe(19_999);
  });

  it('withRetry draws the first sleep from that window, and only from STS failures', async () => {
    const idp = () => stsError('IDPCommunicationError', KEY_MESSAGE);
    const policy: RetryPolicy = { ...POLICY, deadline: 1_000_000 + 120_000, concurrentJobs: 32 };
    const stsTime = fakeTime();
    await withRetry(failing(idp(), idp()).operation, policy, { ...stsTime.hooks, webIdentity: true });
    // random 0.5: 100 + 0.5 × (32 × 250 − 100); then 1000 + 0.5 × (8000 / 2 − 1000).
    expect(stsTime.sleeps).toEqual([4050, 2500]);
    const tokenTime = fakeTime();
    const unavailable = new OidcRequestError('HTTP 503', { statusCode: 503 });
    await withRetry(failing(unavailable).operation, policy, { ...tokenTime.hooks, webIdentity: true });
    expect(tokenTime.sleeps).toEqual([100]);
  });
});

describe('scheduleOf', () => {
  it("GitHub's token endpoint has its own schedule; everything else follows STS's", () => {
    expect(scheduleOf(errorFacts(new OidcRequestError('HTTP 503', { statusCode: 503 })))).toBe(
      'token-endpoint',
    );
    expect(scheduleOf(errorFacts(new OidcRequestError('timeout', { code: 'ETIMEDOUT' })))).toBe(
      'token-endpoint',
    );
    expect(scheduleOf(errorFacts(stsError('InternalFailure', 'oops', 500)))).toBe('sts');
    expect(scheduleOf(errorFacts(netError('ECONNRESET')))).toBe('sts');
  });
});

describe('retryPolicy', () => {
  const inputs = { disableRetry: false, retryMaxAttempts: 12, actionTimeoutSeconds: 0 };

  it('defaults: 12 attempts, the default deadline, the tuned schedules', () => {
    expect(retryPolicy(inputs, 5000)).toEqual({
      maxAttempts: 12,
      backoff: STS_BACKOFF,
      tokenBackoff: TOKEN_BACKOFF,
      deadline: 5000 + DEFAULT_DEADLINE_MS,
      concurrentJobs: 1,
    });
    expect(retryPolicy({ ...inputs, concurrentJobs: 64 }, 5000).concurrentJobs).toBe(64);
  });

  it('action-timeout-s becomes the deadline; disable-retry means one attempt', () => {
    expect(retryPolicy({ ...inputs, actionTimeoutSeconds: 30 }, 5000).deadline).toBe(35_000);
    expect(retryPolicy({ ...inputs, disableRetry: true }, 0).maxAttempts).toBe(1);
    expect(retryPolicy({ ...inputs, retryMaxAttempts: 3 }, 0).maxAttempts).toBe(3);
  });
});

/** A clock that only moves when the loop sleeps. */
function fakeTime(random = () => 0.5) {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    hooks: {
      random,
      now: () => now,
      sleep: async (ms: number) => {
        sleeps.push(ms);
        now += ms;
      },
    },
  };
}

/** An operation that fails with `errors` in turn, then returns 'ok'. */
function failing(...errors: unknown[]) {
  const calls: number[] = [];
  return {
    calls,
    operation: async (attempt: number) => {
      calls.push(attempt);
      const error = errors[calls.length - 1];
      if (error !== undefined) throw error;
      return 'ok';
    },
  };
}

describe('withRetry', () => {
  const idp = () => stsError('IDPCommunicationError', KEY_MESSAGE);

  it('3 transient errors, then success: 4 attempts, one event per retry, growing sleeps', async () => {
    const time = fakeTime();
    const op = failing(idp(), idp(), idp());
    const events: RetryEvent[] = [];
    const outcome = await withRetry(op.operation, POLICY, {
      ...time.hooks,
      webIdentity: true,
      onRetry: (e) => events.push(e),
    });
    expect(outcome).toEqual({ value: 'ok', attempts: 4 });
    expect(op.calls).toEqual([1, 2, 3, 4]);
    // random 0.5 with the shipped schedule (quick 0.1–0.4 s, floor 1 s, cap 10 s tripling, age factor 3):
    // 100 + 0.5 × 300; then 1000 + 0.5 × (10000 − 1000); then, 5.75 s in, the cap is
    // min(30 s, max(10 s, 3 × 5.75 s)) = 17.25 s: 1000 + 0.5 × (17250 − 1000).
    expect(time.sleeps).toEqual([250, 5500, 9125]);
    expect(events.map((e) => [e.attempt, e.maxAttempts, e.code, e.delayMs, e.verdict])).toEqual([
      [1, 12, 'IDPCommunicationError', 250, 'retry'],
      [2, 12, 'IDPCommunicationError', 5500, 'retry'],
      [3, 12, 'IDPCommunicationError', 9125, 'retry'],
    ]);
  });

  it('a fatal error is rethrown as it is after one attempt, without sleeping', async () => {
    const time = fakeTime();
    const denied = stsError('AccessDenied', 'Not authorized', 403);
    const op = failing(denied);
    await expect(withRetry(op.operation, POLICY, { ...time.hooks, webIdentity: true })).rejects.toBe(denied);
    expect(op.calls).toEqual([1]);
    expect(time.sleeps).toEqual([]);
  });

  it('stops after maxAttempts with the last error', async () => {
    const time = fakeTime();
    const last = stsError('Throttling', 'Rate exceeded');
    const op = failing(idp(), idp(), last);
    const error = await withRetry(
      op.operation,
      { ...POLICY, maxAttempts: 3 },
      { ...time.hooks, webIdentity: true },
    )
      .then(() => undefined)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect(error).toMatchObject({ attempts: 3, lastCode: 'Throttling', reason: 'attempts', cause: last });
    expect(op.calls).toEqual([1, 2, 3]);
    expect(time.sleeps).toHaveLength(2);
  });

  it('never sleeps past the deadline', async () => {
    const time = fakeTime(() => 0.999);
    const op = failing(...Array.from({ length: 20 }, idp));
    const deadline = time.now() + 10_000;
    const error = await withRetry(op.operation, { ...POLICY, deadline }, { ...time.hooks, webIdentity: true })
      .then(() => undefined)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'deadline' });
    expect(time.now()).toBeLessThan(deadline);
    expect(op.calls.length).toBeLessThan(POLICY.maxAttempts);
    expect(op.calls.length).toBe(time.sleeps.length + 1);
  });

  it('one attempt when maxAttempts is 1 (disable-retry)', async () => {
    const time = fakeTime();
    const op = failing(idp());
    await expect(
      withRetry(op.operation, { ...POLICY, maxAttempts: 1 }, { ...time.hooks, webIdentity: true }),
    ).rejects.toBeInstanceOf(RetriesExhaustedError);
    expect(op.calls).toEqual([1]);
  });

  it('an expired web identity token: refreshed before the next attempt, at once the first time', async () => {
    const time = fakeTime();
    const expired = () => stsError('ExpiredTokenException', 'Token expired');
    const order: string[] = [];
    const op = failing(expired(), expired());
    const outcome = await withRetry(
      async (attempt) => {
        order.push(`attempt ${attempt}`);
        return op.operation(attempt);
      },
      POLICY,
      {
        ...time.hooks,
        webIdentity: true,
        refreshToken: async () => {
          order.push('refresh');
        },
      },
    );
    expect(outcome.attempts).toBe(3);
    expect(order).toEqual(['attempt 1', 'refresh', 'attempt 2', 'refresh', 'attempt 3']);
    // The second expiry backs off: fresh tokens that keep expiring point at a clock problem.
    expect(time.sleeps[0]).toBe(0);
    expect(time.sleeps[1]).toBeGreaterThanOrEqual(STS_BACKOFF.quickMinMs);
  });

  it('a refresh that fails transiently counts as an attempt and is tried again', async () => {
    const time = fakeTime();
    const op = failing(stsError('ExpiredTokenException', 'Token expired'));
    let refreshes = 0;
    const outcome = await withRetry(op.operation, POLICY, {
      ...time.hooks,
      webIdentity: true,
      refreshToken: async () => {
        refreshes++;
        if (refreshes === 1) throw new OidcRequestError('HTTP 503', { statusCode: 503 });
      },
    });
    expect(outcome.attempts).toBe(3);
    expect(refreshes).toBe(2);
    expect(op.calls).toEqual([1, 3]);
  });
});

describe('withRetry: the two schedules', () => {
  it("two 5xx from the token endpoint, then an IDP blip: each schedule's first retry is quick", async () => {
    const time = fakeTime(() => 0.999_999);
    const unavailable = () => new OidcRequestError('HTTP 503', { statusCode: 503 });
    const op = failing(unavailable(), unavailable(), stsError('IDPCommunicationError', KEY_MESSAGE));
    const outcome = await withRetry(op.operation, POLICY, { ...time.hooks, webIdentity: true });
    expect(outcome.attempts).toBe(4);
    const [first, second, third] = time.sleeps;
    expect(first).toBeLessThanOrEqual(TOKEN_BACKOFF.quickMaxMs);
    expect(second).toBeGreaterThanOrEqual(TOKEN_BACKOFF.floorMs);
    expect(second).toBeLessThanOrEqual(TOKEN_BACKOFF.capMs);
    // The token endpoint's failures do not count against STS: its first failure is retried quickly.
    expect(third).toBeGreaterThanOrEqual(STS_BACKOFF.quickMinMs);
    expect(third).toBeLessThanOrEqual(STS_BACKOFF.quickMaxMs);
  });

  it('a long storm: the attempts are spread out, not spent in the first half-minute', async () => {
    const time = fakeTime(() => 0.5);
    const op = failing(...Array.from({ length: 20 }, () => stsError('IDPCommunicationError', KEY_MESSAGE)));
    const started = time.now();
    const error = await withRetry(
      op.operation,
      { ...POLICY, deadline: started + DEFAULT_DEADLINE_MS },
      { ...time.hooks, webIdentity: true },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    // With even middling draws, 12 attempts reach well past the half-minute a 128-job storm needs.
    expect(time.now() - started).toBeGreaterThan(60_000);
    expect(op.calls.length).toBeLessThanOrEqual(POLICY.maxAttempts);
  });
});

describe('glitches, simulated on the shipped policy (bench/simulate.ts)', () => {
  it('one IDPCommunicationError: the retry within 0.5 s; two token-endpoint 5xx: the token within 1 s', async () => {
    for (let seed = 1; seed <= 50; seed++) {
      expect(await simulateGlitch('ours', 'blip', seed)).toBeLessThanOrEqual(0.5);
      expect(await simulateGlitch('ours', 'token-5xx', seed)).toBeLessThan(1);
    }
  });
});

describe('the shipped policy on the storm model (bench/simulate.ts, deterministic)', () => {
  it('every job succeeds, with far fewer requests than upstream, at 32 and 128 jobs', async () => {
    for (const [jobs, seeds] of [
      [32, 20],
      [128, 4],
    ] as const) {
      const [upstream, ours] = await compareOnModel({ ...STORM_MODEL, jobs }, seeds);
      expect(ours?.worstSucceeded).toBe(jobs);
      expect(ours?.requestsPerSuccess[1]).toBeLessThan(0.75 * (upstream?.requestsPerSuccess[0] ?? 0));
      // The median p95 within 1.5 × the bucket's floor for the last job, (jobs − 4) / 4 s.
      expect(ours?.p95Seconds[0]).toBeLessThan((1.5 * (jobs - 4)) / 4);
    }
  });

  it('gives the same numbers for the same seeds', async () => {
    const model = { ...STORM_MODEL, jobs: 8 };
    expect(await compareOnModel(model, 3)).toEqual(await compareOnModel(model, 3));
  });
});

describe('describeRetry', () => {
  it('says attempt n of m, the code and the delay', () => {
    const line = describeRetry({
      attempt: 2,
      maxAttempts: 12,
      code: 'Throttling',
      delayMs: 3410,
      verdict: 'retry',
    });
    expect(line).toBe('Attempt 2 of 12 failed with Throttling; retrying in 3.41 s.');
  });

  it('says why a first retry waits longer in a matrix', () => {
    const line = describeRetry({
      attempt: 1,
      maxAttempts: 12,
      code: 'IDPCommunicationError',
      delayMs: 5120,
      verdict: 'retry',
      spread: { concurrentJobs: 32, windowMs: 8000 },
    });
    expect(line).toBe(
      'Attempt 1 of 12 failed with IDPCommunicationError; retrying in 5.12 s (the first retries of 32 concurrent jobs are spread over 8.00 s).',
    );
  });

  it('says a fresh token is fetched for an expired one', () => {
    const line = describeRetry({
      attempt: 1,
      maxAttempts: 5,
      code: 'ExpiredTokenException',
      delayMs: 0,
      verdict: 'refresh-token',
    });
    expect(line).toMatch(
      /^Attempt 1 of 5 failed with ExpiredTokenException; fetching a fresh web identity token/,
    );
  });
});
