/**
 * The refresher (dist/refresh/index.js): the `credential_process` of a refresh-credentials profile.
 * It mints a fresh GitHub OIDC token from the job's request variables, assumes the role with the
 * action's retry and timeouts, and prints the credential_process JSON. stdout carries that JSON and
 * nothing else; messages go to stderr and never contain a secret. It imports the web-identity
 * session and what that needs: no summary, notice, profile writing or default credential chain.
 */
import { applyProxySettings } from './aws/proxy.js';
import { appendHealth, type HealthRecord } from './aws/refresh-health.js';
import { type Credentials, realSts } from './aws/sts.js';
import { setDeadline } from './common/deadline.js';
import type { ActionError } from './common/errors.js';
import { printable, secret } from './common/log.js';
import { describeRetry, RetriesExhaustedError, type RetryOutcome } from './common/retry.js';
import { reserveStdout } from './common/stdout.js';
import { webIdentitySession } from './credentials/web-identity.js';
import { parseRefresherArgs, type RefreshOptions, refresherRetryPolicy } from './deliver/refresh-command.js';
import { explain, type FailureContext } from './report/diagnostics.js';
import { recordClaims } from './tokens/claims.js';
import { oidcRequestAvailable, requestGitHubIdToken } from './tokens/oidc-request.js';
import { GitHubOidcToken } from './tokens/token.js';

const started = Date.now();
const emit = reserveStdout();
scrubStderr();
process.exitCode = await refresh(process.argv.slice(2), process.env);

async function refresh(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  let options: RefreshOptions;
  try {
    options = parseRefresherArgs(argv);
  } catch (error) {
    complain(
      `${error instanceof Error ? error.message : String(error)} (this program is run by the profile that refresh-credentials writes).`,
    );
    return 2;
  }
  if (!oidcRequestAvailable(env)) {
    const fix =
      "the step needs the job's `permissions: id-token: write`; every step of such a job has both " +
      'variables. A process started with a cleaned environment (sudo, docker run, env -i) must pass them on.';
    complain(
      'Cannot refresh the AWS credentials: ACTIONS_ID_TOKEN_REQUEST_URL / ACTIONS_ID_TOKEN_REQUEST_TOKEN are ' +
        `not set, so no GitHub OIDC token can be requested.\nFix: ${fix}`,
    );
    record(options, { ok: false, attempts: 0, title: 'OIDC request variables not set', fix });
    return 1;
  }
  // Scrubbed from all this process prints, as is every JWT.
  secret(env.ACTIONS_ID_TOKEN_REQUEST_TOKEN);
  const context: FailureContext = {
    caller: 'refresher',
    roleArn: options.roleArn,
    durationSeconds: options.durationSeconds,
    source: { kind: 'oidc', roleArn: options.roleArn },
    audience: options.audience,
  };
  let retries = 0;
  try {
    const { value, attempts } = await assume(options, context, env, () => retries++);
    emit(`${credentialProcessJson(value)}\n`);
    record(options, { ok: true, attempts });
    return 0;
  } catch (error) {
    const explained = explain(error, context);
    complain(`Cannot refresh the AWS credentials: ${explained.title}. ${explained.describe()}`);
    const attempts = error instanceof RetriesExhaustedError ? error.attempts : retries + 1;
    record(options, failure(explained, attempts));
    return 1;
  }
}

function failure(error: ActionError, attempts: number): Omit<HealthRecord, 'time'> {
  return { ok: false, attempts, title: error.title, fix: error.fix };
}

/** One line in the health file for the post step's summary; a failure to write it changes nothing. */
function record(options: RefreshOptions, outcome: Omit<HealthRecord, 'time'>): void {
  if (!options.healthFile) return;
  try {
    appendHealth(options.healthFile, { time: new Date().toISOString(), ...outcome });
  } catch (error) {
    complain(`Could not record this refresh in ${options.healthFile}: ${(error as Error).message}`);
  }
}

/** One web-identity session for the profile's role, with the claims recorded for a refusal. */
async function assume(
  options: RefreshOptions,
  context: FailureContext,
  env: NodeJS.ProcessEnv,
  onRetry: () => void,
): Promise<RetryOutcome<Credentials>> {
  applyProxySettings(options.httpProxy, options.noProxy);
  const sts = realSts({ region: options.region, endpoint: options.stsEndpoint });
  const github = new GitHubOidcToken(options.audience, (audience) => requestGitHubIdToken(audience, { env }));
  const tokens = recordClaims(github, (claims) => {
    context.claims = claims;
  });
  const request = {
    roleArn: options.roleArn,
    sessionName: options.sessionName,
    durationSeconds: options.durationSeconds,
    policy: options.policy,
    policyArns: options.policyArns.length ? options.policyArns : undefined,
  };
  const retry = refresherRetryPolicy(options, started);
  setDeadline(retry.deadline);
  return webIdentitySession(sts, request, tokens, retry, (event) => {
    onRetry();
    complain(describeRetry(event));
  });
}

function credentialProcessJson(credentials: Credentials): string {
  return JSON.stringify({
    Version: 1,
    AccessKeyId: credentials.accessKeyId,
    SecretAccessKey: credentials.secretAccessKey,
    SessionToken: credentials.sessionToken,
    Expiration: credentials.expiration?.toISOString(),
  });
}

/**
 * One line on stderr per message: the SDKs that show a credential_process's stderr (botocore puts
 * it in its error) show it whole, and a log keeps it together.
 */
function complain(message: string): void {
  const line = message
    .split('\n')
    .map((part) => part.trim())
    .filter(Boolean)
    .join(' ');
  process.stderr.write(`aws-credentials-action refresher: ${line}\n`);
}

/**
 * Everything printed on stderr (these messages, a dependency's, NODE_DEBUG's) is capped, scrubbed of
 * the request token and every JWT, and made inert: the CLI or SDK that runs this passes it on.
 */
function scrubStderr(): void {
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const done = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    return write(printable(text), done);
  }) as typeof process.stderr.write;
}
