import { accountOf } from './aws/arn.js';
import { applyProxySettings } from './aws/proxy.js';
import { realSts, type StsFactory } from './aws/sts.js';
import { setDeadline } from './common/deadline.js';
import { ActionError } from './common/errors.js';
import { log } from './common/log.js';
import { describeRetry, type RetryEvent, retryPolicy } from './common/retry.js';
import { checkAllowedAccount, maskAccountIds, maskedAccountIds } from './credentials/accounts.js';
import { keepExistingCredentials } from './credentials/existing.js';
import { ignoredInputs, ignoredWarning } from './credentials/ignored.js';
import { obtainCredentials } from './credentials/obtain.js';
import type { Assumed } from './credentials/session.js';
import {
  type CredentialSource,
  chooseCredentialSource,
  oidcPermissionMissing,
  runnerFacts,
} from './credentials/source.js';
import {
  deliverCredentials,
  exportsEnvironment,
  maskCredentials,
  type ProfileDelivery,
  unsetCurrentCredentials,
  writesProfile,
} from './deliver/deliver.js';
import { type EarlierCredentials, earlierCredentials, replacementNotice } from './deliver/replacement.js';
import { jobSummaryRequested, proxyFromEnvironment } from './inputs/names.js';
import { readSettings, type Settings } from './inputs/settings.js';
import type { FailureContext } from './report/diagnostics.js';
import { claimsSummary, failureSummary } from './report/failure-summary.js';
import { hide } from './report/markdown.js';
import { summaryFacts, summaryTable, writeSummary } from './report/summary.js';
import { writeSummaryNow } from './report/write-summary.js';
import { missingOidcPermissionError } from './tokens/oidc-request.js';
import type { TokenSource } from './tokens/token.js';

/** The services the pipeline talks to. The action uses the real ones; in-process tests pass fakes. */
export interface Services {
  sts: StsFactory;
  /** Where a GitHub OIDC token comes from; by default GitHub's endpoint. */
  oidcToken?: TokenSource;
}

/** What the pipeline decided before any STS call. */
interface Plan {
  source: CredentialSource;
  profile: ProfileDelivery | undefined;
  earlier: EarlierCredentials | undefined;
  oidcMissing: boolean;
}

interface Run {
  env: NodeJS.ProcessEnv;
  services: Services;
  context: FailureContext;
  started: number;
  /** job-summary; before the settings are read, the input as given. */
  jobSummary: boolean;
}

/**
 * The whole action, top to bottom: inputs → credentials → deliver → report.
 * Every failure ends as one explained `::error`.
 */
export async function run(
  env: NodeJS.ProcessEnv = process.env,
  services: Services = { sts: realSts },
): Promise<void> {
  const step: Run = {
    env,
    services,
    context: {},
    started: Date.now(),
    jobSummary: jobSummaryRequested(env),
  };
  failed = false;
  let timeout: NodeJS.Timeout | undefined;
  try {
    const settings = inputs(step);
    // Every call is cut at the deadline; the timer is a backstop for anything else that hangs.
    setDeadline(retryPolicy(settings, step.started).deadline);
    timeout = startActionTimeout(settings.actionTimeoutSeconds, step);
    const plan = await prepare(settings, step);
    const assumed = await credentials(settings, plan, step);
    deliverCredentials(assumed, settings, plan.source, plan.profile, env);
    await report(assumed, settings, plan, step);
  } catch (error) {
    // Only a failure needs the explanations: they load then, from a chunk of their own.
    const { explain } = await import('./report/diagnostics.js');
    const explained = explain(error, step.context);
    fail(explained, env);
    if (step.jobSummary) {
      await writeSummary(
        failureSummary(explained, { roleArn: step.context.roleArn, hidden: maskedAccountIds() }),
        env,
      );
    }
  } finally {
    clearTimeout(timeout);
  }
}

/**
 * Stage 1: the settings (reading them masks the input keys and proxy user info, inputs/secrets.ts)
 * and what a failure message may name recorded.
 */
function inputs(step: Run): Settings {
  const { env, context } = step;
  const settings = readSettings(env);
  step.jobSummary = settings.jobSummary;
  context.roleArn = settings.roleToAssume;
  context.durationSeconds = settings.durationSeconds;
  context.actionTimeoutSeconds = settings.actionTimeoutSeconds;
  context.audience = settings.audience;
  return settings;
}

/** Everything decided before any STS call, so that a bad combination fails the step at once. */
async function prepare(settings: Settings, { env, context }: Run): Promise<Plan> {
  const jobProxy = proxyFromEnvironment(env);
  applyProxySettings(settings.httpProxy, settings.noProxy);
  const facts = runnerFacts(env);
  const source = chooseCredentialSource(settings, facts);
  context.source = source;
  const ignored = ignoredWarning(ignoredInputs(settings, source), source);
  if (ignored) log('warning', ignored);
  // A profile is checked now, before any STS call; its code loads only then (a chunk of its own).
  const profile = writesProfile(settings)
    ? (await import('./deliver/profile-delivery.js')).prepareProfile(settings, source, env, jobProxy)
    : undefined;
  // Read before anything below can blank or delete the variables.
  const earlier = earlierCredentials(env);
  if (settings.unsetCurrentCredentials) unsetCurrentCredentials();
  if (settings.maskAccountId) maskAccountIds(accountOf(settings.roleToAssume));
  return { source, profile, earlier, oidcMissing: oidcPermissionMissing(settings, facts) };
}

/** Stage 2: the credentials kept or obtained, masked and checked against allowed-account-ids. */
async function credentials(settings: Settings, plan: Plan, step: Run): Promise<Assumed> {
  const { env, services, context } = step;
  const retry = retryPolicy(settings, step.started);
  const onRetry = (event: RetryEvent) => log('info', describeRetry(event));
  const kept = settings.useExistingCredentials
    ? await keepExistingCredentials({ settings, env, retry, onRetry, sts: services.sts })
    : undefined;
  // Reached with use-existing-credentials only (source.ts refuses it otherwise): nothing to keep, no token.
  if (!kept && plan.oidcMissing) throw missingOidcPermissionError();
  const assumed =
    kept ??
    (await obtainCredentials({
      settings,
      source: plan.source,
      env,
      retry,
      onRetry,
      sts: services.sts,
      oidcToken: services.oidcToken,
      // The token's claims (never the token) explain a trust-policy refusal.
      onClaims: (claims) => {
        context.claims = claims;
      },
    }));
  maskCredentials(assumed.credentials);
  if (settings.maskAccountId) maskAccountIds(assumed.accountId);
  checkAllowedAccount(assumed.accountId, settings.allowedAccountIds);
  return assumed;
}

/** Stage 4: the log line, the replacement notice and the job summary. */
async function report(
  assumed: Assumed,
  settings: Settings,
  plan: Plan,
  { env, started, context }: Run,
): Promise<void> {
  log(
    'info',
    `Authenticated as ${assumed.arn} (${assumed.attempts} STS attempt${assumed.attempts === 1 ? '' : 's'}).`,
  );
  const notice =
    exportsEnvironment(settings) && !assumed.kept
      ? replacementNotice(plan.earlier, assumed.arn, settings.maskAccountId)
      : undefined;
  if (notice) log('notice', notice);
  if (settings.jobSummary) {
    const table = summaryTable(summaryFacts(settings, plan.source, assumed, Date.now() - started));
    // The claims of the token this invocation used, for narrowing the trust policy; never the token.
    const claims = context.claims && !assumed.kept ? `\n${claimsSummary(context.claims)}` : '';
    await writeSummary(hide(`${table}${claims}`, maskedAccountIds()), env);
  }
}

/** The step's one `::error` (a timeout racing a failure cannot print a second). */
let failed = false;

function fail(error: ActionError, env: NodeJS.ProcessEnv): void {
  process.exitCode = 1;
  if (failed) return;
  failed = true;
  log('error', error.describe(), error.title);
  if (env.SHOW_STACK_TRACE === 'true' && error.stack) log('info', error.stack);
}

/** How long after the deadline the backstop ends the process, if a call ignored its signal. */
const BACKSTOP_GRACE_MS = 2000;

/** action-timeout-s: the whole step fails after this long, whatever it is waiting on. */
function startActionTimeout(seconds: number, step: Run): NodeJS.Timeout | undefined {
  if (seconds <= 0) return undefined;
  const timer = setTimeout(
    () => {
      const error = new ActionError(
        'Action timed out',
        `The action did not finish within action-timeout-s (${seconds} s).`,
        'Raise action-timeout-s, or check that the STS endpoint and the proxy are reachable from this runner.',
      );
      const first = !failed;
      fail(error, step.env);
      // Written at once: process.exit below would cut an asynchronous write.
      if (first && step.jobSummary) {
        const scope = { roleArn: step.context.roleArn, hidden: maskedAccountIds() };
        writeSummaryNow(failureSummary(error, scope), step.env);
      }
      process.exit(1);
    },
    seconds * 1000 + BACKSTOP_GRACE_MS,
  );
  timer.unref();
  return timer;
}
