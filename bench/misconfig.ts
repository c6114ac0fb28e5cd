// Misconfiguration: the role's trust policy does not accept the token's audience, so STS answers
// AccessDenied. Measures how long the step takes to fail, and how many STS calls it spends.
import { ROLE_ARN, runAction } from './action.js';
import { startEndpoints, webIdentityCalls } from './endpoints.js';
import { quantile } from './simulate.js';

export interface MisconfigResult {
  runs: number;
  medianSeconds: number;
  maxSeconds: number;
  /** The most AssumeRoleWithWebIdentity calls any one run made. */
  maxStsCalls: number;
}

const MISMATCHED_ROLE = ROLE_ARN.replace(/bench$/, 'bench-other-audience');

export async function misconfiguration(runs: number): Promise<MisconfigResult> {
  const endpoints = await startEndpoints();
  try {
    endpoints.sts.addRole({ arn: MISMATCHED_ROLE, trust: { aud: ['not-this-audience'] } });
    const seconds: number[] = [];
    let maxStsCalls = 0;
    for (let i = 0; i < runs; i++) {
      const before = webIdentityCalls(endpoints.sts);
      const run = await runAction(endpoints, MISMATCHED_ROLE);
      const calls = webIdentityCalls(endpoints.sts) - before;
      if (run.exitCode === 0 || !/^::error /m.test(run.stdout)) {
        throw new Error(`misconfiguration run ${i + 1} did not fail with an error (exit ${run.exitCode})`);
      }
      if (!endpoints.sts.calls.some((call) => call.errorCode === 'AccessDenied')) {
        throw new Error('the STS double never answered AccessDenied');
      }
      maxStsCalls = Math.max(maxStsCalls, calls);
      seconds.push(run.wallMs / 1000);
    }
    seconds.sort((a, b) => a - b);
    return { runs, medianSeconds: quantile(seconds, 0.5), maxSeconds: quantile(seconds, 1), maxStsCalls };
  } finally {
    await endpoints.stop();
  }
}
