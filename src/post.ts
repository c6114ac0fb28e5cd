import * as core from '@actions/core';
import { readHealth, removeHealth } from './aws/refresh-health.js';
import { log } from './common/log.js';
import type { HealthState } from './deliver/health.js';
import { leaveStub, removeWrittenProfile, revertedEnvironment } from './deliver/profile.js';
import { STATE_EXPORTED, STATE_HEALTH, STATE_PROFILE } from './deliver/state.js';
import { refreshSummary } from './report/refresh-summary.js';
import { writeSummary } from './report/write-summary.js';

/**
 * The post step: blank what the main step exported, so nothing after the job's own steps (other
 * post steps, a later action's cleanup) runs with these credentials; AWS_PROFILE and the file
 * variables go back to what they were, or keep naming a profile and files that exist, as an empty
 * AWS_PROFILE breaks the AWS CLI in a later post step.
 */
export function cleanup(): void {
  try {
    const exported = core.getState(STATE_EXPORTED).split(',').filter(Boolean);
    // Earlier AWS_PROFILE / file variables come back; GITHUB_ENV cannot unset a variable.
    const values = revertedEnvironment(exported, core.getState(STATE_PROFILE), process.env);
    for (const [name, value] of Object.entries(values)) core.exportVariable(name, value);
  } catch (error) {
    // A failed cleanup must not fail a job whose real work is done.
    log('warning', `Cleanup failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  // Upstream leaves a written profile on disk; this removes what this invocation wrote, no more.
  try {
    const profile = core.getState(STATE_PROFILE);
    if (profile) {
      removeWrittenProfile(profile);
      leaveStub(profile, core.getState(STATE_EXPORTED).split(','));
    }
  } catch (error) {
    log(
      'warning',
      `Could not remove the AWS profile: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/**
 * The refresher's health, from the file it appended to, as a table in the job summary; then the file
 * goes. Saved only with refresh-credentials and job-summary on.
 */
export async function summariseRefreshes(): Promise<void> {
  const saved = core.getState(STATE_HEALTH);
  if (!saved) return;
  try {
    const { file, hidden } = JSON.parse(saved) as HealthState;
    const markdown = refreshSummary(readHealth(file), hidden);
    removeHealth(file);
    if (markdown) await writeSummary(markdown, process.env);
  } catch (error) {
    log(
      'warning',
      `Could not summarise the credential refreshes: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

cleanup();
await summariseRefreshes();
