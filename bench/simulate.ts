// The storm, simulated in virtual time: N jobs call AssumeRoleWithWebIdentity against a
// verification-key budget (a token bucket); a call beyond it gets IDPCommunicationError. Ours runs
// the shipped withRetry (its classification, backoff and deadline) on a virtual clock; upstream's
// documented policy (12 attempts, each sleep uniform in [0, 50 ms × 2^n]) runs on the same clock,
// bucket and seeded random source, so the two are compared on exactly the same model.

import { type Backoff, retryPolicy, withRetry } from '../src/common/retry.js';
import { OidcRequestError } from '../src/tokens/oidc-request.js';

export interface StormModel {
  jobs: number;
  bucket: { capacity: number; refillPerSecond: number };
  /** Round trip of one STS call; the bucket is consulted half-way. */
  rttMs: number;
  /** Jobs start uniformly within this window (0: all at once). */
  startSpreadMs: number;
}

export const STORM_MODEL: StormModel = {
  jobs: 32,
  bucket: { capacity: 4, refillPerSecond: 4 },
  rttMs: 100,
  startSpreadMs: 0,
};

export type PolicyName = 'upstream' | 'ours';

export interface StormOutcome {
  succeeded: number;
  failed: number;
  requests: number;
  /** Seconds from the storm's start to each job's credentials, sorted. */
  secondsToCredentials: number[];
}

/** Mulberry32: a small, fast, seedable PRNG; good enough to draw jitter. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MAX_EVENTS = 1_000_000;

/** Timers that fire in virtual time, in order, as soon as everything else is waiting. */
class VirtualClock {
  now = 0;
  private timers: Array<{ at: number; seq: number; fire: () => void }> = [];
  private seq = 0;

  sleep = (ms: number): Promise<void> =>
    new Promise((fire) => {
      this.timers.push({ at: this.now + Math.max(0, ms), seq: this.seq++, fire });
    });

  /** Advances time until no timer is left. */
  async run(): Promise<void> {
    for (let events = 0; events < MAX_EVENTS; events++) {
      // Let every continuation run (and register its next timer) before time moves on.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.timers.length === 0) return;
      this.timers.sort((x, y) => x.at - y.at || x.seq - y.seq);
      const next = this.timers.shift();
      if (!next) return;
      this.now = next.at;
      next.fire();
    }
    throw new Error(`simulation did not settle within ${MAX_EVENTS} events`);
  }
}

class TokenBucket {
  private tokens: number;
  private last = 0;
  constructor(private readonly spec: StormModel['bucket']) {
    this.tokens = spec.capacity;
  }
  take(now: number): boolean {
    this.tokens = Math.min(
      this.spec.capacity,
      this.tokens + ((now - this.last) / 1000) * this.spec.refillPerSecond,
    );
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** Shaped like the SDK's error for STS's answer, so the real classify() sees what it would see. */
function idpCommunicationError(): Error {
  return Object.assign(
    new Error(
      "Couldn't retrieve verification key from your identity provider, please reference AssumeRoleWithWebIdentity documentation for requirements",
    ),
    {
      name: 'IDPCommunicationErrorException',
      Code: 'IDPCommunicationError',
      $metadata: { httpStatusCode: 400 },
    },
  );
}

const UPSTREAM_ATTEMPTS = 12;
const UPSTREAM_BASE_MS = 50;

/** Upstream's documented loop: every error retried alike, n-th sleep uniform in [0, 50 ms × 2^n]. */
async function upstreamRetry(
  operation: () => Promise<void>,
  sleep: (ms: number) => Promise<void>,
  random: () => number,
): Promise<void> {
  for (let n = 0; ; n++) {
    try {
      return await operation();
    } catch (error) {
      if (n + 1 >= UPSTREAM_ATTEMPTS) throw error;
      await sleep(random() * UPSTREAM_BASE_MS * 2 ** n);
    }
  }
}

/** Other STS backoff parameters for ours, to tune them (bench/tune.ts); the shipped ones otherwise. */
export type DelayOverride = Partial<Backoff>;

/** One storm under one policy. Deterministic for a given seed. */
export async function simulateStorm(
  policy: PolicyName,
  model: StormModel,
  seed: number,
  delays: DelayOverride = {},
): Promise<StormOutcome> {
  const clock = new VirtualClock();
  const random = seededRandom(seed);
  const bucket = new TokenBucket(model.bucket);
  let requests = 0;
  const callSts = async (): Promise<void> => {
    await clock.sleep(model.rttMs / 2);
    requests++;
    const granted = bucket.take(clock.now);
    await clock.sleep(model.rttMs / 2);
    if (!granted) throw idpCommunicationError();
  };
  const done: number[] = [];
  let failed = 0;
  const job = async (): Promise<void> => {
    await clock.sleep(random() * model.startSpreadMs);
    try {
      if (policy === 'upstream') {
        await upstreamRetry(callSts, clock.sleep, random);
      } else {
        // What the runner gives each job of a matrix of this size (action.yml's default).
        const settings = {
          disableRetry: false,
          retryMaxAttempts: 12,
          actionTimeoutSeconds: 0,
          concurrentJobs: model.jobs,
        };
        const shipped = retryPolicy(settings, clock.now);
        await withRetry(
          callSts,
          { ...shipped, backoff: { ...shipped.backoff, ...delays } },
          {
            webIdentity: true,
            sleep: clock.sleep,
            random,
            now: () => clock.now,
          },
        );
      }
      done.push(clock.now / 1000);
    } catch {
      failed++;
    }
  };
  const jobs = Array.from({ length: model.jobs }, job);
  await clock.run();
  await Promise.all(jobs);
  return { succeeded: done.length, failed, requests, secondsToCredentials: done.sort((a, b) => a - b) };
}

/** The value below which `q` of the sorted values lie (nearest rank). */
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}

export interface PolicySummary {
  policy: PolicyName;
  seeds: number;
  /** The fewest successes in any seed. */
  worstSucceeded: number;
  /** Medians over the seeds, and the 90th percentile over seeds in brackets. */
  p50Seconds: [median: number, p90: number];
  p95Seconds: [median: number, p90: number];
  requestsPerSuccess: [median: number, p90: number];
}

/** One policy over seeds 1..n. */
export async function summarize(
  policy: PolicyName,
  model: StormModel,
  seeds: number,
  delays: DelayOverride = {},
): Promise<PolicySummary> {
  const runs: StormOutcome[] = [];
  for (let seed = 1; seed <= seeds; seed++) runs.push(await simulateStorm(policy, model, seed, delays));
  const spread = (pick: (o: StormOutcome) => number): [number, number] => {
    const sorted = runs.map(pick).sort((a, b) => a - b);
    return [quantile(sorted, 0.5), quantile(sorted, 0.9)];
  };
  return {
    policy,
    seeds,
    worstSucceeded: Math.min(...runs.map((o) => o.succeeded)),
    p50Seconds: spread((o) => quantile(o.secondsToCredentials, 0.5)),
    p95Seconds: spread((o) => quantile(o.secondsToCredentials, 0.95)),
    requestsPerSuccess: spread((o) => o.requests / Math.max(1, o.succeeded)),
  };
}

/** Upstream's policy and ours over seeds 1..n, on the same model. */
export async function compareOnModel(model: StormModel, seeds: number): Promise<PolicySummary[]> {
  return [await summarize('upstream', model, seeds), await summarize('ours', model, seeds)];
}

/** Upstream's policy and ours over seeds 1..n, on the same model. */
export async function compareAtScale(jobs: number, seeds: number): Promise<PolicySummary[]> {
  return compareOnModel({ ...STORM_MODEL, jobs }, seeds);
}

/** The bucket's floor: with it full at the start, the last of `jobs` jobs cannot get a key sooner. */
export function bucketFloorSeconds(jobs: number, bucket = STORM_MODEL.bucket): number {
  return Math.max(0, (jobs - bucket.capacity) / bucket.refillPerSecond);
}

export type Glitch = 'blip' | 'token-5xx';

/**
 * A single job and a short glitch: 'blip', one IDPCommunicationError and then success (seconds from
 * the failed call's answer to the retry); 'token-5xx', two 5xx answers from GitHub's token endpoint
 * and then a token (seconds of sleep until the token). Virtual time; no round trips counted.
 */
export async function simulateGlitch(policy: PolicyName, glitch: Glitch, seed: number): Promise<number> {
  const clock = new VirtualClock();
  const random = seededRandom(seed);
  const failures = glitch === 'blip' ? 1 : 2;
  let calls = 0;
  const operation = async (): Promise<void> => {
    if (calls++ < failures) {
      throw glitch === 'blip'
        ? idpCommunicationError()
        : new OidcRequestError('HTTP 503', { statusCode: 503 });
    }
  };
  const run = async (): Promise<void> => {
    if (policy === 'upstream') {
      await upstreamRetry(operation, clock.sleep, random);
    } else {
      const settings = { disableRetry: false, retryMaxAttempts: 12, actionTimeoutSeconds: 0 };
      await withRetry(operation, retryPolicy(settings, clock.now), {
        webIdentity: true,
        sleep: clock.sleep,
        random,
        now: () => clock.now,
      });
    }
  };
  const done = run();
  await clock.run();
  await done;
  return clock.now / 1000;
}

/** Median and largest seconds of a glitch over seeds 1..n. */
export async function summarizeGlitch(
  policy: PolicyName,
  glitch: Glitch,
  seeds: number,
): Promise<{ policy: PolicyName; median: number; max: number }> {
  const values: number[] = [];
  for (let seed = 1; seed <= seeds; seed++) values.push(await simulateGlitch(policy, glitch, seed));
  values.sort((a, b) => a - b);
  return { policy, median: quantile(values, 0.5), max: quantile(values, 1) };
}
