import { STS_AUDIENCE } from '../aws/sts.js';
import { PRINTED_CLAIMS, providerHost, type TokenClaims } from '../tokens/claims.js';

/**
 * What to tell a user whose role refused this job's token: its claims, the condition that would
 * match them, and the usual mismatches. Claims are not secrets; the token is never here.
 */

/** Pure: the printed claims, one `name: value` line each; a missing claim says so. */
export function claimLines(claims: TokenClaims): string[] {
  return PRINTED_CLAIMS.map((key) => `  ${key}: ${claims[key] ?? '(not in the token)'}`);
}

/**
 * How a condition matches `sub` where a CI system puts per-run parts in it (Bitbucket's step UUID,
 * CircleCI's user): a StringLike pattern instead of the token's own sub.
 */
export interface SubjectMatch {
  operator: 'StringEquals' | 'StringLike';
  value: string;
}

/**
 * Pure: the trust-policy condition that would let exactly this job's token in; with `subject`, the
 * sub is matched as that says.
 */
export function matchingCondition(claims: TokenClaims, subject?: SubjectMatch): string[] {
  const host = providerHost(claims.iss);
  const sub =
    subject ?? (claims.sub !== undefined ? { operator: 'StringEquals', value: claims.sub } : undefined);
  const subEntry = sub && `"${host}:sub": ${JSON.stringify(sub.value)}`;
  const entries = [
    claims.aud !== undefined ? `"${host}:aud": ${JSON.stringify(claims.aud)}` : undefined,
    sub?.operator === 'StringEquals' ? subEntry : undefined,
  ].filter((entry): entry is string => entry !== undefined);
  const like = sub?.operator === 'StringLike' && subEntry ? [subEntry] : [];
  const block = (name: string, items: string[], last: boolean) => [
    `  "${name}": {`,
    ...items.map((e, i, all) => `    ${e}${i < all.length - 1 ? ',' : ''}`),
    `  }${last ? '' : ','}`,
  ];
  return [
    '"Condition": {',
    ...block('StringEquals', entries, like.length === 0),
    ...(like.length ? block('StringLike', like, true) : []),
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
  const oddAudience = c.aud !== undefined && c.aud !== STS_AUDIENCE;
  add(
    oddAudience,
    `The "${host}:aud" condition must equal the token's aud${c.aud ? ` (${c.aud})` : ''}, which is the \`audience\` input (default ${STS_AUDIENCE}).`,
  );
  add(
    false,
    `A role that does not exist is refused the same way: check role-to-assume${roleArn ? ` (${roleArn})` : ''} for a typo and the right account.`,
  );
  return { likely, others };
}
