// A local stand-in for GitHub's OIDC token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL): RS256 JWTs
// with GitHub's claim set, a bearer check, and injectable failures.
import {
  createPublicKey,
  generateKeyPair,
  type JsonWebKey,
  randomBytes,
  randomUUID,
  sign as rsaSign,
  verify,
} from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { promisify } from 'node:util';

export interface OidcIssuer {
  requestUrl: string;
  requestToken: string;
  readonly issuerUrl: string;
  readonly tokens: string[];
  readonly requests: number;
  setClaims(overrides: Record<string, unknown>): void;
  failNext(count: number, status?: number): void;
  jwks(): { keys: object[] };
  env(): Record<string, string>;
  stop(): Promise<void>;
}

export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';
export const DEFAULT_AUDIENCE = 'https://github.com/acme';

const b64url = (data: string | Buffer): string => Buffer.from(data).toString('base64url');

/** The claims GitHub puts in a push-to-main token for acme/app; `environment` only when overridden. */
function baseClaims(iat: number, lifetime: number, audience: string): Record<string, unknown> {
  return {
    jti: randomUUID(),
    sub: 'repo:acme/app:ref:refs/heads/main',
    aud: audience,
    ref: 'refs/heads/main',
    sha: 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00',
    repository: 'acme/app',
    repository_owner: 'acme',
    repository_owner_id: '1000',
    repository_id: '2000',
    repository_visibility: 'private',
    run_id: '4242',
    run_number: '7',
    run_attempt: '1',
    actor: 'octocat',
    actor_id: '583231',
    workflow: 'ci',
    workflow_ref: 'acme/app/.github/workflows/ci.yml@refs/heads/main',
    workflow_sha: 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00',
    job_workflow_ref: 'acme/app/.github/workflows/ci.yml@refs/heads/main',
    job_workflow_sha: 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00',
    head_ref: '',
    base_ref: '',
    event_name: 'push',
    ref_type: 'branch',
    ref_protected: 'false',
    runner_environment: 'github-hosted',
    iss: GITHUB_ISSUER,
    nbf: iat - 600,
    exp: iat + lifetime,
    iat,
  };
}

export function decodeJwt(token: string): {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signature: Buffer;
} {
  const [h, p, s] = token.split('.');
  if (h === undefined || p === undefined || s === undefined) throw new Error('not a JWT');
  const json = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  return { header: json(h), payload: json(p), signature: Buffer.from(s, 'base64url') };
}

/** Checks an RS256 signature against a JWKS (by kid). */
export function verifyJwt(token: string, jwks: { keys: object[] }): boolean {
  const { header, signature } = decodeJwt(token);
  const jwk = jwks.keys.find((k) => (k as { kid?: string }).kid === header.kid);
  if (!jwk || header.alg !== 'RS256') return false;
  const key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
  const signed = token.slice(0, token.lastIndexOf('.'));
  return verify('sha256', Buffer.from(signed), key, signature);
}

export async function startOidcIssuer(
  opts: { claims?: Record<string, unknown>; lifetimeSeconds?: number } = {},
): Promise<OidcIssuer> {
  const { privateKey, publicKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  const kid = randomBytes(8).toString('hex');
  const requestToken = randomBytes(24).toString('base64url');
  const lifetime = opts.lifetimeSeconds ?? 300;
  let overrides: Record<string, unknown> = { ...(opts.claims ?? {}) };
  const failures: number[] = [];
  const tokens: string[] = [];
  let requests = 0;

  const sign = (audience: string): string => {
    const claims: Record<string, unknown> = {
      ...baseClaims(Math.floor(Date.now() / 1000), lifetime, audience),
      ...overrides,
    };
    // GitHub switches the subject to the environment form when the job has one.
    if (typeof overrides.environment === 'string' && !('sub' in overrides)) {
      claims.sub = `repo:acme/app:environment:${overrides.environment}`;
    }
    for (const [k, v] of Object.entries(claims)) if (v === undefined) delete claims[k];
    const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }));
    const body = b64url(JSON.stringify(claims));
    const signature = b64url(rsaSign('sha256', Buffer.from(`${header}.${body}`), privateKey));
    return `${header}.${body}.${signature}`;
  };

  const jwks = () => ({
    keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }],
  });

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/.well-known/jwks') return send(res, 200, jwks());
    if (url.pathname !== '/token') return send(res, 404, { message: 'Not Found' });
    requests++;
    if (req.method !== 'GET') return send(res, 405, { message: 'Method Not Allowed' });
    if (req.headers.authorization !== `Bearer ${requestToken}`) {
      return send(res, 401, { message: 'Bad credentials' });
    }
    const failStatus = failures.shift();
    if (failStatus !== undefined) return send(res, failStatus, { message: `injected failure ${failStatus}` });
    const token = sign(url.searchParams.get('audience') ?? DEFAULT_AUDIENCE);
    tokens.push(token);
    send(res, 200, { count: tokens.length, value: token });
  };

  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('OIDC issuer has no TCP address');
  const base = `http://127.0.0.1:${addr.port}`;
  const requestUrl = `${base}/token?api-version=2.0`;

  return {
    requestUrl,
    requestToken,
    get issuerUrl() {
      return typeof overrides.iss === 'string' ? overrides.iss : GITHUB_ISSUER;
    },
    tokens,
    get requests() {
      return requests;
    },
    setClaims(next) {
      overrides = { ...overrides, ...next };
    },
    failNext(count, status = 500) {
      for (let i = 0; i < count; i++) failures.push(status);
    },
    jwks,
    env: () => ({ ACTIONS_ID_TOKEN_REQUEST_URL: requestUrl, ACTIONS_ID_TOKEN_REQUEST_TOKEN: requestToken }),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
