/**
 * A failure the user can act on: a short title for the annotation, what went wrong, and how to fix it.
 * Everything that stops the action is turned into one of these before it is reported, so a job log
 * shows exactly one `::error` per failure.
 */
export class ActionError extends Error {
  readonly title: string;
  readonly fix: string;
  readonly details?: FailureDetails;

  constructor(
    title: string,
    message: string,
    fix: string,
    options?: { cause?: unknown; details?: FailureDetails },
  ) {
    super(message, options);
    this.name = 'ActionError';
    this.title = title;
    this.fix = fix;
    this.details = options?.details;
  }

  /** The annotation text: the cause, then the fix on its own line. */
  describe(): string {
    return this.fix ? `${this.message}\nFix: ${this.fix}` : this.message;
  }
}

/**
 * The parts of a message that the job summary lays out as a table and a code block. The message
 * carries them too, as text, so the `::error` and the summary say the same.
 */
export interface FailureDetails {
  /** The message without the parts below. */
  cause: string;
  /** Name and value rows (e.g. the token's claims), under a heading. */
  facts?: { heading: string; rows: [string, string][] };
  /** Lines to paste somewhere (e.g. a trust policy condition), under a heading. */
  code?: { heading: string; language: string; lines: string[] };
}

/** A bad input. Raised before any network call. */
export class InputError extends ActionError {
  readonly input: string;

  constructor(input: string, message: string, fix: string) {
    super(`Invalid input: ${input}`, message, fix);
    this.name = 'InputError';
    this.input = input;
  }
}
