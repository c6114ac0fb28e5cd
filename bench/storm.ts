// The storm, for real: N action processes started at once against one OIDC issuer and one STS
// double whose verification-key budget is a token bucket; a call beyond it gets
// IDPCommunicationError, as AWS STS answers when it cannot fetch GitHub's keys fast enough.

import { loadavg } from 'node:os';
import type { StsDouble } from '../test/support/sts-double.js';
import { runAction } from './action.js';
import { startEndpoints, webIdentityCalls } from './endpoints.js';
import { quantile } from './simulate.js';

export interface StormRound {
  jobs: number;
  /** The machine's 1-minute load average as the round started (the machine is shared). */
  loadAverage: number;
  succeeded: number;
  /** Seconds from the storm's start to each successful job's exit, sorted. */
  secondsToCredentials: number[];
  webIdentityRequests: number;
  oidcRequests: number;
  /** Retry lines the jobs logged, all together, by the error code they name. */
  retryCodes: Record<string, number>;
  /** Per successful job, sorted: seconds from the start to its first STS call (process start-up). */
  secondsToFirstCall: number[];
  /** Per successful job, sorted: seconds from its first STS call to the one that succeeded (the retries). */
  secondsRetrying: number[];
  /**
   * Per successful job, sorted: seconds from the round's first STS call (when the bucket starts to
   * drain) to the call that succeeded; the bucket's floor applies to these, process start-up aside.
   */
  secondsFromFirstCall: number[];
}

export const STORM_BUCKET = { capacity: 4, refillPerSecond: 4 };

function countRetryCodes(logs: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const log of logs) {
    for (const m of log.matchAll(/^Attempt \d+ of \d+ failed with (.+?);/gm)) {
      const code = m[1] ?? '?';
      counts[code] = (counts[code] ?? 0) + 1;
    }
  }
  return counts;
}

/**
 * Each job's calls, told apart by their web identity token (every job fetches its own): when its
 * first call arrived and when the one that succeeded did, in seconds from the start.
 */
function jobPhases(
  calls: StsDouble['calls'],
  startedAt: number,
): Array<{ firstCall: number; success: number }> {
  const byToken = new Map<string, { firstCall: number; success?: number }>();
  for (const call of calls) {
    if (call.action !== 'AssumeRoleWithWebIdentity') continue;
    const token = call.params.WebIdentityToken ?? '';
    const seconds = (call.at - startedAt) / 1000;
    const job = byToken.get(token) ?? { firstCall: seconds };
    job.firstCall = Math.min(job.firstCall, seconds);
    if (call.status === 200) job.success = seconds;
    byToken.set(token, job);
  }
  return [...byToken.values()].flatMap((job) =>
    job.success === undefined ? [] : [{ firstCall: job.firstCall, success: job.success }],
  );
}

export async function stormRound(jobs: number): Promise<StormRound> {
  const endpoints = await startEndpoints();
  try {
    endpoints.sts.tokenBucket(STORM_BUCKET);
    const loadAverage = loadavg()[0] ?? 0;
    const started = performance.now();
    const startedAt = Date.now();
    // Each process gets what the runner gives a job of a matrix of `jobs` jobs: action.yml's
    // concurrent-jobs default, evaluated from the strategy context.
    const matrix = { 'INPUT_CONCURRENT-JOBS': String(jobs) };
    const runs = await Promise.all(
      Array.from({ length: jobs }, () => runAction(endpoints, undefined, undefined, matrix)),
    );
    const ok = runs.filter((run) => run.exitCode === 0 && run.exported);
    const phases = jobPhases(endpoints.sts.calls, startedAt);
    const firstCall = Math.min(...phases.map((p) => p.firstCall));
    return {
      jobs,
      loadAverage,
      succeeded: ok.length,
      secondsToCredentials: ok.map((run) => (run.endedAt - started) / 1000).sort((a, b) => a - b),
      webIdentityRequests: webIdentityCalls(endpoints.sts),
      oidcRequests: endpoints.issuer.requests,
      retryCodes: countRetryCodes(runs.map((run) => run.stdout)),
      secondsToFirstCall: phases.map((p) => p.firstCall).sort((a, b) => a - b),
      secondsRetrying: phases.map((p) => p.success - p.firstCall).sort((a, b) => a - b),
      secondsFromFirstCall: phases.map((p) => p.success - firstCall).sort((a, b) => a - b),
    };
  } finally {
    await endpoints.stop();
  }
}

export interface StormSummary {
  rounds: StormRound[];
  /** Over all rounds together. */
  succeeded: number;
  jobs: number;
  p50Seconds: number;
  p95Seconds: number;
  /** p95 of secondsFromFirstCall over all rounds. */
  p95FromFirstCallSeconds: number;
  requestsPerSuccess: number;
}

export async function storm(jobs: number, rounds: number): Promise<StormSummary> {
  const all: StormRound[] = [];
  for (let i = 0; i < rounds; i++) all.push(await stormRound(jobs));
  const seconds = all.flatMap((r) => r.secondsToCredentials).sort((a, b) => a - b);
  const succeeded = all.reduce((n, r) => n + r.succeeded, 0);
  const requests = all.reduce((n, r) => n + r.webIdentityRequests, 0);
  return {
    rounds: all,
    succeeded,
    jobs: jobs * rounds,
    p50Seconds: quantile(seconds, 0.5),
    p95Seconds: quantile(seconds, 0.95),
    p95FromFirstCallSeconds: quantile(
      all.flatMap((r) => r.secondsFromFirstCall).sort((a, b) => a - b),
      0.95,
    ),
    requestsPerSuccess: requests / Math.max(1, succeeded),
  };
}
