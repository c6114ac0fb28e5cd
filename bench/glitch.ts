// Short glitches, for real: the bundled action against the local endpoints, one process at a time.
// 'blip': one IDPCommunicationError, then success; measured at the STS double, from the failed
// call's arrival to the retry's. 'token-5xx': GitHub's token endpoint answers 503 twice, then gives
// a token; measured as the step's wall time, spawn to exit.
import { runAction } from './action.js';
import { startEndpoints } from './endpoints.js';
import { quantile } from './simulate.js';

const KEY_MESSAGE =
  "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements";

export interface GlitchResult {
  runs: number;
  succeeded: number;
  /** Sorted seconds, one per successful run. */
  seconds: number[];
  median: number;
  max: number;
}

function summarize(runs: number, seconds: number[]): GlitchResult {
  const sorted = [...seconds].sort((a, b) => a - b);
  return {
    runs,
    succeeded: sorted.length,
    seconds: sorted,
    median: quantile(sorted, 0.5),
    max: quantile(sorted, 1),
  };
}

/** Seconds between the failed AssumeRoleWithWebIdentity and the retry, per run. */
export async function blip(runs: number): Promise<GlitchResult> {
  const seconds: number[] = [];
  for (let i = 0; i < runs; i++) {
    const endpoints = await startEndpoints();
    try {
      endpoints.sts.script('AssumeRoleWithWebIdentity', [
        { code: 'IDPCommunicationError', message: KEY_MESSAGE, status: 400 },
      ]);
      const run = await runAction(endpoints);
      const calls = endpoints.sts.calls.filter((c) => c.action === 'AssumeRoleWithWebIdentity');
      const [failed, retried] = calls;
      if (run.exitCode === 0 && run.exported && calls.length === 2 && failed && retried) {
        seconds.push((retried.at - failed.at) / 1000);
      }
    } finally {
      await endpoints.stop();
    }
  }
  return summarize(runs, seconds);
}

/** The whole step's wall time when the token endpoint fails twice with 503 first. */
export async function tokenEndpoint5xx(runs: number): Promise<GlitchResult> {
  const seconds: number[] = [];
  for (let i = 0; i < runs; i++) {
    const endpoints = await startEndpoints();
    try {
      endpoints.issuer.failNext(2, 503);
      const run = await runAction(endpoints);
      if (run.exitCode === 0 && run.exported && endpoints.issuer.requests === 3)
        seconds.push(run.wallMs / 1000);
    } finally {
      await endpoints.stop();
    }
  }
  return summarize(runs, seconds);
}
