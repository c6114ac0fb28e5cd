/**
 * One request to GitHub's OIDC token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL), with a connect and a
 * response timeout. @actions/core's getIDToken has neither and retries by itself; here a hung
 * endpoint becomes an error within seconds, and retry.ts alone decides whether to try again.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { ActionError } from './errors.js';
import { proxyAgent } from './proxy.js';
import { missingOidcPermissionError } from './source.js';

export const OIDC_CONNECT_TIMEOUT_MS = 3000;
export const OIDC_RESPONSE_TIMEOUT_MS = 5000;

export interface OidcRequestOptions {
  env?: NodeJS.ProcessEnv;
  connectTimeoutMs?: number;
  responseTimeoutMs?: number;
}

/**
 * The endpoint's answer, or how it failed: `statusCode` for an HTTP answer, `code` for a network
 * fault. retry.ts classifies it from those; the title and fix are for when it fails for good.
 */
export class OidcRequestError extends ActionError {
  readonly statusCode?: number;
  readonly code?: string;

  constructor(detail: string, facts: { statusCode?: number; code?: string }, cause?: unknown) {
    const { statusCode, code } = facts;
    const refused = statusCode === 401 || statusCode === 403;
    // "Failed to get ID Token" is what @actions/core says too; diagnostics.ts recognises it.
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

  let answer: { status: number; body: string };
  try {
    answer = await get(url, bearer, {
      connectMs: options.connectTimeoutMs ?? OIDC_CONNECT_TIMEOUT_MS,
      responseMs: options.responseTimeoutMs ?? OIDC_RESPONSE_TIMEOUT_MS,
    });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const detail = error instanceof Error ? error.message : String(error);
    // A fault without an errno is still remote; retry.ts then judges it by its message.
    throw new OidcRequestError(detail, { code: typeof code === 'string' ? code : 'ERR_OIDC_REQUEST' }, error);
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

function timeoutError(message: string): Error {
  return Object.assign(new Error(message), { code: 'ETIMEDOUT' });
}

/** A GET with both timeouts; the socket is destroyed, not left half-open, when one fires. */
function get(
  url: URL,
  bearer: string,
  limits: { connectMs: number; responseMs: number },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const agent = proxyAgent(url.href);
    const request = (url.protocol === 'https:' ? https : http).request(
      url,
      {
        method: 'GET',
        headers: {
          Authorization: `Bearer ${bearer}`,
          Accept: 'application/json',
          'User-Agent': 'aws-credentials-action',
        },
        ...(agent ? { agent } : {}),
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', reject);
      },
    );
    const responseTimer = setTimeout(
      () => request.destroy(timeoutError(`no answer within ${limits.responseMs / 1000} s (request timeout)`)),
      limits.responseMs,
    );
    let connectTimer: NodeJS.Timeout | undefined;
    request.on('socket', (socket) => {
      if (!socket.connecting) return;
      connectTimer = setTimeout(
        () =>
          request.destroy(
            timeoutError(`no connection within ${limits.connectMs / 1000} s (connect timeout)`),
          ),
        limits.connectMs,
      );
      socket.once('connect', () => clearTimeout(connectTimer));
    });
    request.on('close', () => {
      clearTimeout(responseTimer);
      clearTimeout(connectTimer);
    });
    request.on('error', reject);
    request.end();
  });
}
