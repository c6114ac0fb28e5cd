// Shared set-up of the e2e test files: jobs that are disposed and leak-checked after each
// test, and the AWS CLI's view of a job's credentials.
import { afterEach, expect } from 'vitest';
import { type Annotation, Job, type JobOptions, type StepResult } from './runner.js';

/** What every parity job starts with: nothing may reach an instance metadata service. */
export const BASE_ENV = { AWS_EC2_METADATA_DISABLED: 'true' };

export type JobFactory = (env?: Record<string, string>, options?: Omit<JobOptions, 'env'>) => Job;

/**
 * Jobs for one test file. After each test every job must have printed no secret (`secrets()` adds
 * values the runner could not know, such as OIDC tokens), then it is disposed.
 */
export function jobFactory(
  baseEnv: () => Record<string, string>,
  secrets: () => string[] = () => [],
): JobFactory {
  const jobs: Job[] = [];
  afterEach(async () => {
    for (const job of jobs.splice(0)) {
      for (const secret of secrets()) job.addSecret(secret);
      const leaks = job.leaks();
      await job.dispose();
      expect(leaks).toEqual([]);
    }
  });
  return (env = {}, options = {}) => {
    const job = new Job({ ...options, env: { ...BASE_ENV, ...baseEnv(), ...env } });
    jobs.push(job);
    return job;
  };
}

/** The one error annotation of a failed step. */
export function errorOf(step: StepResult): Annotation {
  expect(step.exitCode).not.toBe(0);
  const errors = step.annotations.filter((a) => a.level === 'error');
  expect(errors).toHaveLength(1);
  return errors[0] as Annotation;
}

export function expectSuccess(step: StepResult): void {
  expect(step.exitCode, `${step.stdout}\n${step.stderr}`).toBe(0);
}

/** `aws sts get-caller-identity` in a later `run:` step of the job, against `endpoint`. */
export async function callerIdentity(
  job: Job,
  endpoint: string,
  env: Record<string, string> = {},
): Promise<{ Arn: string; Account: string }> {
  const step = await job.run('aws sts get-caller-identity --endpoint-url "$CLI_STS_ENDPOINT" --output json', {
    env: { CLI_STS_ENDPOINT: endpoint, ...env },
  });
  expectSuccess(step);
  return JSON.parse(step.stdout);
}

/** The same command, expected to fail; returns its stderr. */
export async function callerIdentityFails(job: Job, endpoint: string): Promise<string> {
  const step = await job.run('aws sts get-caller-identity --endpoint-url "$CLI_STS_ENDPOINT" --output json', {
    env: { CLI_STS_ENDPOINT: endpoint },
  });
  expect(step.exitCode).not.toBe(0);
  return step.stderr;
}
