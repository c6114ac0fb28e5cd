import { STS_AUDIENCE } from '../aws/sts.js';
import type { ActionError } from '../common/errors.js';
import { providerHost, type TokenClaims } from '../tokens/claims.js';
import { codeBlock, codeSpan, hide, table, text } from './markdown.js';
import { matchingCondition } from './trust-advice.js';

/**
 * The job summary's side of a failure and of a web identity success. A failure shows what its
 * `::error` says, laid out: a table, then the claims and the matching condition where there are
 * some. Nothing here is a secret: claims, never the token; no key. Everything from outside
 * (claims, STS messages) goes through markdown.ts.
 */

export interface SummaryScope {
  /** The role asked for, when known. */
  roleArn?: string;
  /** Values to show as *** (the account ids, with mask-aws-account-id). */
  hidden: readonly string[];
}

/** Pure: the summary of a failed invocation. */
export function failureSummary(error: ActionError, scope: SummaryScope): string {
  const cause = error.details?.cause ?? error.message;
  const rows: [string, string][] = [
    ['Failed', `**${text(error.title)}**`],
    ...(scope.roleArn ? [['Role', codeSpan(scope.roleArn)] as [string, string]] : []),
    ['Cause', text(cause)],
    ['Fix', text(error.fix)],
  ];
  const parts = [table(['AWS credentials', ''], rows)];
  const facts = error.details?.facts;
  if (facts) {
    parts.push(`**${text(facts.heading)}**`, table(['Claim', 'Value'], facts.rows.map(claimRow)));
  }
  const code = error.details?.code;
  if (code) parts.push(`**${text(code.heading)}**`, codeBlock(code.lines, code.language));
  return `${hide(parts.join('\n\n'), scope.hidden)}\n`;
}

/** The claims a trust policy matches on, in the order the success summary lists them. */
const SHOWN_CLAIMS = ['sub', 'aud', 'job_workflow_ref', 'repository', 'ref', 'environment'] as const;

/**
 * Pure: the claims of the token this job used, folded away, with the tightest condition that still
 * lets this job in (StringEquals on its exact aud and sub), so a broad trust policy can be narrowed.
 */
export function claimsSummary(claims: TokenClaims, hidden: readonly string[] = []): string {
  const rows = SHOWN_CLAIMS.filter((key) => claims[key] !== undefined).map((key) =>
    claimRow([key, claims[key] ?? '']),
  );
  const host = text(providerHost(claims.iss));
  const lines = [
    '<details>',
    `<summary>Web identity token claims (not secrets), and the narrowest trust policy condition for this job</summary>`,
    '',
    table(['Claim', 'Value'], rows),
    '',
    `This condition lets in only jobs whose token has this exact sub and aud (issuer ${host}); ` +
      `a StringLike with * in the sub lets in more.${claims.aud && claims.aud !== STS_AUDIENCE ? ' The aud is not the default sts.amazonaws.com: the provider must list it as a client ID.' : ''}`,
    '',
    codeBlock(matchingCondition(claims), 'json'),
    '',
    '</details>',
  ];
  return `${hide(lines.join('\n'), hidden)}\n`;
}

const claimRow = ([key, value]: [string, string]): [string, string] => [codeSpan(key), codeSpan(value)];
