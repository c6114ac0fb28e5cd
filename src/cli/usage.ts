/** The command line's words: usage, version and the usage error (exit code 2). */

/** The package version; a unit test checks that it equals package.json's. */
export const VERSION = '1.0.0';

export const PROGRAM = 'aws-credentials-action';

export const USAGE = `Usage:
  ${PROGRAM} assume --role-arn ARN --region REGION [options]
  ${PROGRAM} --help | --version

Trades the CI job's OIDC token for AWS role credentials (AssumeRoleWithWebIdentity), with the
action's classified retries, deadline and explained errors, and prints or writes them.

Options of assume:
  --role-arn ARN            the role to assume (arn:aws:iam::123456789012:role/NAME)
  --region REGION           the AWS region, e.g. eu-west-1
  --duration-seconds N      session length, 900 to 43200 (default 3600)
  --session-name NAME       role session name (default from the CI run, e.g. bitbucket-<build number>)
  --audience AUD            audience of a token requested from GitHub Actions (default sts.amazonaws.com)
  --sts-endpoint URL        a different STS endpoint (http or https)
  --format env|json|profile how to hand over the credentials (default env; profile when --profile is given)
                              env:     export lines for eval "$(${PROGRAM} assume ...)"
                              json:    the credential_process JSON (Version 1)
                              profile: a named profile in the AWS shared files (0600)
  --profile NAME            the profile --format profile writes (default "default"); it is replaced
  --token-env VAR           read the token from environment variable VAR (GitLab: the id_tokens: name)
  --token-file PATH         read the token from a file, anew for each attempt
  --concurrent-jobs N       jobs calling STS at the same moment as this one, 1 to 1000: a first
                            retry is spread over 0.25 s per job (default: the CI system's count of
                            parallel instances, CI_NODE_TOTAL, CIRCLE_NODE_TOTAL or
                            BITBUCKET_PARALLEL_STEP_COUNT; else 1)

Where the token comes from without --token-env / --token-file:
  Bitbucket Pipelines  BITBUCKET_STEP_OIDC_TOKEN (the step needs oidc: true)
  GitLab CI            none: name the id_tokens: variable with --token-env
  CircleCI             CIRCLE_OIDC_TOKEN_V2, then CIRCLE_OIDC_TOKEN
  GitHub Actions       requested from GitHub (the job needs permissions: id-token: write)

Exit codes: 0 success, 1 failure (explained on stderr), 2 bad usage (nothing was called).
Credentials go to stdout or the profile only; every message goes to stderr.
`;

/** Bad usage: a flag that is unknown, missing, malformed or does not fit. Exit code 2. */
export class UsageError extends Error {
  readonly fix: string;

  constructor(message: string, fix = `Run \`${PROGRAM} --help\` for the usage.`) {
    super(message);
    this.name = 'UsageError';
    this.fix = fix;
  }
}
