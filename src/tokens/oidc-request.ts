/**
 * One request to GitHub's OIDC token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL). @actions/core's
 * getIDToken would retry by itself and wait up to the client's 3-minute default on a silent socket;
 * here the same HTTP client (@actions/http-client, with its proxy handling) makes one attempt with a
 * short socket timeout, so a hung endpoint becomes an error within seconds and retry.ts alone
 * decides whether to try again.
 */
import { HttpClient } from '@actions/http-client';
import { BearerCredentialHandler } from '@actions/http-client/lib/auth';
import { ActionError } from '../common/errors.js';

/** Longest silence allowed on the socket, while connecting or waiting for the answer. */
export const OIDC_SOCKET_TIMEOUT_MS = 5000;

export interface OidcRequestOptions {
  env?: NodeJS.ProcessEnv;
  socketTimeoutMs?: number;
}

/**
 * The endpoint's answer, or how it failed: `statusCode` for an HTTP answer, `code` for a network
 * fault. retry.ts classifies it from those; the title and fix are for when it fails for good.
 */
export class OidcRequestError extends ActionError {
  readonly statusCode?: number;
  readonly code?: string;
  /** Tells retry.ts to use the token endpoint's own (quick) schedule. */
  readonly service = 'oidc-token';

  constructor(detail: string, facts: { statusCode?: number; code?: string }, cause?: unknown) {
    const { statusCode, code } = facts;
    const refused = statusCode === 401 || statusCode === 403;
    super(
      refused ? 'GitHub refused the OIDC token request' : 'Could not get a GitHub OIDC token',
      `Failed to get ID Token from GitHub's OIDC endpoint: ${detail}`,
      refused
        ? 'The job needs `permissions: id-token: write`. A reusable workflow gets it only if its caller grants it.'
        : statusCode !== undefined && statusCode < 500 && statusCode !== 429
          ? "Check the `audience` input; if it is right, this is a fault on GitHub's side: re-run the job."
          : "GitHub's OIDC endpoint is failing or unreachable; this usually passes: re-run the job.",
      { cause },
    );
    this.name = 'OidcRequestError';
    this.statusCode = statusCode;
    this.code = code;
  }
}

/** Whether this process may ask GitHub for a token: both request variables are set. */
export function oidcRequestAvailable(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.ACTIONS_ID_TOKEN_REQUEST_URL && env.ACTIONS_ID_TOKEN_REQUEST_TOKEN);
}

export function missingOidcPermissionError(): ActionError {
  return new ActionError(
    'OIDC token unavailable',
    'role-to-assume is set but this job cannot request a GitHub OIDC token: ' +
      'ACTIONS_ID_TOKEN_REQUEST_URL / ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set.',
    'Add `permissions: id-token: write` (with `contents: read`) to the job or the workflow. ' +
      'A reusable workflow gets it only if its caller grants it, and pull requests from forks never get a token.',
  );
}

/** Fetches a fresh JWT for `audience`. Throws OidcRequestError for anything but a token. */
export async function requestGitHubIdToken(
  audience: string,
  options: OidcRequestOptions = {},
): Promise<string> {
  const env = options.env ?? process.env;
  const base = env.ACTIONS_ID_TOKEN_REQUEST_URL;
  const bearer = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  if (!base || !bearer) throw missingOidcPermissionError();
  const url = new URL(`${base}${base.includes('?') ? '&' : '?'}audience=${encodeURIComponent(audience)}`);

  const client = new HttpClient('aws-credentials-action', [new BearerCredentialHandler(bearer)], {
    allowRetries: false,
    socketTimeout: options.socketTimeoutMs ?? OIDC_SOCKET_TIMEOUT_MS,
  });
  let answer: { status: number; body: string };
  try {
    const response = await client.get(url.href, { Accept: 'application/json' });
    answer = { status: response.message.statusCode ?? 0, body: await response.readBody() };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const detail = error instanceof Error ? error.message : String(error);
    // The client's own timeout error has no errno; name it so retry.ts sees a network fault.
    const timedOut = /request timeout/i.test(detail);
    throw new OidcRequestError(
      timedOut
        ? `no answer within ${(options.socketTimeoutMs ?? OIDC_SOCKET_TIMEOUT_MS) / 1000} s (request timeout)`
        : detail,
      { code: typeof code === 'string' ? code : timedOut ? 'ETIMEDOUT' : 'ERR_OIDC_REQUEST' },
      error,
    );
  } finally {
    client.dispose();
  }
  const parsed = parseJson(answer.body);
  if (answer.status < 200 || answer.status > 299) {
    const said = typeof parsed?.message === 'string' ? `: ${parsed.message.slice(0, 200)}` : '';
    throw new OidcRequestError(`HTTP ${answer.status}${said}`, { statusCode: answer.status });
  }
  if (typeof parsed?.value !== 'string' || parsed.value === '') {
    throw new OidcRequestError('the answer holds no token (no "value" field)', { statusCode: answer.status });
  }
  return parsed.value;
}

function parseJson(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
