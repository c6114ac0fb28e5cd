import type { Credentials, StsFactory } from '../aws/sts.js';
import { errorFacts } from '../common/classify.js';
import { ActionError, InputError } from '../common/errors.js';
import { describeRetry, retryPolicy } from '../common/retry.js';
import { webIdentitySession } from '../credentials/web-identity.js';
import { parseSettings, type Settings } from '../inputs/settings.js';
import { explain, type FailureContext } from '../report/diagnostics.js';
import { decodeClaims } from '../tokens/claims.js';
import { issuerOf, rawClaims, trustRefusal } from './advice.js';
import { type AssumeFlags, parseCommand } from './args.js';
import { type CiSystem, defaultSessionName, detectCi, parallelJobs } from './ci.js';
import { credentialProcessJson, envScript, forLog } from './output.js';
import { type CliProfile, planCliProfile, writeCliProfile } from './profile.js';
import type { CliIo } from './stdio.js';
import { describeToken, planToken, type TokenPlan, tokenSource } from './token.js';
import { PROGRAM, USAGE, UsageError, VERSION } from './usage.js';

/** Everything decided, and every flag checked, before any network call. */
interface Prepared {
  flags: AssumeFlags;
  ci: CiSystem | undefined;
  settings: Settings;
  token: TokenPlan;
  profile: CliProfile | undefined;
}

/**
 * The command line, top to bottom: flags → token → STS (the action's retry and deadline) → stdout
 * or profile. Returns the exit code: 0 success, 1 failure, 2 bad usage.
 */
export async function runCli(
  argv: string[],
  env: NodeJS.ProcessEnv,
  io: CliIo,
  sts: StsFactory,
): Promise<number> {
  const prepared = begin(argv, env, io);
  return typeof prepared === 'number' ? prepared : assumeAndDeliver(prepared, env, io, sts);
}

/** Help, version, or every flag checked: an exit code, or what to do. No network here. */
function begin(argv: string[], env: NodeJS.ProcessEnv, io: CliIo): Prepared | number {
  try {
    const command = parseCommand(argv);
    if (command.kind === 'help') io.stdout(USAGE);
    if (command.kind === 'version') io.stdout(`${VERSION}\n`);
    return command.kind === 'assume' ? prepare(command.flags, env) : 0;
  } catch (error) {
    if (error instanceof UsageError || error instanceof InputError) {
      report(io, 'Bad usage', error.message, error.fix);
      return 2;
    }
    const explained = explain(error);
    report(io, explained.title, explained.message, explained.fix);
    return 1;
  }
}

async function assumeAndDeliver(
  prepared: Prepared,
  env: NodeJS.ProcessEnv,
  io: CliIo,
  sts: StsFactory,
): Promise<number> {
  const failure: Failure = { context: failureContext(prepared) };
  try {
    const { value, attempts } = await assume(prepared, env, io, sts, failure);
    deliver(prepared, value, io, env);
    const expires = value.expiration ? `; they expire at ${value.expiration.toISOString()}` : '';
    const tries = `${attempts} STS attempt${attempts === 1 ? '' : 's'}`;
    const who = value.arn ?? 'an unknown session';
    io.stderr(
      forLog(`${PROGRAM}: assumed ${prepared.settings.roleToAssume} as ${who} (${tries})${expires}.\n`),
    );
    return 0;
  } catch (error) {
    const explained = explainFailure(error, prepared, failure);
    report(io, explained.title, explained.message, explained.fix);
    return 1;
  }
}

/** The flags checked as the action checks its inputs (settings.ts), the token found, the profile planned. */
function prepare(flags: AssumeFlags, env: NodeJS.ProcessEnv): Prepared {
  const ci = detectCi(env);
  const settings = parseSettings(
    {
      'role-to-assume': flags.roleArn,
      'aws-region': flags.region,
      'role-duration-seconds': flags.durationSeconds,
      'role-session-name': flags.sessionName ?? defaultSessionName(ci, env),
      audience: flags.audience,
      'sts-endpoint': flags.stsEndpoint,
      'concurrent-jobs': flags.concurrentJobs ?? parallelJobs(ci, env),
    },
    env,
  );
  const token = planToken(flags, ci, env);
  const profile = flags.format === 'profile' ? planCliProfile(settings, flags.profile, env) : undefined;
  return { flags, ci, settings, token, profile };
}

interface Failure {
  context: FailureContext;
  /** Every string claim of the last token sent, for a CI system's explanation. */
  claims?: Record<string, string>;
}

function failureContext({ settings, token }: Prepared): FailureContext {
  const roleArn = settings.roleToAssume ?? '';
  return {
    caller: 'cli',
    roleArn,
    durationSeconds: settings.durationSeconds,
    audience: token.kind === 'github' ? token.audience : undefined,
    source:
      token.kind === 'github'
        ? { kind: 'oidc', roleArn }
        : { kind: 'token-file', roleArn, tokenFile: describeToken(token) },
  };
}

/** AssumeRoleWithWebIdentity through the action's web-identity session: classified retry, deadline. */
function assume(prepared: Prepared, env: NodeJS.ProcessEnv, io: CliIo, sts: StsFactory, failure: Failure) {
  const { settings } = prepared;
  const tokens = tokenSource(prepared.token, env, (jwt) => {
    failure.context.claims = decodeClaims(jwt);
    failure.claims = rawClaims(jwt);
  });
  const request = {
    roleArn: settings.roleToAssume ?? '',
    sessionName: settings.sessionName,
    durationSeconds: settings.durationSeconds,
  };
  return webIdentitySession(
    sts({ region: settings.region, endpoint: settings.stsEndpoint }),
    request,
    tokens,
    retryPolicy(settings, Date.now()),
    (event) => io.stderr(`${PROGRAM}: ${describeRetry(event)}\n`),
  );
}

function deliver(
  { flags, settings, profile }: Prepared,
  credentials: Credentials,
  io: CliIo,
  env: NodeJS.ProcessEnv,
): void {
  if (flags.format === 'env') io.stdout(envScript(credentials, settings.region));
  else if (flags.format === 'json') io.stdout(credentialProcessJson(credentials));
  else if (profile)
    io.stderr(forLog(`${PROGRAM}: ${writeCliProfile(profile, settings.region, credentials, env)}\n`));
}

/** A trust refusal in the issuing CI system's terms; anything else as the action explains it. */
function explainFailure(error: unknown, { ci, settings }: Prepared, failure: Failure): ActionError {
  if (!(error instanceof ActionError) && errorFacts(error).code === 'AccessDenied') {
    const system = (failure.claims && issuerOf(failure.claims)) ?? ci?.name;
    const refusal = trustRefusal(
      system,
      failure.claims,
      settings.roleToAssume ?? '',
      errorFacts(error).message,
    );
    if (refusal) return refusal;
  }
  return explain(error, failure.context);
}

/** The action's words for its inputs, as the flags that set them here. */
const FLAGS: Record<string, string> = {
  'role-to-assume': '--role-arn',
  'aws-region': '--region',
  'role-duration-seconds': '--duration-seconds',
  'role-session-name': '--session-name',
  'sts-endpoint': '--sts-endpoint',
  'aws-profile': '--profile',
  '`audience` input': '--audience flag',
};

export function inFlagTerms(text: string): string {
  let result = text;
  for (const [input, flag] of Object.entries(FLAGS)) {
    result = result
      .replace(new RegExp(`\`${input}: ([^\`]*)\``, 'g'), `\`${flag} $1\``)
      .replace(new RegExp(`(?<![\\w-])${input}(?![\\w-])`, 'g'), flag);
  }
  return result;
}

function report(io: CliIo, title: string, message: string, fix: string): void {
  const text = `${PROGRAM}: ${title}\n${message}${fix ? `\nFix: ${fix}` : ''}`;
  io.stderr(`${forLog(inFlagTerms(text))}\n`);
}
