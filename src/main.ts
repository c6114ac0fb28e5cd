import * as core from '@actions/core';
import { checkAllowedAccount } from './accounts.js';
import { obtainCredentials } from './assume.js';
import { explain, type FailureContext } from './diagnostics.js';
import { ActionError } from './errors.js';
import {
  environmentFor,
  exportEnvironment,
  maskCredentials,
  outputsFor,
  setOutputs,
  unsetCurrentCredentials,
} from './exporter.js';
import { retryPolicy } from './retry.js';
import { readSettings } from './settings.js';
import { chooseCredentialSource, runnerFacts } from './source.js';
import { STATE_EXPORTED } from './state.js';

/**
 * The whole action, top to bottom: inputs → credential source → token → assumed role → export.
 * Every failure ends as one explained `::error`.
 */
export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const context: FailureContext = {};
  const started = Date.now();
  try {
    const settings = readSettings(env);
    context.roleArn = settings.roleToAssume;
    context.durationSeconds = settings.durationSeconds;
    const timeout = startActionTimeout(settings.actionTimeoutSeconds);

    const source = chooseCredentialSource(settings, runnerFacts(env));
    if (settings.unsetCurrentCredentials) unsetCurrentCredentials();

    const assumed = await obtainCredentials({
      settings,
      source,
      env,
      retry: retryPolicy(settings, started),
      onRetry: (event) =>
        core.info(
          `Attempt ${event.attempt} of ${event.maxAttempts} failed with ${event.code}; ` +
            (event.verdict === 'refresh-token'
              ? 'fetching a fresh web identity token and trying again.'
              : `retrying in ${(event.delayMs / 1000).toFixed(2)} s.`),
        ),
    });
    maskCredentials(assumed.credentials);
    if (settings.maskAccountId) core.setSecret(assumed.accountId);
    checkAllowedAccount(assumed.accountId, settings.allowedAccountIds);

    const exported = settings.outputEnvCredentials
      ? environmentFor(assumed.credentials, settings.region)
      : environmentFor(undefined, settings.region);
    exportEnvironment(exported);
    core.saveState(STATE_EXPORTED, Object.keys(exported).join(','));
    setOutputs(outputsFor(assumed.credentials, assumed, settings.outputCredentials));

    core.info(
      `Authenticated as ${assumed.arn} (${assumed.attempts} STS attempt${assumed.attempts === 1 ? '' : 's'}).`,
    );
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
