import * as core from '@actions/core';
import { log } from '../common/log.js';

/** Appends to GITHUB_STEP_SUMMARY. A summary that cannot be written must not fail the step. */
export async function writeSummary(markdown: string, env: NodeJS.ProcessEnv): Promise<void> {
  if (!env.GITHUB_STEP_SUMMARY) return;
  try {
    await core.summary.addRaw(markdown).write();
  } catch (error) {
    core.summary.emptyBuffer();
    log(
      'warning',
      `Could not write the job summary: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
