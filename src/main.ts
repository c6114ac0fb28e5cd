import * as core from '@actions/core';
import { applyProxySettings } from './aws/proxy.js';
import { ActionError } from './common/errors.js';
import { describeRetry, type RetryEvent, retryPolicy } from './common/retry.js';
import { accountOf, checkAllowedAccount, maskAccountIds } from './credentials/accounts.js';
import { keepExistingCredentials } from './credentials/existing.js';
import { obtainCredentials } from './credentials/obtain.js';
import {
  chooseCredentialSource,
  missingOidcPermissionError,
  oidcPermissionMissing,
  runnerFacts,
} from './credentials/source.js';
import {
  deliverCredentials,
  exportsEnvironment,
  maskCredentials,
  unsetCurrentCredentials,
} from './deliver/deliver.js';
import { planProfile } from './deliver/profile.js';
import { earlierCredentials, replacementNotice } from './deliver/replacement.js';
import { readSettings } from './inputs/settings.js';
import { explain, type FailureContext } from './report/diagnostics.js';
import { summaryFacts, summaryTable, writeSummary } from './report/summary.js';

/**
 * The whole action, top to bottom: inputs → credential source → token → assumed role → export.
 * Every failure ends as one explained `::error`.
 */
export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const context: FailureContext = {};
  const started = Date.now();
  try {
    const settings = readSettings(env);
    // Keys given as inputs are secrets too, whether or not the workflow took them from `secrets`.
    if (settings.accessKeyId && settings.secretAccessKey) {
      maskCredentials({
        accessKeyId: settings.accessKeyId,
        secretAccessKey: settings.secretAccessKey,
        sessionToken: settings.sessionToken,
      });
    }
    context.roleArn = settings.roleToAssume;
    context.durationSeconds = settings.durationSeconds;
    context.audience = settings.audience;
    const timeout = startActionTimeout(settings.actionTimeoutSeconds);
    applyProxySettings(settings.httpProxy, settings.noProxy);

    const facts = runnerFacts(env);
    const source = chooseCredentialSource(settings, facts);
    context.source = source;
    // Before any STS call, so that a profile that may not be replaced fails the step at once.
    const profile = planProfile(settings, env);
    // Read before anything below can blank or delete the variables.
    const earlier = earlierCredentials(env);
    if (settings.unsetCurrentCredentials) unsetCurrentCredentials();
    if (settings.maskAccountId) maskAccountIds(accountOf(settings.roleToAssume));

    const retry = retryPolicy(settings, started);
    const onRetry = (event: RetryEvent) => core.info(describeRetry(event));
    const kept = settings.useExistingCredentials
      ? await keepExistingCredentials({ settings, env, retry, onRetry })
      : undefined;
    // Reached with use-existing-credentials only (source.ts refuses it otherwise): nothing to keep, no token.
    if (!kept && oidcPermissionMissing(settings, facts)) throw missingOidcPermissionError();
    const assumed =
      kept ??
      (await obtainCredentials({
        settings,
        source,
        env,
        retry,
        // The token's claims (never the token) explain a trust-policy refusal.
        onClaims: (claims) => {
          context.claims = claims;
        },
        onRetry,
      }));
    maskCredentials(assumed.credentials);
    if (settings.maskAccountId) maskAccountIds(assumed.accountId);
    checkAllowedAccount(assumed.accountId, settings.allowedAccountIds);

    deliverCredentials(assumed, settings, source, profile);

    core.info(
      `Authenticated as ${assumed.arn} (${assumed.attempts} STS attempt${assumed.attempts === 1 ? '' : 's'}).`,
    );
    const notice =
      exportsEnvironment(settings) && !assumed.kept
        ? replacementNotice(earlier, assumed.arn, settings.maskAccountId)
        : undefined;
    if (notice) core.notice(notice);
    if (settings.jobSummary) {
      await writeSummary(summaryTable(summaryFacts(settings, source, assumed, Date.now() - started)));
    }
    clearTimeout(timeout);
  } catch (error) {
    fail(explain(error, context));
  }
}

function fail(error: ActionError): void {
  core.error(error.describe(), { title: error.title });
  if (process.env.SHOW_STACK_TRACE === 'true' && error.stack) core.info(error.stack);
  process.exitCode = 1;
}

/** action-timeout-s: the whole step fails after this long, whatever it is waiting on. */
function startActionTimeout(seconds: number): NodeJS.Timeout | undefined {
  if (seconds <= 0) return undefined;
  const timer = setTimeout(() => {
    fail(
      new ActionError(
        'Action timed out',
        `The action did not finish within action-timeout-s (${seconds} s).`,
        'Raise action-timeout-s, or check that the STS endpoint and the proxy are reachable from this runner.',
      ),
    );
    process.exit(1);
  }, seconds * 1000);
  timer.unref();
  return timer;
}
