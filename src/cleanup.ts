import * as core from '@actions/core';
import { STATE_EXPORTED } from './state.js';

/**
 * The post step: blank what the main step exported, so nothing after the job's own steps (other
 * post steps, a later action's cleanup) runs with these credentials.
 */
export function cleanup(): void {
  try {
    const exported = core.getState(STATE_EXPORTED);
    for (const name of exported.split(',').filter(Boolean)) core.exportVariable(name, '');
  } catch (error) {
    // A failed cleanup must not fail a job whose real work is done.
    core.warning(`Cleanup failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

cleanup();
