// Issue 11: bounded whatever the network does. dist/index.js through the runner emulator against a
// hostile STS endpoint or a hostile GitHub OIDC token endpoint on 127.0.0.1 (drip, redirect, huge
// body, HTML, line breaks in fields): each case ends in bounded time with one ::error, no secret and
// no command injected by the endpoint.
import { describe, expect, it, type TestContext } from 'vitest';
import {
  type Fault,
  HOSTILE_KEYS,
  type Hostile,
  INJECTED,
  type Role,
  startHostile,
} from '../support/hostile.js';
import { startOidcIssuer } from '../support/oidc-issuer.js';
import { Job, type StepResult } from '../support/runner.js';

const ROLE = 'arn:aws:iam::111111111111:role/Hostile';
/** Far above the bounds under test (a 10 s call, a 12 s deadline), far below "hangs" (the emulator's 60 s). */
const BOUNDED_MS = 40_000;
const REQUEST_TOKEN = 'hostile-request-token-0123456789';

async function runAgainst(
  onTestFinished: TestContext['onTestFinished'],
  role: Role,
  fault: Fault,
  inputs: Record<string, string> = {},
): Promise<{ step: StepResult; hostile: Hostile; elsewhere: Hostile }> {
  // Where a redirect points: it must never be asked.
  const elsewhere = await startHostile('html', role);
  const hostile = await startHostile(fault, role, `${elsewhere.url}/stolen`);
  const issuer = await startOidcIssuer();
  const oidcEnv =
    role === 'oidc'
      ? {
          ACTIONS_ID_TOKEN_REQUEST_URL: `${hostile.url}/token`,
          ACTIONS_ID_TOKEN_REQUEST_TOKEN: REQUEST_TOKEN,
        }
      : issuer.env();
  const job = new Job({
    env: { ...oidcEnv, RUNNER_ENVIRONMENT: 'github-hosted', AWS_EC2_METADATA_DISABLED: 'true' },
  });
  onTestFinished(async () => {
    for (const secret of [
      ...issuer.tokens,
      issuer.requestToken,
      REQUEST_TOKEN,
      ...Object.values(HOSTILE_KEYS),
    ])
      job.addSecret(secret);
    const leaks = job.leaks();
    await job.dispose();
    await Promise.all([hostile.stop(), elsewhere.stop(), issuer.stop()]);
    expect(leaks).toEqual([]);
  });
  const step = await job.uses({
    'aws-region': 'us-east-1',
    'role-to-assume': ROLE,
    'sts-endpoint': role === 'sts' ? hostile.url : 'http://127.0.0.1:9',
    'job-summary': 'false',
    ...inputs,
  });
  return { step, hostile, elsewhere };
}

function expectBoundedFailure(step: StepResult): { title?: string; message: string } {
  expect(step.timedOut ?? false, step.stdout).toBe(false);
  expect(step.durationMs).toBeLessThan(BOUNDED_MS);
  expect(step.exitCode, step.stdout).toBe(1);
  const errors = step.annotations.filter((a) => a.level === 'error');
  expect(errors, step.stdout).toHaveLength(1);
  // Nothing the endpoint sent became a command: no warning, and no output line that is a command.
  expect(step.annotations.filter((a) => a.message.includes(INJECTED) && a.level !== 'error')).toEqual([]);
  const lines = `${step.stdout}\n${step.stderr}`.split(/\r?\n/);
  // The one ::error carries the text as escaped data (%0A); any other command line would be injected.
  const commands = lines.filter((line) => line.trim().startsWith('::') && !line.trim().startsWith('::error'));
  expect(commands.filter((line) => line.includes(INJECTED))).toEqual([]);
  const error = errors[0] as { title?: string; message: string };
  expect(error.message.length).toBeLessThan(8 * 1024);
  return error;
}

describe.concurrent('a hostile STS endpoint', () => {
  it('drip (headers, then 1 byte every 3 s), one attempt: cut by the call bound, no deadline needed', async ({
    onTestFinished,
  }) => {
    const { step, hostile } = await runAgainst(onTestFinished, 'sts', 'drip', { 'retry-max-attempts': '1' });
    const error = expectBoundedFailure(step);
    expect(error.message).toMatch(/request timeout/);
    expect(hostile.requests()).toBe(1);
  });

  it('drip with retries: the deadline (action-timeout-s) cuts the attempt in flight', async ({
    onTestFinished,
  }) => {
    const { step } = await runAgainst(onTestFinished, 'sts', 'drip', { 'action-timeout-s': '12' });
    const error = expectBoundedFailure(step);
    expect(error.title).toBe('Action timed out');
    expect(error.message).toMatch(/cut at the step's deadline/);
  });

  it('a 4 MB error body: capped, and the ::error is a few kB', async ({ onTestFinished }) => {
    const { step } = await runAgainst(onTestFinished, 'sts', 'huge', { 'retry-max-attempts': '1' });
    const error = expectBoundedFailure(step);
    expect(error.message).toMatch(/over 1 MB/);
  });

  it('an HTML 502 page names its HTTP status, not "Unknown"', async ({ onTestFinished }) => {
    const { step } = await runAgainst(onTestFinished, 'sts', 'html', { 'retry-max-attempts': '2' });
    const error = expectBoundedFailure(step);
    expect(error.message).toMatch(/HTTP 502/);
    expect(error.message).not.toMatch(/Unknown: Unknown/);
  });

  it('a redirect is not followed', async ({ onTestFinished }) => {
    const { step, elsewhere } = await runAgainst(onTestFinished, 'sts', 'redirect', {
      'retry-max-attempts': '1',
    });
    expectBoundedFailure(step);
    expect(elsewhere.requests()).toBe(0);
  });

  it('an ARN with line breaks and commands: refused, nothing exported', async ({ onTestFinished }) => {
    const { step } = await runAgainst(onTestFinished, 'sts', 'line-breaks');
    const error = expectBoundedFailure(step);
    expect(error.message).toMatch(/line break/);
    expect(step.envWrites.AWS_ACCESS_KEY_ID).toBeUndefined();
  });
});

describe.concurrent('a hostile GitHub OIDC token endpoint', () => {
  it('drip, one attempt: cut by the call bound', async ({ onTestFinished }) => {
    const { step, hostile } = await runAgainst(onTestFinished, 'oidc', 'drip', { 'retry-max-attempts': '1' });
    const error = expectBoundedFailure(step);
    expect(error.message).toMatch(/request timeout/);
    expect(hostile.requests()).toBe(1);
  });

  it('drip with retries: each attempt cut, titled as the token endpoint', async ({ onTestFinished }) => {
    const { step } = await runAgainst(onTestFinished, 'oidc', 'drip', { 'retry-max-attempts': '2' });
    const error = expectBoundedFailure(step);
    expect(error.title).toMatch(/^GitHub OIDC token endpoint retries exhausted/);
  });

  it('a redirect is not followed: the request token never reaches the other host', async ({
    onTestFinished,
  }) => {
    const { step, hostile, elsewhere } = await runAgainst(onTestFinished, 'oidc', 'redirect');
    const error = expectBoundedFailure(step);
    expect(error.message).toMatch(/HTTP 302/);
    expect(elsewhere.requests()).toBe(0);
    expect(hostile.requests()).toBe(1);
  });

  it('a 4 MB body: capped', async ({ onTestFinished }) => {
    const { step } = await runAgainst(onTestFinished, 'oidc', 'huge', { 'retry-max-attempts': '1' });
    const error = expectBoundedFailure(step);
    expect(error.message).toMatch(/over 1 MB/);
  });

  it('an HTML 502 page names its status', async ({ onTestFinished }) => {
    const { step } = await runAgainst(onTestFinished, 'oidc', 'html', { 'retry-max-attempts': '2' });
    const error = expectBoundedFailure(step);
    expect(error.message).toMatch(/HTTP 502/);
  });

  it('line breaks and commands in the error message stay on one line', async ({ onTestFinished }) => {
    const { step } = await runAgainst(onTestFinished, 'oidc', 'line-breaks');
    const error = expectBoundedFailure(step);
    expect(error.message).toContain('\\n::warning::');
  });
});
