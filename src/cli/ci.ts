/**
 * The CI systems the command line knows: how to recognise each from its environment, where its
 * token is, and the session name its run identifiers give. Pure, on the environment passed in.
 */

export type CiName = 'bitbucket' | 'gitlab' | 'circleci' | 'github';

export interface CiSystem {
  name: CiName;
  label: string;
  /** Environment variables that hold its token, tried in order; none for GitLab (id_tokens: names it). */
  tokenVariables: string[];
  /** What to do when none of them is set. */
  noToken: string;
  detect(env: NodeJS.ProcessEnv): boolean;
  /** Run identifiers for the default session name, e.g. ['bitbucket', '42']. */
  runIds(env: NodeJS.ProcessEnv): Array<string | undefined>;
  /** The variable that counts this job's parallel instances (they start together), if the system has one. */
  parallelCountVariable?: string;
}

export const CI_SYSTEMS: readonly CiSystem[] = [
  {
    name: 'github',
    label: 'GitHub Actions',
    tokenVariables: [],
    noToken:
      'Add `permissions: id-token: write` to the job, or use the aws-credentials-action action itself.',
    detect: (env) => env.GITHUB_ACTIONS === 'true',
    runIds: (env) => ['github', env.GITHUB_RUN_ID, env.GITHUB_RUN_ATTEMPT],
  },
  {
    name: 'gitlab',
    label: 'GitLab CI',
    tokenVariables: [],
    noToken:
      'Declare the token in the job, e.g. `id_tokens: { AWS_ID_TOKEN: { aud: sts.amazonaws.com } }`, ' +
      'and pass its name: --token-env AWS_ID_TOKEN.',
    detect: (env) => env.GITLAB_CI === 'true',
    runIds: (env) => ['gitlab', env.CI_PIPELINE_ID, env.CI_JOB_ID],
    parallelCountVariable: 'CI_NODE_TOTAL',
  },
  {
    name: 'circleci',
    label: 'CircleCI',
    tokenVariables: ['CIRCLE_OIDC_TOKEN_V2', 'CIRCLE_OIDC_TOKEN'],
    noToken:
      'CircleCI sets CIRCLE_OIDC_TOKEN_V2 and CIRCLE_OIDC_TOKEN in jobs that may have one ' +
      '(CircleCI has issued them only to jobs that use a context): add a context to the job, ' +
      'or pass the token with --token-env / --token-file.',
    detect: (env) => env.CIRCLECI === 'true',
    runIds: (env) => ['circleci', env.CIRCLE_BUILD_NUM],
    parallelCountVariable: 'CIRCLE_NODE_TOTAL',
  },
  {
    name: 'bitbucket',
    label: 'Bitbucket Pipelines',
    tokenVariables: ['BITBUCKET_STEP_OIDC_TOKEN'],
    noToken: 'Add `oidc: true` to the step in bitbucket-pipelines.yml.',
    detect: (env) => Boolean(env.BITBUCKET_BUILD_NUMBER || env.BITBUCKET_PIPELINE_UUID),
    runIds: (env) => ['bitbucket', env.BITBUCKET_BUILD_NUMBER],
    parallelCountVariable: 'BITBUCKET_PARALLEL_STEP_COUNT',
  },
];

/** The CI system this process runs in, if any. */
export function detectCi(env: NodeJS.ProcessEnv): CiSystem | undefined {
  return CI_SYSTEMS.find((ci) => ci.detect(env));
}

/** Outside any known CI system. */
export const NO_CI_NAME = 'aws-credentials-action';

/**
 * Pure: the default session name, from the run identifiers that are set, reduced to the characters
 * a session name allows and to 64 of them (the identifiers come from outside).
 */
export function defaultSessionName(ci: CiSystem | undefined, env: NodeJS.ProcessEnv): string {
  const parts = ci ? ci.runIds(env) : [NO_CI_NAME];
  const name = parts
    .filter((part): part is string => Boolean(part))
    .join('-')
    .replace(/[^\w+=,.@-]/g, '_')
    .slice(0, 64);
  return name.length >= 2 ? name : NO_CI_NAME;
}

/**
 * Pure: how many instances of this job run in parallel, as the CI system counts them (GitLab's
 * `parallel:`, CircleCI's `parallelism:`, a Bitbucket parallel group); undefined when it does not say
 * or says something that is not a count, which then cannot fail the command.
 */
export function parallelJobs(ci: CiSystem | undefined, env: NodeJS.ProcessEnv): string | undefined {
  const value = ci?.parallelCountVariable ? env[ci.parallelCountVariable]?.trim() : undefined;
  return value && /^[1-9]\d{0,2}$/.test(value) ? value : undefined;
}
