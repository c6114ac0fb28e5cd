// Issue 4: the OIDC token is fetched once and reused until near expiry; the OIDC request has a
// connect and a response timeout. Servers here listen on 127.0.0.1 only and are closed after.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('@actions/core', async (original) => ({
  ...(await original<typeof import('@actions/core')>()),
  setSecret: vi.fn(),
}));

const core = await import('@actions/core');
const { ActionError } = await import('../../src/common/errors.js');
const { OidcRequestError, requestGitHubIdToken } = await import('../../src/tokens/oidc-request.js');
const { classify, errorFacts } = await import('../../src/common/classify.js');
const { GitHubOidcToken, TokenFile, tokenExpiry } = await import('../../src/tokens/token.js');

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** A JWT-shaped token expiring at `exp` (seconds); its signature is never checked here. */
const jwt = (exp: number | undefined, n = 0) =>
  `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url({ sub: 'repo:acme/app:ref:refs/heads/main', exp, n })}.c2ln`;

beforeEach(() => {
  vi.mocked(core.setSecret).mockClear();
});

describe('GitHubOidcToken', () => {
  const NOW = 1_800_000_000_000;

  function source(lifetimeSeconds: number | undefined) {
    let now = NOW;
    const fetched: string[] = [];
    const tokens = new GitHubOidcToken(
      'sts.amazonaws.com',
      async (audience) => {
        expect(audience).toBe('sts.amazonaws.com');
        const token = jwt(
          lifetimeSeconds === undefined ? undefined : now / 1000 + lifetimeSeconds,
          fetched.length,
        );
        fetched.push(token);
        return token;
      },
      () => now,
    );
    return { tokens, fetched, advance: (ms: number) => (now += ms) };
  }

  it('fetches once and reuses the token across calls (retries)', async () => {
    const s = source(300);
    const first = await s.tokens.token();
    s.advance(30_000);
    expect(await s.tokens.token()).toBe(first);
    expect(await s.tokens.token()).toBe(first);
    expect(s.fetched).toEqual([first]);
    expect(core.setSecret).toHaveBeenCalledWith(first);
  });

  it('fetches a new one when the cached one is within a minute of expiry', async () => {
    const s = source(300);
    const first = await s.tokens.token();
    s.advance(239_000); // 61 s left: still reused
    expect(await s.tokens.token()).toBe(first);
    s.advance(2_000); // 59 s left
    const second = await s.tokens.token();
    expect(second).not.toBe(first);
    expect(s.fetched).toEqual([first, second]);
  });

  it('fetches a fresh one on request (an expired-token answer), and then reuses that', async () => {
    const s = source(300);
    const first = await s.tokens.token();
    const fresh = await s.tokens.token(true);
    expect(fresh).not.toBe(first);
    expect(await s.tokens.token()).toBe(fresh);
    expect(s.fetched).toEqual([first, fresh]);
  });

  it('reuses a token without exp (nothing says it expires)', async () => {
    const s = source(undefined);
    const first = await s.tokens.token();
    s.advance(3_600_000);
    expect(await s.tokens.token()).toBe(first);
    expect(s.fetched).toHaveLength(1);
  });

  it('reads exp in milliseconds, and nothing from a token that is not a JWT', () => {
    expect(tokenExpiry(jwt(1_800_000_300))).toBe(1_800_000_300_000);
    expect(tokenExpiry('not a jwt')).toBeUndefined();
  });
});

describe('TokenFile', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'token-file-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the file anew each time, trimmed (its writer may rotate it)', async () => {
    const path = join(dir, 'token');
    writeFileSync(path, `${jwt(1, 1)}\n`);
    const file = new TokenFile(path);
    expect(await file.token()).toBe(jwt(1, 1));
    writeFileSync(path, jwt(2, 2));
    expect(await file.token()).toBe(jwt(2, 2));
  });

  it('follows the kubelet layout of symbolic links (token -> ..data/token, ..data -> ..<timestamp>/)', async () => {
    const stamped = join(dir, '..2026_12_01_10_00_00.123456789');
    mkdirSync(stamped);
    writeFileSync(join(stamped, 'token'), `${jwt(3, 3)}\n`);
    symlinkSync('..2026_12_01_10_00_00.123456789', join(dir, '..data'));
    symlinkSync('..data/token', join(dir, 'token'));
    expect(await new TokenFile(join(dir, 'token')).token()).toBe(jwt(3, 3));
  });

  it('reads at most 64 kB: a larger file is refused with its own error, a 64 kB one is read', async () => {
    const big = join(dir, 'big');
    writeFileSync(big, 'a'.repeat(64 * 1024 + 1));
    const error = await new TokenFile(big).token().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ActionError);
    expect((error as InstanceType<typeof ActionError>).title).toBe('Token file too large');
    expect((error as Error).message).toContain(big);
    expect(classify(errorFacts(error), true)).toBe('fail');
    writeFileSync(big, 'b'.repeat(64 * 1024));
    expect(await new TokenFile(big).token()).toHaveLength(64 * 1024);
    // A device reports size 0 and never ends: refused as not a regular file, not read.
    const device = await new TokenFile('/dev/zero').token().catch((e: unknown) => e);
    expect((device as InstanceType<typeof ActionError>).title).toBe('Token file is not a file');
  });

  it('refuses a missing file, a directory and a link loop, as local errors that are never retried', async () => {
    symlinkSync('loop', join(dir, 'loop'));
    for (const path of [join(dir, 'missing'), join(dir, 'loop'), dir]) {
      const error = await new TokenFile(path).token().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ActionError);
      expect(classify(errorFacts(error), true)).toBe('fail');
    }
  });

  it('names each refusal; a FIFO, also behind a link, is refused at once rather than blocking the read', async () => {
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    symlinkSync(join(dir, 'fifo'), join(dir, 'fifo-link'));
    symlinkSync('loop', join(dir, 'loop'));
    const cases: [string, string][] = [
      [join(dir, 'missing'), 'Token file not found'],
      [join(dir, 'loop'), 'Token file link loop'],
      [dir, 'Token file is not a file'],
      [join(dir, 'fifo'), 'Token file is not a file'],
      [join(dir, 'fifo-link'), 'Token file is not a file'],
    ];
    for (const [path, title] of cases) {
      let timer: NodeJS.Timeout | undefined;
      const error = await Promise.race([
        new TokenFile(path).token().catch((e: unknown) => e),
        new Promise((resolve) => {
          timer = setTimeout(() => resolve('timed out'), 2_000);
        }),
      ]).finally(() => clearTimeout(timer));
      expect(error, path).toBeInstanceOf(ActionError);
      expect((error as InstanceType<typeof ActionError>).title, path).toBe(title);
      expect((error as Error).message).toContain(path);
    }
  });

  it('an unreadable file is a local error naming the path and how to grant access, never "STS"', async () => {
    // Root reads through chmod 000, so the unreadable path here is one under a regular file.
    writeFileSync(join(dir, 'plain'), 'x');
    const path = join(dir, 'plain', 'token');
    const error = await new TokenFile(path).token().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ActionError);
    const e = error as InstanceType<typeof ActionError>;
    expect(e.title).toBe('Token file unreadable');
    expect(e.message).toContain(path);
    expect(e.message).toContain('ENOTDIR');
    expect(e.fix).toMatch(/runner's user must be able to read/);
    expect(e.fix).toMatch(/fsGroup/);
    expect(e.cause).toMatchObject({ code: 'ENOTDIR' });
    expect(e.describe()).not.toMatch(/STS/);
    expect(classify(errorFacts(error), true)).toBe('fail');
  });
});

/** A local OIDC endpoint; `answer` decides each response (or leaves it hanging). */
async function oidcServer(answer: (req: IncomingMessage, res: ServerResponse) => void) {
  const sockets = new Set<Socket>();
  const server: Server = createServer(answer);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    env: {
      ACTIONS_ID_TOKEN_REQUEST_URL: `http://127.0.0.1:${port}/token?api-version=2.0`,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-bearer',
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('requestGitHubIdToken', () => {
  const stops: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
  });
  const serve = async (answer: (req: IncomingMessage, res: ServerResponse) => void) => {
    const server = await oidcServer(answer);
    stops.push(server.stop);
    return server;
  };
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  it('asks for the audience with the bearer token, and returns the value', async () => {
    const seen: Array<{ url?: string; auth?: string }> = [];
    const server = await serve((req, res) => {
      seen.push({ url: req.url, auth: req.headers.authorization });
      json(res, 200, { count: 1, value: 'the.jwt.value' });
    });
    expect(await requestGitHubIdToken('sts.amazonaws.com', { env: server.env })).toBe('the.jwt.value');
    expect(seen).toEqual([
      { url: '/token?api-version=2.0&audience=sts.amazonaws.com', auth: 'Bearer request-bearer' },
    ]);
  });

  it.each([
    [503, 'retry'],
    [500, 'retry'],
    [429, 'retry'],
    [401, 'fail'],
    [403, 'fail'],
    [404, 'fail'],
  ] as const)('HTTP %i becomes an OidcRequestError that is classified %s', async (status, expected) => {
    const server = await serve((_req, res) => json(res, status, { message: `said ${status}` }));
    const error = await requestGitHubIdToken('sts.amazonaws.com', { env: server.env }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OidcRequestError);
    expect(error).toMatchObject({ statusCode: status });
    expect((error as Error).message).toContain(`HTTP ${status}: said ${status}`);
    expect(classify(errorFacts(error), true)).toBe(expected);
  });

  it('an answer without a token fails for good', async () => {
    const server = await serve((_req, res) => json(res, 200, { count: 0 }));
    const error = await requestGitHubIdToken('sts.amazonaws.com', { env: server.env }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OidcRequestError);
    expect(classify(errorFacts(error), true)).toBe('fail');
  });

  it('an endpoint that accepts the connection but never answers: a retryable timeout', async () => {
    const server = await serve(() => {
      // never answers
    });
    const started = Date.now();
    const error = await requestGitHubIdToken('sts.amazonaws.com', {
      env: server.env,
      socketTimeoutMs: 300,
    }).catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    expect(error).toMatchObject({ code: 'ETIMEDOUT' });
    expect((error as Error).message).toMatch(/request timeout/);
    expect(classify(errorFacts(error), true)).toBe('retry');
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(5_000); // does not hang
  });

  it('a closed port: a retryable connection error', async () => {
    const server = await oidcServer(() => undefined);
    await server.stop();
    const error = await requestGitHubIdToken('sts.amazonaws.com', { env: server.env }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'ECONNREFUSED' });
    expect(classify(errorFacts(error), true)).toBe('retry');
  });

  it('without the request variables: the id-token permission error, never retried', async () => {
    const error = await requestGitHubIdToken('sts.amazonaws.com', { env: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ActionError);
    expect((error as Error).message).toContain('ACTIONS_ID_TOKEN_REQUEST_URL');
    expect(classify(errorFacts(error), true)).toBe('fail');
  });
});
