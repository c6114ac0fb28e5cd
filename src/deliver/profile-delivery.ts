// aws-profile and refresh-credentials. main.ts imports this module only when one of them is set
// (writesProfile), so the default path never loads the file locks, the INI editing or the
// refresher's command line: in dist/ they are a chunk of their own.
import * as core from '@actions/core';
import { log } from '../common/log.js';
import type { CredentialSource } from '../credentials/source.js';
import type { Settings } from '../inputs/settings.js';
import type { ProfileDelivery } from './deliver.js';
import { healthPlan } from './health.js';
import { cleanupState, keysProfile, planProfile, profileEnvironment, writeProfile } from './profile.js';
import { refresherProxyWarning, refreshingProfile, refreshOptions } from './refresh-command.js';
import { STATE_PROFILE } from './state.js';

/**
 * Before any STS call, so that a profile that may not be replaced, or a credential_process line
 * some SDK could not run (checked again when it is written), fails the step at once.
 */
export function prepareProfile(
  settings: Settings,
  source: CredentialSource,
  env: NodeJS.ProcessEnv,
  jobProxy: string | undefined,
): ProfileDelivery | undefined {
  const plan = planProfile(settings, env);
  if (!plan) return undefined;
  const refreshRole = settings.refreshCredentials && source.kind === 'oidc' ? source.roleArn : undefined;
  if (refreshRole !== undefined) {
    refreshingProfile(refreshOptions(settings, refreshRole));
    const proxyWarning = refresherProxyWarning(settings.httpProxy, jobProxy);
    if (proxyWarning) log('warning', proxyWarning);
  }
  return {
    write: (assumed) => {
      const health = refreshRole !== undefined ? healthPlan(settings, plan, assumed.accountId) : undefined;
      const content =
        refreshRole !== undefined
          ? refreshingProfile({ ...refreshOptions(settings, refreshRole), healthFile: health?.file })
          : keysProfile(settings.region, assumed.credentials);
      core.saveState(STATE_PROFILE, cleanupState(plan, content));
      writeProfile(plan, content);
      return profileEnvironment(plan, settings.refreshCredentials, env);
    },
  };
}
