// Unsigned-JWT helpers: the double decodes tokens but never checks their signature.
import { randomBytes } from 'node:crypto';

export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';

export type JwtClaims = Record<string, unknown>;

const B64URL = /^[A-Za-z0-9_-]+={0,2}$/;

function b64urlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** Builds a JWT-shaped string (header.payload.signature) with a random, meaningless signature. */
export function makeJwt(
  claims: JwtClaims,
  header: JwtClaims = { alg: 'RS256', typ: 'JWT', kid: 'sts-double' },
): string {
  return `${b64urlJson(header)}.${b64urlJson(claims)}.${randomBytes(64).toString('base64url')}`;
}

/** GitHub-Actions-like OIDC claims valid for five minutes; override any of them. */
export function githubClaims(overrides: JwtClaims = {}, nowMs = Date.now()): JwtClaims {
  const now = Math.floor(nowMs / 1000);
  return {
    iss: GITHUB_ISSUER,
    aud: 'sts.amazonaws.com',
    sub: 'repo:octo-org/octo-repo:ref:refs/heads/main',
    repository: 'octo-org/octo-repo',
    ref: 'refs/heads/main',
    iat: now,
    nbf: now - 5,
    exp: now + 300,
    ...overrides,
  };
}

/** Decodes header and payload; undefined unless the token is three base64url parts holding JSON objects. */
export function decodeJwt(token: string): { header: JwtClaims; payload: JwtClaims } | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((p) => B64URL.test(p))) return undefined;
  const [h, p] = parts.map((part) => {
    try {
      const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
      return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as JwtClaims) : undefined;
    } catch {
      return undefined;
    }
  });
  return h && p ? { header: h, payload: p } : undefined;
}

/** The `aud` claim as a list (it may be a string or an array of strings). */
export function audiencesOf(payload: JwtClaims): string[] {
  const aud = payload.aud;
  if (typeof aud === 'string') return [aud];
  if (Array.isArray(aud)) return aud.filter((a): a is string => typeof a === 'string');
  return [];
}

/** IAM StringLike: `*` matches any run of characters, `?` exactly one; case-sensitive. */
export function stringLike(pattern: string, value: string): boolean {
  const re = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${re}$`, 's').test(value);
}
