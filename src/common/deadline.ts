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

/**
 * A signal that fires after `ms`. Not AbortSignal.timeout: a signal held only through
 * AbortSignal.any can be collected before it fires, and the call it bounds would then hang.
 */
function timeoutSignal(ms: number): { signal: AbortSignal; clear: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error('timed out')), Math.max(0, ms));
  timer.unref();
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}

/** Sets the step's deadline (ms since epoch); the refresher and the action each set their own. */
export function setDeadline(at: number | undefined): void {
  deadline = at === undefined ? undefined : { at, signal: timeoutSignal(at - Date.now()).signal };
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

/** A signal for one call, how to turn its firing into a CallTimeoutError, and `done` to call after. */
export function callSignal(what: string): {
  signal: AbortSignal;
  timedOut: (error: unknown) => Error | undefined;
  done: () => void;
} {
  const own = timeoutSignal(CALL_TIMEOUT_MS);
  const step = deadline?.signal;
  const controller = new AbortController();
  const abort = () => controller.abort(new Error('timed out'));
  for (const source of [own.signal, step]) source?.addEventListener('abort', abort, { once: true });
  if (step?.aborted) abort();
  return {
    signal: controller.signal,
    timedOut: (error) => {
      if (!controller.signal.aborted) return undefined;
      return new CallTimeoutError(what, step?.aborted ? 'deadline' : 'call', error);
    },
    done: () => {
      own.clear();
      step?.removeEventListener('abort', abort);
    },
  };
}
