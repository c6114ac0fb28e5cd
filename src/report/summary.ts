import * as core from '@actions/core';
import { assumedRoleParts, displayArn } from '../aws/arn.js';
import { log } from '../common/log.js';
import type { Assumed } from '../credentials/session.js';
import { type CredentialSource, SOURCE_LABELS } from '../credentials/source.js';
import type { Settings } from '../inputs/settings.js';

/** What one invocation did, for the job summary. Nothing here is a secret. */
export interface SummaryFacts {
  /** The role asked for (ARN or bare name); undefined when the credentials were used as given. */
  role?: string;
  /** Whom the credentials act as: the assumed-role session or the IAM user. */
  arn: string;
  accountId: string;
  source: CredentialSource['kind'];
  destinations: string[];
  expiration?: Date;
  /** refresh-credentials: the profile gets new credentials whenever these expire. */
  refreshing: boolean;
  attempts: number;
  elapsedMs: number;
  maskAccountId: boolean;
}

type Destination = Pick<
  Settings,
  'outputEnvCredentials' | 'outputCredentials' | 'awsProfile' | 'refreshCredentials'
>;

/** Pure: where the credentials went, as the summary names it. */
export function destinations(settings: Destination): string[] {
  const where: string[] = [];
  if (settings.outputEnvCredentials) where.push('environment');
  if (settings.outputCredentials) where.push('step outputs');
  if (settings.refreshCredentials) where.push(`refreshing profile ${settings.awsProfile ?? 'default'}`);
  else if (settings.awsProfile) where.push(`profile ${settings.awsProfile}`);
  return where;
}

/** Pure: the facts of a successful invocation. */
export function summaryFacts(
  settings: Settings,
  source: CredentialSource,
  assumed: Assumed,
  elapsedMs: number,
): SummaryFacts {
  return {
    role: 'roleArn' in source ? source.roleArn : 'role' in source ? source.role : undefined,
    arn: assumed.arn,
    accountId: assumed.accountId,
    source: source.kind,
    destinations: destinations(settings),
    expiration: assumed.credentials.expiration,
    refreshing: settings.refreshCredentials,
    attempts: assumed.attempts,
    elapsedMs,
    maskAccountId: settings.maskAccountId,
  };
}

/**
 * Pure: one markdown table for one invocation. With mask-aws-account-id the account id appears
 * nowhere in it: not every runner masks the summary it uploads.
 */
export function summaryTable(facts: SummaryFacts): string {
  const arn = displayArn(facts.arn, facts.maskAccountId);
  const session = assumedRoleParts(arn);
  let role = 'none: credentials used as given';
  if (facts.role?.startsWith('arn:')) role = code(displayArn(facts.role, facts.maskAccountId));
  // A bare role name: the assumed-role ARN says which account it was found in (its path is lost).
  else if (facts.role && session)
    role = code(`arn:${session.partition}:iam::${session.account}:role/${session.role}`);
  else if (facts.role) role = code(facts.role);
  const rows: [string, string][] = [
    ['Role', role],
    [session ? 'Session name' : 'Identity', session ? code(session.session) : code(arn || 'unknown')],
    ['Account', facts.maskAccountId ? '`***`' : code(facts.accountId || 'unknown')],
    ['Source', SOURCE_LABELS[facts.source]],
    ['Credentials in', facts.destinations.length ? facts.destinations.join(', ') : 'nowhere (region only)'],
    ['Expires', expiry(facts)],
    ['STS attempts', String(facts.attempts)],
    ['Time taken', `${(facts.elapsedMs / 1000).toFixed(1)} s`],
  ];
  const table = ['| AWS credentials | |', '| --- | --- |', ...rows.map(([k, v]) => `| ${k} | ${cell(v)} |`)];
  const markdown = `${table.join('\n')}\n`;
  return facts.maskAccountId && facts.accountId ? markdown.split(facts.accountId).join('***') : markdown;
}

/** Appends to GITHUB_STEP_SUMMARY. A summary that cannot be written must not fail the step. */
export async function writeSummary(markdown: string, env: NodeJS.ProcessEnv): Promise<void> {
  if (!env.GITHUB_STEP_SUMMARY) return;
  try {
    await core.summary.addRaw(markdown).write();
  } catch (error) {
    core.summary.emptyBuffer();
    log(
      'warning',
      `Could not write the job summary: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function expiry(facts: SummaryFacts): string {
  if (!facts.expiration) return 'never (long-term keys)';
  const first = isoSeconds(facts.expiration);
  return facts.refreshing ? `${first}, then refreshed on use for the rest of the job` : first;
}

const code = (text: string): string => `\`${text.replace(/`/g, "'")}\``;
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
const isoSeconds = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');
