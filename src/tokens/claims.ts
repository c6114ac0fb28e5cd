import { jwtDecode } from 'jwt-decode';
import { DEFAULTS } from '../inputs/settings.js';
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

/** Pure: the printed claims, one `name: value` line each; a missing claim says so. */
export function claimLines(claims: TokenClaims): string[] {
  return PRINTED_CLAIMS.map((key) => `  ${key}: ${claims[key] ?? '(not in the token)'}`);
}

/** Pure: the trust-policy condition that would let exactly this job's token in. */
export function matchingCondition(claims: TokenClaims): string[] {
  const host = providerHost(claims.iss);
  const entries = [
    claims.aud !== undefined ? `"${host}:aud": ${JSON.stringify(claims.aud)}` : undefined,
    claims.sub !== undefined ? `"${host}:sub": ${JSON.stringify(claims.sub)}` : undefined,
  ].filter((entry): entry is string => entry !== undefined);
  return [
    '"Condition": {',
    '  "StringEquals": {',
    ...entries.map((e, i, all) => `    ${e}${i < all.length - 1 ? ',' : ''}`),
    '  }',
    '}',
  ];
}

export interface Mismatches {
  /** What this job's own claims point at. */
  likely: string[];
  /** The usual causes that do not show in the claims. */
  others: string[];
}

/**
 * Pure: the usual reasons a trust policy refuses a GitHub token, split into those this job's claims
 * point at and the rest. `repo` is owner/name, or a placeholder when the token was not readable.
 */
export function usualMismatches(claims: TokenClaims | undefined, roleArn: string | undefined): Mismatches {
  const c = claims ?? {};
  const repo = c.repository ?? 'OWNER/REPO';
  const host = providerHost(c.iss);
  const likely: string[] = [];
  const others: string[] = [];
  const add = (applies: boolean, text: string) => (applies ? likely : others).push(text);

  const customSub = c.sub !== undefined && !c.sub.startsWith('repo:');
  add(
    customSub,
    customSub
      ? `This token's sub (${c.sub}) follows a customized subject claim template: the condition must use that form.`
      : 'An organization or repository can customize the sub claim template; the condition must then use that form.',
  );
  add(
    c.environment !== undefined,
    c.environment !== undefined
      ? `This job uses \`environment: ${c.environment}\`, so its sub is repo:${repo}:environment:${c.environment}, not repo:${repo}:ref:${c.ref ?? 'REF'}. Match the environment form.`
      : `A job with \`environment: NAME\` gets the sub repo:${repo}:environment:NAME instead of repo:${repo}:ref:REF.`,
  );
  const pullRequest = c.event_name === 'pull_request' || c.sub?.endsWith(':pull_request') === true;
  add(
    pullRequest,
    pullRequest
      ? `This job runs for a pull_request event, so its sub is repo:${repo}:pull_request, with no branch in it.`
      : `pull_request events get the sub repo:${repo}:pull_request, with no branch in it.`,
  );
  const reusable =
    c.job_workflow_ref !== undefined && c.workflow_ref !== undefined && c.job_workflow_ref !== c.workflow_ref;
  add(
    reusable,
    `${reusable ? `This job runs in the reusable workflow ${c.job_workflow_ref}, but its` : "A reusable workflow's"} sub names the calling repository and ref, not the reusable workflow. ` +
      "To trust the reusable workflow itself, customize the subject claim template to include job_workflow_ref (GitHub's OIDC API) and match that.",
  );
  const oddAudience = c.aud !== undefined && c.aud !== DEFAULTS.audience;
  add(
    oddAudience,
    `The "${host}:aud" condition must equal the token's aud${c.aud ? ` (${c.aud})` : ''}, which is the \`audience\` input (default ${DEFAULTS.audience}).`,
  );
  add(
    false,
    `A role that does not exist is refused the same way: check role-to-assume${roleArn ? ` (${roleArn})` : ''} for a typo and the right account.`,
  );
  return { likely, others };
}
