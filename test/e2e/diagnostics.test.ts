// Issue 5: failures that explain themselves. Each misconfiguration happens for real (a trust policy
// that does not match, no OIDC provider, a too-long session, an IdP storm, no id-token permission)
// against the local STS double; the test reads the one ::error annotation the runner would show.

import { afterEach, describe, expect, it } from 'vitest';
import { decodeJwt, type OidcIssuer, startOidcIssuer } from '../support/oidc-issuer.js';
import { type Annotation, Job, type StepResult } from '../support/runner.js';
import { useServers } from '../support/servers.js';

const ACCOUNT = '111111111111';
const HOST = 'token.actions.githubusercontent.com';
const MAIN_SUB = 'repo:acme/app:ref:refs/heads/main';

const servers = useServers('sts');
let roleCount = 0;
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  servers.sts.setNoOidcProvider(false);
  servers.sts.setAudiences(null);
});

/** A role of its own for each test, trusting pushes to main of acme/app by default. */
function newRole(
  extra: { sub?: string[]; aud?: string[]; maxSessionDuration?: number; principals?: string[] } = {},
) {
  const arn = `arn:aws:iam::${ACCOUNT}:role/Diag${++roleCount}`;
  servers.sts.addRole({
    arn,
    trust: { sub: extra.sub ?? [MAIN_SUB], aud: extra.aud ?? ['sts.amazonaws.com'] },
    maxSessionDuration: extra.maxSessionDuration,
    principals: extra.principals,
  });
  return arn;
}

async function newIssuer(claims: Record<string, unknown> = {}): Promise<OidcIssuer> {
  const issuer = await startOidcIssuer({ claims });
  cleanups.push(() => issuer.stop());
  return issuer;
}

function newJob(issuer: OidcIssuer | undefined, env: Record<string, string> = {}): Job {
  const job = new Job({
    env: {
      ...(issuer ? issuer.env() : {}),
      RUNNER_ENVIRONMENT: 'github-hosted',
      AWS_EC2_METADATA_DISABLED: 'true',
      ...env,
    },
  });
  cleanups.push(async () => {
    // No token may ever reach the log, masked or not.
    for (const jwt of issuer?.tokens ?? []) job.addSecret(jwt);
    expect(job.leaks()).toEqual([]);
    await job.dispose();
  });
  return job;
}

const inputs = (role: string, extra: Record<string, string> = {}) => ({
  'role-to-assume': role,
  'aws-region': 'us-east-1',
  'sts-endpoint': servers.sts.endpoint,
  ...extra,
});

/** The failed step's single error annotation, after checking it is the only one. */
function onlyError(step: StepResult): Annotation {
  expect(step.exitCode, step.stdout).toBe(1);
  const errors = step.annotations.filter((a) => a.level === 'error');
  expect(errors, step.stdout).toHaveLength(1);
  const [error] = errors;
  if (!error) throw new Error('no error annotation');
  expect(error.title).toBeTruthy();
  return error;
}

const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m;

/** Calls of `action` the STS double received during `run`. */
async function counting<T>(action: string, run: () => Promise<T>): Promise<{ result: T; calls: number }> {
  const before = servers.sts.calls.filter((c) => c.action === action).length;
  const result = await run();
  return { result, calls: servers.sts.calls.filter((c) => c.action === action).length - before };
}

/** The claims of the token the action was given, decoded here from the issuer's own record. */
function claimsOf(issuer: OidcIssuer): Record<string, unknown> {
  const jwt = issuer.tokens.at(-1);
  if (!jwt) throw new Error('the issuer handed out no token');
  return decodeJwt(jwt).payload;
}

describe('AccessDenied on AssumeRoleWithWebIdentity', () => {
  it('a job with an environment: prints its claims, the matching condition and the environment mismatch', async () => {
    const role = newRole();
    const issuer = await newIssuer({ environment: 'production' });
    const job = newJob(issuer);
    const { result: step, calls } = await counting('AssumeRoleWithWebIdentity', () => job.uses(inputs(role)));

    const error = onlyError(step);
    // Refused for good: one call, no retries.
    expect(calls).toBe(1);
    expect(error.title).toMatch(/trust policy/i);
    const claims = claimsOf(issuer);
    expect(claims.sub).toBe('repo:acme/app:environment:production');
    for (const name of [
      'sub',
      'aud',
      'iss',
      'repository',
      'ref',
      'environment',
      'event_name',
      'job_workflow_ref',
    ]) {
      expect(claims[name], name).toBeTypeOf('string');
      expect(error.message).toContain(`${name}: ${claims[name]}`);
    }
    expect(error.message).toContain(`"${HOST}:sub": "repo:acme/app:environment:production"`);
    expect(error.message).toContain(`"${HOST}:aud": "sts.amazonaws.com"`);
    expect(error.message).toContain(role);
    const likely = error.message.split('Likely here:')[1]?.split('Also check:')[0] ?? '';
    expect(likely).toContain('environment: production');
    expect(likely).not.toContain('pull_request');
    // No stack trace without SHOW_STACK_TRACE, and nothing exported.
    expect(step.stdout).not.toMatch(STACK_LINE);
    expect(job.env.AWS_ACCESS_KEY_ID).toBeUndefined();
    expect(step.stdout).not.toContain(issuer.tokens.at(-1));
  });

  it('a pull_request job: names the pull_request subject', async () => {
    const role = newRole();
    const issuer = await newIssuer({
      event_name: 'pull_request',
      sub: 'repo:acme/app:pull_request',
      ref: 'refs/pull/7/merge',
    });
    const error = onlyError(await newJob(issuer).uses(inputs(role)));
    expect(error.message).toContain(`"${HOST}:sub": "repo:acme/app:pull_request"`);
    const likely = error.message.split('Likely here:')[1]?.split('Also check:')[0] ?? '';
    expect(likely).toContain('pull_request');
    expect(likely).not.toContain('environment:');
  });

  it('a reusable workflow: points at job_workflow_ref', async () => {
    const role = newRole({ sub: ['repo:acme/other:*'] });
    const reusable = 'acme/shared/.github/workflows/deploy.yml@refs/heads/main';
    const issuer = await newIssuer({ job_workflow_ref: reusable });
    const error = onlyError(await newJob(issuer).uses(inputs(role)));
    expect(error.message).toContain(`job_workflow_ref: ${reusable}`);
    const likely = error.message.split('Likely here:')[1]?.split('Also check:')[0] ?? '';
    expect(likely).toContain(reusable);
  });

  it('a wrong audience: shows the token aud and the audience input', async () => {
    const role = newRole();
    const issuer = await newIssuer();
    const error = onlyError(await newJob(issuer).uses(inputs(role, { audience: 'sts.example.test' })));
    expect(claimsOf(issuer).aud).toBe('sts.example.test');
    expect(error.message).toContain(`"${HOST}:aud": "sts.example.test"`);
    const likely = error.message.split('Likely here:')[1]?.split('Also check:')[0] ?? '';
    expect(likely).toContain('sts.example.test');
    expect(likely).toContain('`audience` input');
  });

  it('a role that does not exist: the same refusal names the role ARN to check', async () => {
    const issuer = await newIssuer();
    const typo = `arn:aws:iam::${ACCOUNT}:role/DoesNotExist`;
    const error = onlyError(await newJob(issuer).uses(inputs(typo)));
    expect(error.message).toContain(`check role-to-assume (${typo}) for a typo`);
    // The trust policy would have matched the claims: the condition shows the job's own sub.
    expect(error.message).toContain(`"${HOST}:sub": "${MAIN_SUB}"`);
  });

  it('SHOW_STACK_TRACE=true adds the stack, still with one error', async () => {
    const role = newRole();
    const issuer = await newIssuer({ environment: 'production' });
    const step = await newJob(issuer).uses(inputs(role), { env: { SHOW_STACK_TRACE: 'true' } });
    onlyError(step);
    expect(step.stdout).toMatch(STACK_LINE);
  });
});

describe('other STS refusals', () => {
  it('no OIDC provider: says how to create it in the role account', async () => {
    servers.sts.setNoOidcProvider(true);
    const role = newRole();
    const error = onlyError(await newJob(await newIssuer()).uses(inputs(role)));
    expect(error.title).toMatch(/provider/i);
    expect(error.message).toContain(`Account ${ACCOUNT}`);
    expect(error.message).toContain(
      'aws iam create-open-id-connect-provider --url https://token.actions.githubusercontent.com --client-id-list sts.amazonaws.com',
    );
  });

  it("InvalidIdentityToken for the audience: shows the token's aud and the provider's client IDs", async () => {
    servers.sts.setAudiences(['sts.amazonaws.com']);
    const role = newRole({ aud: ['sts.example.test'] });
    const { result: step, calls } = await counting('AssumeRoleWithWebIdentity', async () =>
      newJob(await newIssuer()).uses(inputs(role, { audience: 'sts.example.test' })),
    );
    const error = onlyError(step);
    expect(calls).toBe(1);
    expect(error.title).toMatch(/audience/i);
    expect(error.message).toContain('"sts.example.test"');
    expect(error.message).toContain('`audience` input');
    expect(error.message).toContain(
      `--open-id-connect-provider-arn arn:aws:iam::${ACCOUNT}:oidc-provider/${HOST} --client-id sts.example.test`,
    );
  });

  it("a duration over the role's MaxSessionDuration: names the limit and the value asked for", async () => {
    const role = newRole({ maxSessionDuration: 3600 });
    const error = onlyError(
      await newJob(await newIssuer()).uses(inputs(role, { 'role-duration-seconds': '7200' })),
    );
    expect(error.title).toContain('MaxSessionDuration');
    expect(error.message).toContain('role-duration-seconds 7200 (2 h)');
    expect(error.message).toContain(
      `aws iam update-role --role-name Diag${roleCount} --max-session-duration 7200`,
    );
  });

  it('a chained role asked for more than 1 hour: names the role-chaining limit', async () => {
    const first = newRole();
    const second = newRole({ principals: [first], maxSessionDuration: 43200 });
    const job = newJob(await newIssuer());
    expect((await job.uses(inputs(first))).exitCode).toBe(0);
    const error = onlyError(
      await job.uses(inputs(second, { 'role-chaining': 'true', 'role-duration-seconds': '5400' })),
    );
    expect(error.title).toMatch(/1 hour.*role chaining/i);
    expect(error.message).toContain('role-duration-seconds 5400 (1.50 h)');
  });

  it('retries exhausted: says how many attempts, over how long, and the last code', async () => {
    const role = newRole();
    const fault = {
      code: 'IDPCommunicationError',
      message: "Couldn't retrieve verification key",
      status: 400,
    };
    servers.sts.script('AssumeRoleWithWebIdentity', [fault, fault, fault]);
    const { result: step, calls } = await counting('AssumeRoleWithWebIdentity', async () =>
      newJob(await newIssuer()).uses(inputs(role, { 'retry-max-attempts': '3' })),
    );
    const error = onlyError(step);
    expect(calls).toBe(3);
    expect(error.title).toContain('IDPCommunicationError');
    const seconds = Number(/after 3 attempts over (\d+\.\d) s/.exec(error.message)?.[1]);
    expect(seconds).toBeGreaterThanOrEqual(0);
    expect(seconds * 1000).toBeLessThanOrEqual(step.durationMs);
    expect(error.message).toContain('the last error was IDPCommunicationError');
    expect(error.message).toContain('retry-max-attempts');
  });
});

describe('the OIDC request variables are missing', () => {
  it('explains permissions: id-token: write, reusable workflows and forks, before any network call', async () => {
    const role = newRole();
    const callsBefore = servers.sts.calls.length;
    const step = await newJob(undefined).uses(inputs(role));
    const error = onlyError(step);
    expect(servers.sts.calls.length).toBe(callsBefore);
    expect(error.message).toContain('ACTIONS_ID_TOKEN_REQUEST_URL');
    expect(error.message).toContain('id-token: write');
    expect(error.message).toMatch(/reusable workflow.*caller/);
    expect(error.message).toMatch(/fork/);
    expect(step.stdout).not.toMatch(STACK_LINE);
  });
});
