/**
 * A failure the user can act on: a short title for the annotation, what went wrong, and how to fix it.
 * Everything that stops the action is turned into one of these before it is reported, so a job log
 * shows exactly one `::error` per failure.
 */
export class ActionError extends Error {
  readonly title: string;
  readonly fix: string;

  constructor(title: string, message: string, fix: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ActionError';
    this.title = title;
    this.fix = fix;
  }

  /** The annotation text: the cause, then the fix on its own line. */
  describe(): string {
    return this.fix ? `${this.message}\nFix: ${this.fix}` : this.message;
  }
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
