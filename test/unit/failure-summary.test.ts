// Issue 16: the job summary tells the whole story. A failure's summary says what its ::error says, as
// a table and a code block; a web identity success shows the claims; outside text cannot become
// Markdown or HTML; masked account ids appear nowhere.
import { describe, expect, it } from 'vitest';
import { ActionError } from '../../src/common/errors.js';
import { explainFacts } from '../../src/report/diagnostics.js';
import { claimsSummary, failureSummary } from '../../src/report/failure-summary.js';
import { codeBlock, codeSpan, text } from '../../src/report/markdown.js';
import type { TokenClaims } from '../../src/tokens/claims.js';

const ACCOUNT = '123456789012';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/Deploy`;
const CLAIMS: TokenClaims = {
  sub: 'repo:acme/app:ref:refs/heads/main',
  aud: 'sts.amazonaws.com',
  iss: 'https://token.actions.githubusercontent.com',
  repository: 'acme/app',
  ref: 'refs/heads/main',
  job_workflow_ref: 'acme/app/.github/workflows/ci.yml@refs/heads/main',
  workflow_ref: 'acme/app/.github/workflows/ci.yml@refs/heads/main',
  event_name: 'push',
};

function trustError(claims: TokenClaims | undefined): ActionError {
  const facts = { code: 'AccessDenied', message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity' };
  const e = explainFacts(facts, { roleArn: ROLE, source: { kind: 'oidc', roleArn: ROLE }, claims });
  return new ActionError(e.title, e.message, e.fix, { details: e.details });
}

/** Rows of the markdown table that follows `header`, as [first cell, second cell]. */
function rowsAfter(markdown: string, header: string): string[][] {
  const lines = markdown.split('\n');
  const start = lines.indexOf(header);
  expect(start).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .split(/(?<!\\)\|/)
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
  }
  return rows;
}

describe('the failure summary', () => {
  it('lays out a trust-policy refusal: title, role, cause, fix, the claims and the condition', () => {
    const error = trustError(CLAIMS);
    const markdown = failureSummary(error, { roleArn: ROLE, hidden: [] });
    const rows = Object.fromEntries(rowsAfter(markdown, '| AWS credentials |  |'));
    expect(rows.Failed).toBe(`**${text(error.title)}**`);
    expect(rows.Role).toBe(`\`${ROLE}\``);
    expect(rows.Cause).toContain('Not authorized to perform sts:AssumeRoleWithWebIdentity');
    // The claims are in their own table, not repeated in the cause.
    expect(rows.Cause).not.toContain(CLAIMS.sub);
    const claims = Object.fromEntries(rowsAfter(markdown, '| Claim | Value |'));
    expect(claims['`sub`']).toBe(`\`${CLAIMS.sub}\``);
    expect(claims['`environment`']).toBe('`(not in the token)`');
    // The code block holds the same condition the ::error names, and it is valid JSON inside braces.
    const block = /```json\n([\s\S]*?)\n```/.exec(markdown)?.[1] ?? '';
    const condition = JSON.parse(`{${block}}`).Condition.StringEquals;
    expect(condition).toEqual({
      'token.actions.githubusercontent.com:aud': CLAIMS.aud,
      'token.actions.githubusercontent.com:sub': CLAIMS.sub,
    });
    for (const line of block.split('\n')) expect(error.message).toContain(line);
  });

  it('without readable claims says so, with no claims table or code block', () => {
    const markdown = failureSummary(trustError(undefined), { roleArn: ROLE, hidden: [] });
    expect(markdown).toContain('claims are unknown');
    expect(markdown).not.toContain('```');
    expect(markdown).not.toContain('| Claim |');
  });

  it('any other failure: its title, cause and fix', () => {
    const error = new ActionError(
      'Account not allowed',
      'Account 1 is not in allowed-account-ids.',
      'Add it.',
    );
    const markdown = failureSummary(error, { hidden: [] });
    const rows = Object.fromEntries(rowsAfter(markdown, '| AWS credentials |  |'));
    expect(Object.keys(rows)).toEqual(['Failed', 'Cause', 'Fix']);
    expect(rows.Fix).toBe('Add it.');
  });

  it('shows a masked account id nowhere', () => {
    const markdown = failureSummary(trustError(CLAIMS), { roleArn: ROLE, hidden: [ACCOUNT] });
    expect(markdown).not.toContain(ACCOUNT);
    expect(markdown).toContain('arn:aws:iam::***:role/Deploy');
  });

  it('escapes hostile claims: no HTML element, no extra cell, no early end of the code block', () => {
    const hostile: TokenClaims = {
      ...CLAIMS,
      sub: 'repo:x|<img src=x onerror=alert(1)>`` ```\n',
      repository: '<script>alert(1)</script>',
    };
    const markdown = failureSummary(trustError(hostile), { roleArn: ROLE, hidden: [] });
    // Outside a code span or block, every < is escaped; in the claims table each value is one code span.
    const fenced = /^(`{3,})json\n[\s\S]*?\n\1$/m;
    const prose = markdown
      .replace(fenced, '')
      .split('\n')
      .filter((line) => !line.startsWith('| `'));
    expect(prose.join('\n')).not.toMatch(/<img|<script/);
    const claims = Object.fromEntries(rowsAfter(markdown, '| Claim | Value |'));
    expect(claims['`repository`']).toBe('`<script>alert(1)</script>`');
    expect(claims['`sub`']).toBe('````repo:x\\|<img src=x onerror=alert(1)>`` ``` ````');
    for (const row of rowsAfter(markdown, '| Claim | Value |')) expect(row).toHaveLength(2);
    // The fence is longer than any run of backticks in the condition.
    const fence = /^(`{3,})json$/m.exec(markdown)?.[1] ?? '';
    expect(fence.length).toBeGreaterThan(3);
    expect(markdown.split('\n').filter((line) => line === fence)).toHaveLength(1);
  });
});

describe('the claims on success', () => {
  it('folds the claims a trust policy matches on into <details>, with the narrowest condition', () => {
    const markdown = claimsSummary({ ...CLAIMS, environment: 'prod' });
    expect(markdown.startsWith('<details>\n<summary>')).toBe(true);
    expect(markdown.trimEnd().endsWith('</details>')).toBe(true);
    const rows = rowsAfter(markdown, '| Claim | Value |').map(([k]) => k);
    expect(rows).toEqual(
      ['sub', 'aud', 'job_workflow_ref', 'repository', 'ref', 'environment'].map((k) => `\`${k}\``),
    );
    const block = /```json\n([\s\S]*?)\n```/.exec(markdown)?.[1] ?? '';
    expect(JSON.parse(`{${block}}`).Condition.StringEquals['token.actions.githubusercontent.com:sub']).toBe(
      CLAIMS.sub,
    );
  });

  it('leaves out a claim the token does not have', () => {
    const markdown = claimsSummary(CLAIMS);
    expect(markdown).not.toContain('`environment`');
    expect(markdown).not.toContain('`event_name`');
  });
});

describe('markdown from outside text', () => {
  it('text() shows HTML and Markdown literally', () => {
    expect(text('<b>*x*</b> | [a](b)\nnext')).toBe('&lt;b&gt;\\*x\\*&lt;/b&gt; \\| \\[a\\]\\(b\\)<br>next');
  });

  it('codeSpan() and codeBlock() outlast any backticks in the value', () => {
    expect(codeSpan('a`b')).toBe('``a`b``');
    expect(codeSpan('`x`')).toBe('`` `x` ``');
    expect(codeSpan('a|b')).toBe('`a\\|b`');
    expect(codeBlock(['````'], 'json').split('\n')[0]).toBe('`````json');
  });
});
