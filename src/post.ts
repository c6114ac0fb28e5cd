import * as core from '@actions/core';
import { log } from './common/log.js';
import { removeWrittenProfile, revertedEnvironment } from './deliver/profile.js';
import { STATE_EXPORTED, STATE_PROFILE } from './deliver/state.js';

/**
 * The post step: blank what the main step exported, so nothing after the job's own steps (other
 * post steps, a later action's cleanup) runs with these credentials; AWS_PROFILE / AWS_CONFIG_FILE
 * go back to what they were, as an empty AWS_PROFILE breaks the AWS CLI in a later post step.
 */
export function cleanup(): void {
  try {
    const exported = core.getState(STATE_EXPORTED).split(',').filter(Boolean);
    // Earlier AWS_PROFILE / AWS_CONFIG_FILE come back; with none, blank: GITHUB_ENV cannot unset a variable.
    const values = revertedEnvironment(exported, core.getState(STATE_PROFILE));
    for (const [name, value] of Object.entries(values)) core.exportVariable(name, value);
  } catch (error) {
    // A failed cleanup must not fail a job whose real work is done.
    log('warning', `Cleanup failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  // Upstream leaves a written profile on disk; this removes what this invocation wrote, no more.
  try {
    const profile = core.getState(STATE_PROFILE);
    if (profile) removeWrittenProfile(profile);
  } catch (error) {
    log(
      'warning',
      `Could not remove the AWS profile: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

cleanup();
