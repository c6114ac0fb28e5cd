import { jwtDecode } from 'jwt-decode';
import type { TokenSource } from './token.js';

/**
 * The claims of a web identity token that decide whether a trust policy matches. Decoded without
 * verification, for explaining a refusal only: claims are not secrets, the token itself is, and it
 * is never kept here.
 */
export interface TokenClaims {
  sub?: string;
  aud?: string;
  iss?: string;
  repository?: string;
  ref?: string;
  environment?: string;
  event_name?: string;
  job_workflow_ref?: string;
  /** Not printed; tells a reusable workflow (job_workflow_ref differs) from the caller's own. */
  workflow_ref?: string;
}

/** The claims printed when a trust policy refuses the token, in this order. */
export const PRINTED_CLAIMS = [
  'sub',
  'aud',
  'iss',
  'repository',
  'ref',
  'environment',
  'event_name',
  'job_workflow_ref',
] as const;

const KEPT_CLAIMS: readonly (keyof TokenClaims)[] = [...PRINTED_CLAIMS, 'workflow_ref'];

export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';

/** Pure: the claims of a JWT, or undefined when it is not one. Only the known string claims are kept. */
export function decodeClaims(jwt: string): TokenClaims | undefined {
  let payload: Record<string, unknown>;
  try {
    payload = jwtDecode<Record<string, unknown>>(jwt);
  } catch {
    return undefined;
  }
  const claims: TokenClaims = {};
  for (const key of KEPT_CLAIMS) {
    const value = payload[key];
    // `aud` may be a list; GitHub sends one audience, and the first is the one a policy compares.
    const text = Array.isArray(value) ? value.find((v) => typeof v === 'string') : value;
    if (typeof text === 'string') claims[key] = text;
  }
  return claims;
}

/** Wraps a token source so that each token's claims are handed on as it is fetched. */
export function recordClaims(tokens: TokenSource, onClaims: (claims: TokenClaims) => void): TokenSource {
  return {
    async token(fresh) {
      const jwt = await tokens.token(fresh);
      const claims = decodeClaims(jwt);
      if (claims) onClaims(claims);
      return jwt;
    },
  };
}

/** The condition-key prefix IAM uses for a provider: its URL without the scheme. */
export function providerHost(issuer: string = GITHUB_ISSUER): string {
  return issuer.replace(/^https:\/\//, '').replace(/\/+$/, '');
}
