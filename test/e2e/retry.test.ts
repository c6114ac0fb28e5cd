// Issue 4: classified retry, timeouts and token reuse, end to end through the runner emulator:
// dist/index.js against a local OIDC issuer and the STS double (or a server that never answers),
// all on 127.0.0.1. Each test has its own servers, so the tests run side by side.
import { createServer, type Server, type Socket } from 'node:net';
import { describe, expect, it, type TestContext } from 'vitest';
import { type OidcIssuer, startOidcIssuer } from '../support/oidc-issuer.js';
import { Job, type StepResult, type Strategy } from '../support/runner.js';
import { type StsDouble, startStsDouble } from '../support/sts-double.js';

const ROLE = 'arn:aws:iam::111111111111:role/Retry';
const AUDIENCE = 'sts.amazonaws.com';
const KEY_MESSAGE =
  "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements";
/**
 * The STS schedule's bounds (src/common/retry.ts, STS_BACKOFF): the first sleep within [0.1 s, 0.4 s], then
 * each at least 1 s and, this early in a run, at most the 10 s cap (tripling per failure: 10, 30 s).
 */
const FIRST_SLEEP_S = [0.1, 0.4] as const;
const MIN_SLEEP_S = 1;
const SECOND_MAX_SLEEP_S = 10;
/** The token endpoint's schedule (TOKEN_BACKOFF): 0.05–0.15 s, then 0.1–0.4 s. */
const TOKEN_SLEEPS_S = [
  [0.05, 0.15],
  [0.1, 0.4],
] as const;
/** Generous: proves "does not hang" (the emulator would kill the step at 60 s). */
const NO_HANG_MS = 40_000;

interface RetryLine {
  attempt: number;
  of: number;
  code: string;
  seconds?: number;
}

/** The one line per retry: attempt n of m, the error code, the delay. */
function retryLines(step: StepResult): RetryLine[] {
  return [
    ...step.stdout.matchAll(
      /^Attempt (\d+) of (\d+) failed with (.+?); (?:retrying in ([\d.]+) s|fetching)/gm,
    ),
  ].map((m) => ({
    attempt: Number(m[1]),
    of: Number(m[2]),
    code: m[3] ?? '',
    seconds: m[4] === undefined ? undefined : Number(m[4]),
  }));
}

function expectBackoffBounds(lines: RetryLine[]): void {
  lines.forEach((line, i) => {
    if (i === 0) {
      expect(line.seconds).toBeGreaterThanOrEqual(FIRST_SLEEP_S[0]);
      expect(line.seconds).toBeLessThanOrEqual(FIRST_SLEEP_S[1]);
    } else {
      expect(line.seconds).toBeGreaterThanOrEqual(MIN_SLEEP_S);
      expect(line.seconds).toBeLessThanOrEqual(SECOND_MAX_SLEEP_S * 3 ** (i - 1));
    }
  });
}

/** A server that accepts connections and never answers; counts the connections. */
async function blackHole(
  onTestFinished: TestContext['onTestFinished'],
): Promise<{ url: string; connections: () => number }> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${address.port}`, connections: () => connections };
}

interface Bed {
  issuer: OidcIssuer;
  sts: StsDouble;
  job: Job;
  run(extra?: Record<string, string>): Promise<StepResult>;
  webIdentityCalls(): Array<{ token: string; errorCode?: string; fault?: string }>;
}

/** A job, an OIDC issuer and an STS double trusting the job's audience, torn down after the test. */
async function bed(
  onTestFinished: TestContext['onTestFinished'],
  jobEnv: Record<string, string> = {},
  strategy?: Strategy,
): Promise<Bed> {
  const issuer = await startOidcIssuer();
  const sts = await startStsDouble();
  sts.addRole({ arn: ROLE, trust: { aud: [AUDIENCE] } });
  const job = new Job({
    env: {
      ...issuer.env(),
      RUNNER_ENVIRONMENT: 'github-hosted',
      AWS_EC2_METADATA_DISABLED: 'true',
      ...jobEnv,
    },
    strategy,
  });
  onTestFinished(async () => {
    // No web identity token may reach the log, masked or not.
    for (const token of issuer.tokens) job.addSecret(token);
    const leaks = job.leaks();
    await job.dispose();
    await Promise.all([sts.stop(), issuer.stop()]);
    expect(leaks).toEqual([]);
  });
  return {
    issuer,
    sts,
    job,
    run: (extra = {}) =>
      job.uses({
        'aws-region': 'us-east-1',
        'role-to-assume': ROLE,
        'sts-endpoint': sts.endpoint,
        audience: AUDIENCE,
        'job-summary': 'false',
        ...extra,
      }),
    webIdentityCalls: () =>
      sts.calls
        .filter((call) => call.action === 'AssumeRoleWithWebIdentity')
        .map((call) => ({
          token: call.params.WebIdentityToken ?? '',
          errorCode: call.errorCode,
          fault: call.fault,
        })),
  };
}

/** The step succeeded and exported credentials the STS double accepts. */
function expectCredentials(t: Bed, step: StepResult): void {
  expect(step.exitCode, step.stdout).toBe(0);
  const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN } = step.envWrites;
  expect(AWS_ACCESS_KEY_ID).toBeDefined();
  expect(
    t.sts.checkCredentials({
      accessKeyId: AWS_ACCESS_KEY_ID ?? '',
      secretAccessKey: AWS_SECRET_ACCESS_KEY ?? '',
      sessionToken: AWS_SESSION_TOKEN,
    }),
  ).toBe('valid');
}

function onlyError(step: StepResult) {
  expect(step.exitCode, step.stdout).toBe(1);
  const errors = step.annotations.filter((a) => a.level === 'error');
  expect(errors, step.stdout).toHaveLength(1);
  return errors[0] as { title?: string; message: string };
}

describe.concurrent('retried until it succeeds', () => {
  it('3 IDPCommunicationErrors, then success: 4 calls, one token, one line per retry', async ({
    onTestFinished,
  }) => {
    const t = await bed(onTestFinished);
    const fault = { code: 'IDPCommunicationError', message: KEY_MESSAGE, status: 400 };
    t.sts.script('AssumeRoleWithWebIdentity', [fault, fault, fault]);
    const step = await t.run();
    expectCredentials(t, step);
    const calls = t.webIdentityCalls();
    expect(calls.map((c) => c.fault)).toEqual([
      'IDPCommunicationError',
      'IDPCommunicationError',
      'IDPCommunicationError',
      undefined,
    ]);
    // Fetched once, reused across the retries.
    expect(t.issuer.requests).toBe(1);
    expect(new Set(calls.map((c) => c.token))).toEqual(new Set(t.issuer.tokens));
    const lines = retryLines(step);
    expect(lines.map((l) => [l.attempt, l.of, l.code])).toEqual([
      [1, 12, 'IDPCommunicationError'],
      [2, 12, 'IDPCommunicationError'],
      [3, 12, 'IDPCommunicationError'],
    ]);
    expectBackoffBounds(lines);
  });

  it("in a matrix, the first retry is spread over the concurrent jobs' window, from action.yml's default", async ({
    onTestFinished,
  }) => {
    // 256 jobs, 16 at a time: concurrent-jobs defaults to 16, a window of 16 × 0.25 s.
    const strategy = { 'fail-fast': true, 'job-index': 7, 'job-total': 256, 'max-parallel': 16 };
    const t = await bed(onTestFinished, {}, strategy);
    t.sts.script('AssumeRoleWithWebIdentity', [{ code: 'IDPCommunicationError', message: KEY_MESSAGE }]);
    const step = await t.run();
    expectCredentials(t, step);
    const [line, ...more] = retryLines(step);
    expect(more).toEqual([]);
    expect(line?.seconds).toBeGreaterThanOrEqual(FIRST_SLEEP_S[0]);
    expect(line?.seconds).toBeLessThanOrEqual(4);
    expect(step.stdout).toContain('(the first retries of 16 concurrent jobs are spread over 4.00 s).');
    // concurrent-jobs: 1 in with: wins over the matrix: a quick retry.
    t.sts.script('AssumeRoleWithWebIdentity', [{ code: 'IDPCommunicationError', message: KEY_MESSAGE }]);
    const lone = await t.run({ 'concurrent-jobs': '1' });
    expectCredentials(t, lone);
    expectBackoffBounds(retryLines(lone));
    expect(lone.stdout).not.toContain('concurrent jobs');
  });

  it('throttling, then success', async ({ onTestFinished }) => {
    const t = await bed(onTestFinished);
    t.sts.script('AssumeRoleWithWebIdentity', [
      { code: 'Throttling', message: 'Rate exceeded', status: 400 },
      { code: 'RequestLimitExceeded', message: 'Request limit exceeded.', status: 400 },
    ]);
    const step = await t.run();
    expectCredentials(t, step);
    expect(t.webIdentityCalls()).toHaveLength(3);
    const lines = retryLines(step);
    expect(lines.map((l) => l.code)).toEqual(['Throttling', 'RequestLimitExceeded']);
    expectBackoffBounds(lines);
  });

  it('an STS that accepts the request and never answers: timed out, then retried', async ({
    onTestFinished,
  }) => {
    const t = await bed(onTestFinished);
    t.sts.script('AssumeRoleWithWebIdentity', [{ kind: 'hang' }]);
    const step = await t.run();
    expectCredentials(t, step);
    expect(t.webIdentityCalls().map((c) => c.fault)).toEqual(['hang', undefined]);
    expect(retryLines(step)).toHaveLength(1);
    expect(step.durationMs).toBeLessThan(NO_HANG_MS);
  });

  it('an expired web identity token is replaced by a fresh one', async ({ onTestFinished }) => {
    const t = await bed(onTestFinished);
    t.sts.script('AssumeRoleWithWebIdentity', [
      {
        code: 'ExpiredTokenException',
        message:
          'Token expired: current date/time 1795350000 must be before the expiration date/time 1795349000',
      },
    ]);
    const step = await t.run();
    expectCredentials(t, step);
    expect(t.issuer.requests).toBe(2);
    const [first, second] = t.issuer.tokens;
    expect(first).not.toBe(second);
    expect(t.webIdentityCalls().map((c) => c.token)).toEqual([first, second]);
    expect(step.stdout).toMatch(
      /^Attempt 1 of 12 failed with ExpiredTokenException; fetching a fresh web identity token/m,
    );
  });

  it("the OIDC token endpoint's HTTP 503, twice, then a token", async ({ onTestFinished }) => {
    const t = await bed(onTestFinished);
    t.issuer.failNext(2, 503);
    const step = await t.run();
    expectCredentials(t, step);
    expect(t.issuer.requests).toBe(3);
    expect(t.webIdentityCalls()).toHaveLength(1);
    const lines = retryLines(step);
    expect(lines.map((l) => l.code)).toEqual(['HTTP 503', 'HTTP 503']);
    // Its own quick schedule: GitHub's service, not a storm at the IdP.
    lines.forEach((line, i) => {
      const [low, high] = TOKEN_SLEEPS_S[i] ?? [0, 0];
      expect(line.seconds).toBeGreaterThanOrEqual(low);
      expect(line.seconds).toBeLessThanOrEqual(high);
    });
  });
});

describe.concurrent('fails at once, or within its budget', () => {
  it('AccessDenied (a trust policy for another audience) fails after exactly one call', async ({
    onTestFinished,
  }) => {
    const t = await bed(onTestFinished);
    const role = ROLE.replace(/Retry$/, 'OtherAudience');
    t.sts.addRole({ arn: role, trust: { aud: ['not-this-audience'] } });
    const step = await t.run({ 'role-to-assume': role });
    const error = onlyError(step);
    expect(t.webIdentityCalls().map((c) => c.errorCode)).toEqual(['AccessDenied']);
    expect(retryLines(step)).toEqual([]);
    expect(`${error.title} ${error.message}`).toContain('AccessDenied');
  });

  it('disable-retry: one transient error fails the step after one call', async ({ onTestFinished }) => {
    const t = await bed(onTestFinished);
    t.sts.script('AssumeRoleWithWebIdentity', [{ code: 'IDPCommunicationError', message: KEY_MESSAGE }]);
    const step = await t.run({ 'disable-retry': 'true' });
    onlyError(step);
    expect(t.webIdentityCalls()).toHaveLength(1);
    expect(retryLines(step)).toEqual([]);
  });

  it('action-timeout-s is a deadline for the retries too', async ({ onTestFinished }) => {
    const t = await bed(onTestFinished);
    const fault = { code: 'IDPCommunicationError', message: KEY_MESSAGE, status: 400 };
    t.sts.script(
      'AssumeRoleWithWebIdentity',
      Array.from({ length: 12 }, () => fault),
    );
    const step = await t.run({ 'action-timeout-s': '4' });
    onlyError(step);
    const calls = t.webIdentityCalls().length;
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(calls).toBeLessThan(12);
    expect(step.durationMs).toBeLessThan(NO_HANG_MS);
  });

  it('an STS endpoint that accepts connections but never answers fails within the timeout budget', async ({
    onTestFinished,
  }) => {
    const t = await bed(onTestFinished);
    const hole = await blackHole(onTestFinished);
    const step = await t.run({ 'sts-endpoint': hole.url, 'retry-max-attempts': '2' });
    const error = onlyError(step);
    expect(hole.connections()).toBe(2);
    expect(`${error.title} ${error.message}`).toMatch(/ETIMEDOUT|Timeout/);
    expect(retryLines(step).map((l) => [l.attempt, l.of])).toEqual([[1, 2]]);
    expect(step.durationMs).toBeLessThan(NO_HANG_MS);
  });

  it('an OIDC token endpoint that never answers fails within the timeout budget, before any STS call', async ({
    onTestFinished,
  }) => {
    const hole = await blackHole(onTestFinished);
    const t = await bed(onTestFinished, {
      ACTIONS_ID_TOKEN_REQUEST_URL: `${hole.url}/token?api-version=2.0`,
    });
    const step = await t.run({ 'retry-max-attempts': '2' });
    const error = onlyError(step);
    expect(hole.connections()).toBe(2);
    expect(t.sts.calls).toEqual([]);
    expect(error.message).toContain('Failed to get ID Token');
    expect(step.durationMs).toBeLessThan(NO_HANG_MS);
  });
});
