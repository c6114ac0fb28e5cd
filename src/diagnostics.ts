import { ActionError } from './errors.js';
import { errorFacts, RetriesExhaustedError } from './retry.js';

export interface FailureContext {
  /** The role being assumed, when known. */
  roleArn?: string;
  durationSeconds?: number;
}

/** Turns any failure into one explained ActionError: what went wrong, and how to fix it. */
export function explain(error: unknown, context: FailureContext = {}): ActionError {
  if (error instanceof ActionError) return error;
  if (error instanceof RetriesExhaustedError) {
    return new ActionError(
      'AWS STS retries exhausted',
      `Gave up after ${error.attempts} attempts over ${(error.elapsedMs / 1000).toFixed(1)} s; the last error was ${error.lastCode}: ${error.message}`,
      'This is usually a transient AWS or GitHub problem: re-run the job. Raise retry-max-attempts or action-timeout-s if it recurs.',
      { cause: error },
    );
  }
  const facts = errorFacts(error);
  const role = context.roleArn ? ` for ${context.roleArn}` : '';
  return new ActionError(
    facts.code ? `AWS STS: ${facts.code}` : 'Could not get AWS credentials',
    `Could not get credentials${role}: ${facts.code ? `${facts.code}: ` : ''}${facts.message}`,
    'Check the role ARN, its trust policy, and the inputs of this step.',
    { cause: error },
  );
}
