import type { HealthRecord } from '../aws/refresh-health.js';
import { hide, table, text } from './markdown.js';

/**
 * The post step's summary of a refreshing profile: how many refreshes, how many failed, and the
 * last failure with its fix. Said in a sentence too, so a failing refresher shows at a glance.
 */
export function refreshSummary(records: HealthRecord[], hidden: readonly string[] = []): string {
  if (records.length === 0) return '';
  const failures = records.filter((r) => !r.ok);
  const last = failures.at(-1);
  const lastRecord = records.at(-1);
  const headline = last
    ? `**Refreshing the AWS credentials failed** ${failures.length} of ${records.length} time${records.length === 1 ? '' : 's'}${lastRecord?.ok ? ', then succeeded' : ''}: ${text(last.title ?? 'unknown error')}.`
    : `Refreshing the AWS credentials succeeded ${records.length} time${records.length === 1 ? '' : 's'}.`;
  const rows: [string, string][] = [
    ['Refreshes', String(records.length)],
    ['Failures', String(failures.length)],
    ['Attempts', String(records.reduce((sum, r) => sum + r.attempts, 0))],
    ['Last refresh', `${text(lastRecord?.time ?? '')} (${lastRecord?.ok ? 'succeeded' : 'failed'})`],
    ...(last
      ? ([
          ['Last error', `${text(last.title ?? 'unknown error')} (${text(last.time)})`],
          ['Fix', text(last.fix ?? '')],
        ] as [string, string][])
      : []),
  ];
  return `${hide([headline, '', table(['Credential refreshes', ''], rows)].join('\n'), hidden)}\n`;
}
