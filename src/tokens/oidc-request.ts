/**
 * One request to GitHub's OIDC token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL). @actions/core's
 * getIDToken would retry by itself, wait up to 3 minutes on a silent socket, follow redirects with
 * the bearer token and read any size of answer; here one attempt (through the proxy
 * @actions/http-client chooses) has a short socket timeout, a wall-clock bound, a capped answer and
 * no redirects, and retry.ts alone decides whether to try again.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { HttpClient } from '@actions/http-client';
import { callSignal, MAX_ANSWER_BYTES } from '../common/deadline.js';
import { ActionError } from '../common/errors.js';
import { oneLine } from '../common/log.js';

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
  const socketTimeoutMs = options.socketTimeoutMs ?? OIDC_SOCKET_TIMEOUT_MS;
  const { signal, timedOut, done } = callSignal("GitHub's OIDC token request");
  let answer: Answer;
  try {
    answer = await getOnce(url, bearer, socketTimeoutMs, signal);
  } catch (error) {
    throw transportError(timedOut(error) ?? error, socketTimeoutMs);
  } finally {
    done();
  }
  return tokenFrom(answer);
}

function transportError(error: unknown, socketTimeoutMs: number): OidcRequestError {
  if (error instanceof OidcRequestError) return error;
  const code = (error as { code?: unknown }).code;
  const detail = error instanceof Error ? error.message : String(error);
  const idle = (error as Error).message === 'socket timeout';
  return new OidcRequestError(
    idle ? `no answer within ${socketTimeoutMs / 1000} s (request timeout)` : detail,
    { code: typeof code === 'string' ? code : 'ERR_OIDC_REQUEST' },
    error,
  );
}

/** Pure: the token in the endpoint's answer, or the OidcRequestError that says why there is none. */
export function tokenFrom(answer: Answer): string {
  const parsed = parseJson(answer.body);
  if (answer.status >= 300 && answer.status < 400) {
    throw new OidcRequestError(
      `HTTP ${answer.status}: the endpoint redirected, and the request (which carries the job's request token) is never sent elsewhere`,
      { statusCode: answer.status },
    );
  }
  if (answer.status < 200 || answer.status > 299) {
    const said = typeof parsed?.message === 'string' ? `: ${oneLine(parsed.message.slice(0, 200))}` : '';
    throw new OidcRequestError(`HTTP ${answer.status}${said}`, { statusCode: answer.status });
  }
  if (typeof parsed?.value !== 'string' || parsed.value === '') {
    throw new OidcRequestError('the answer holds no token (no "value" field)', { statusCode: answer.status });
  }
  // A JWT is base64url in three parts; anything else would be written into logs and requests as is.
  if (!/^[\w-]+\.[\w-]+\.[\w-]*$/.test(parsed.value)) {
    throw new OidcRequestError('the answer\'s "value" is not a JWT', { statusCode: answer.status });
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

export interface Answer {
  status: number;
  body: string;
}

const tooLargeMessage = () => `the answer is over ${MAX_ANSWER_BYTES / 1024 / 1024} MB`;

export class AnswerTooLargeError extends Error {
  readonly code = 'ResponseTooLarge';

  constructor() {
    super(tooLargeMessage());
    this.name = 'AnswerTooLargeError';
  }
}

/**
 * One GET with a bearer token: no redirects followed, the answer capped at MAX_ANSWER_BYTES, an
 * idle-socket timeout, and `signal` (the wall-clock bound) cutting it at any point. The proxy agent
 * is @actions/http-client's, so HTTPS_PROXY / NO_PROXY apply as before.
 */
function getOnce(url: URL, bearer: string, socketTimeoutMs: number, signal: AbortSignal): Promise<Answer> {
  const agent = new HttpClient('aws-credentials-action').getAgent(url.href);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<Answer>((resolve, reject) => {
    const req = send(url, {
      method: 'GET',
      agent,
      signal,
      headers: {
        Accept: 'application/json',
        Authorization: `Bearer ${bearer}`,
        'User-Agent': 'aws-credentials-action',
      },
    });
    req.setTimeout(socketTimeoutMs, () => {
      req.destroy(Object.assign(new Error('socket timeout'), { code: 'ETIMEDOUT' }));
    });
    req.on('error', reject);
    req.on('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_ANSWER_BYTES) req.destroy(new AnswerTooLargeError());
        else chunks.push(chunk);
      });
      response.on('error', reject);
      response.on('aborted', () => reject(new Error('the answer was cut off')));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.end();
  });
}
