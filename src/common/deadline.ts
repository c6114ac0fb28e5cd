/**
 * Wall-clock bounds. Every call to STS or to GitHub's token endpoint gets a signal that fires when
 * the call has taken CALL_TIMEOUT_MS (connect plus the whole answer: an idle timeout restarts on
 * every byte, so a server that drips one byte every few seconds would hold the step forever), or
 * when the step's deadline comes, whichever is first: the deadline cuts an attempt in flight.
 */

/** Connect plus the whole answer of one call, whatever the server does. */
export const CALL_TIMEOUT_MS = 10_000;
/** The most read of one answer, from STS or from the token endpoint. */
export const MAX_ANSWER_BYTES = 1024 * 1024;

let deadline: { at: number; signal: AbortSignal } | undefined;

/** Sets the step's deadline (ms since epoch); the refresher and the action each set their own. */
export function setDeadline(at: number | undefined): void {
  deadline = at === undefined ? undefined : { at, signal: AbortSignal.timeout(Math.max(0, at - Date.now())) };
}

/** Why a bounded call was cut: its own time ran out, or the step's deadline came. */
export class CallTimeoutError extends Error {
  /** A network-like fault: retry.ts retries it, unless the deadline has passed. */
  readonly code = 'TimeoutError';
  readonly reason: 'call' | 'deadline';

  constructor(what: string, reason: 'call' | 'deadline', cause?: unknown) {
    super(
      reason === 'deadline'
        ? `${what} was cut at the step's deadline (request timeout)`
        : `${what} did not complete within ${CALL_TIMEOUT_MS / 1000} s (request timeout)`,
      { cause },
    );
    this.name = 'CallTimeoutError';
    this.reason = reason;
  }
}

/** A signal for one call, and how to turn its firing into a CallTimeoutError. */
export function callSignal(what: string): {
  signal: AbortSignal;
  timedOut: (error: unknown) => Error | undefined;
} {
  const own = AbortSignal.timeout(CALL_TIMEOUT_MS);
  const signal = deadline ? AbortSignal.any([own, deadline.signal]) : own;
  const step = deadline?.signal;
  return {
    signal,
    timedOut: (error) => {
      if (!signal.aborted) return undefined;
      return new CallTimeoutError(what, step?.aborted ? 'deadline' : 'call', error);
    },
  };
}
