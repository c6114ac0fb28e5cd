// The refresher's time budget (issue 10, item 6): the Go SDKs kill a credential_process after 60 s,
// so every attempt, retries and their sleeps included, must be over before then, and the refresher
// must still be there to print why it failed.
import { describe, expect, it } from 'vitest';
import { CONNECT_TIMEOUT_MS, RESPONSE_TIMEOUT_MS } from '../../src/aws/sts.js';
import { RetriesExhaustedError, withRetry } from '../../src/common/retry.js';
import { refresherRetryPolicy } from '../../src/deliver/refresh-command.js';
import { OIDC_SOCKET_TIMEOUT_MS } from '../../src/tokens/oidc-request.js';

/** processcreds.DefaultTimeout in aws-sdk-go and aws-sdk-go-v2. */
const GO_SDK_KILLS_AFTER_MS = 60_000;
/** Node's start-up and the bundle's load, generously. */
const START_UP_MS = 3000;
/** The slowest attempt: a token request and an STS call, each silent until its socket timeouts. */
const SLOWEST_ATTEMPT_MS = OIDC_SOCKET_TIMEOUT_MS + CONNECT_TIMEOUT_MS + RESPONSE_TIMEOUT_MS;

const retryable = () => Object.assign(new Error('connect ETIMEDOUT'), { code: 'ETIMEDOUT' });

describe('the refresher deadline', () => {
  it.each([1, 12, 100])(
    'ends every attempt before the Go SDKs kill the process (retry-max-attempts %i)',
    async (maxAttempts) => {
      let clock = 1_000_000;
      const started = clock;
      const policy = refresherRetryPolicy({ maxAttempts }, started);
      let attempts = 0;
      const outcome = withRetry(
        async () => {
          attempts++;
          clock += SLOWEST_ATTEMPT_MS;
          throw retryable();
        },
        policy,
        {
          webIdentity: true,
          now: () => clock,
          sleep: async (ms) => {
            clock += ms;
          },
          random: () => 1, // the longest sleeps the schedule allows
        },
      );
      await expect(outcome).rejects.toBeInstanceOf(RetriesExhaustedError);
      expect(attempts).toBeLessThanOrEqual(maxAttempts);
      expect(START_UP_MS + (clock - started)).toBeLessThan(GO_SDK_KILLS_AFTER_MS);
    },
  );

  it('still retries a passing fault: more than one attempt fits in it', async () => {
    let clock = 0;
    let attempts = 0;
    const outcome = await withRetry(
      async () => {
        clock += 1000;
        if (++attempts < 4) throw retryable();
        return 'ok';
      },
      refresherRetryPolicy({ maxAttempts: 12 }, 0),
      {
        webIdentity: true,
        now: () => clock,
        sleep: async (ms) => {
          clock += ms;
        },
        random: () => 1,
      },
    );
    expect(outcome).toEqual({ value: 'ok', attempts: 4 });
  });
});
