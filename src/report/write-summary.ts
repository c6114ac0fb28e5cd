import { appendFileSync } from 'node:fs';
import * as core from '@actions/core';
import { cap, log, scrub } from '../common/log.js';

/**
 * Appends to GITHUB_STEP_SUMMARY. A summary that cannot be written must not fail the step. The file
 * is not masked by the runner (only its upload is), so it is scrubbed of every secret registered so
 * far, e.g. the account ids that mask-aws-account-id found in the inputs.
 */
export async function writeSummary(markdown: string, env: NodeJS.ProcessEnv): Promise<void> {
  if (!env.GITHUB_STEP_SUMMARY) return;
  try {
    await core.summary.addRaw(scrub(markdown)).write();
  } catch (error) {
    core.summary.emptyBuffer();
    log(
      'warning',
      `Could not write the job summary: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/** The most a summary written on the way out may add (the runner takes 1 MB per step). */
const MAX_SYNC_SUMMARY_CHARS = 64 * 1024;

/**
 * Appends to GITHUB_STEP_SUMMARY at once, for a process about to exit (action-timeout-s), where an
 * asynchronous write would never finish. Scrubbed of registered secrets and bounded; never throws.
 */
export function writeSummaryNow(markdown: string, env: NodeJS.ProcessEnv): void {
  if (!env.GITHUB_STEP_SUMMARY) return;
  try {
    appendFileSync(env.GITHUB_STEP_SUMMARY, cap(scrub(markdown), MAX_SYNC_SUMMARY_CHARS));
  } catch {
    // The ::error has been printed; a summary that cannot be written changes nothing.
  }
}
