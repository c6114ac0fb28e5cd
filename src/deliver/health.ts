import { randomUUID } from 'node:crypto';
import * as core from '@actions/core';
import { accountOf } from '../aws/arn.js';
import { healthFileBeside } from '../aws/refresh-health.js';
import type { Settings } from '../inputs/settings.js';
import { STATE_HEALTH } from './state.js';

/** What the post step needs to summarise the refreshes: the file, and what to show as ***. */
export interface HealthState {
  file: string;
  hidden: string[];
}

/**
 * refresh-credentials with job-summary: a health file of this step's own beside the profile, saved
 * for the post step. Undefined with `job-summary: false`: the refresher then records nothing.
 */
export function healthPlan(
  settings: Pick<Settings, 'jobSummary' | 'maskAccountId' | 'roleToAssume'>,
  // Only where the profile's files are: health needs nothing else of the profile.
  profile: { files: { config: string } },
  accountId: string,
): HealthState | undefined {
  if (!settings.jobSummary) return undefined;
  const state: HealthState = {
    file: healthFileBeside(profile.files.config, randomUUID()),
    hidden: settings.maskAccountId ? [accountId, accountOf(settings.roleToAssume) ?? ''].filter(Boolean) : [],
  };
  core.saveState(STATE_HEALTH, JSON.stringify(state));
  return state;
}
