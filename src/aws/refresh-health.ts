import * as fs from 'node:fs';
import * as path from 'node:path';
import { withFileLocks } from './file-lock.js';
import { readRegularFile } from './shared-file.js';

/**
 * The refresher's health file: one JSON line per refresh, beside the profile, for the post step's
 * summary. A refresher failure thus reaches the job summary even when the SDK that ran it swallowed
 * its message. No secret is ever in it: time, outcome, attempts, and for a failure its title and fix.
 * Mode 0600, never written through a symbolic link, and bounded: the last MAX_RECORDS records.
 */

export interface HealthRecord {
  /** ISO 8601 time the refresh ended. */
  time: string;
  ok: boolean;
  /** STS (and token) attempts this refresh made. */
  attempts: number;
  /** A failure's title and fix, as the refresher's stderr gave them. */
  title?: string;
  fix?: string;
}

export const MAX_RECORDS = 50;
const MAX_TITLE = 200;
const MAX_FIX = 1000;
/** Past this size the file is cut back to its last MAX_RECORDS records. */
const COMPACT_AT_BYTES = MAX_RECORDS * (MAX_TITLE + MAX_FIX + 200);

/** Pure: the health file for a profile whose config file is `configFile`; `id` makes it this step's. */
export function healthFileBeside(configFile: string, id: string): string {
  return path.join(path.dirname(configFile), `.aws-credentials-action-${id}.health`);
}

/** Pure: one record as its line, with the texts capped. */
export function healthLine(record: HealthRecord): string {
  const capped: HealthRecord = {
    time: record.time,
    ok: record.ok,
    attempts: record.attempts,
    ...(record.title === undefined ? {} : { title: cap(record.title, MAX_TITLE) }),
    ...(record.fix === undefined ? {} : { fix: cap(record.fix, MAX_FIX) }),
  };
  return `${JSON.stringify(capped)}\n`;
}

/** A refresher waits this long at most for another one's write; then its record is not written. */
const HEALTH_LOCK_WAIT_MS = 2000;

/**
 * Appends one record, creating the file 0600 and refusing a link or anything but a regular file; a
 * file grown past its bound is cut back to its last records by an atomic replace. All under the
 * file's lock: a record appended to the file another refresher is replacing would be lost.
 */
export function appendHealth(file: string, record: HealthRecord): void {
  withFileLocks([file], () => appendUnlocked(file, record), { waitMs: HEALTH_LOCK_WAIT_MS });
}

function appendUnlocked(file: string, record: HealthRecord): void {
  const flags =
    fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | (fs.constants.O_NOFOLLOW ?? 0);
  const fd = fs.openSync(file, flags | (fs.constants.O_NONBLOCK ?? 0), 0o600);
  let size: number;
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw Object.assign(new Error(`${file} is not a regular file`), { code: 'EFTYPE' });
    if (!fs.constants.O_NOFOLLOW && fs.lstatSync(file).isSymbolicLink()) {
      throw Object.assign(new Error(`${file} is a symbolic link`), { code: 'ELOOP' });
    }
    fs.writeSync(fd, healthLine(record));
    size = fs.fstatSync(fd).size;
  } finally {
    fs.closeSync(fd);
  }
  if (size > COMPACT_AT_BYTES) compact(file);
}

/** The records in the file, oldest first; [] when there is none. Lines that are not records are skipped. */
export function readHealth(file: string): HealthRecord[] {
  let content: string;
  try {
    content = readRegularFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return content
    .split('\n')
    .flatMap((line) => {
      const record = parseRecord(line);
      return record ? [record] : [];
    })
    .slice(-MAX_RECORDS);
}

/** Removes the file; a link is removed as the link, never its target. */
export function removeHealth(file: string): void {
  fs.rmSync(file, { force: true });
}

function compact(file: string): void {
  const kept = readHealth(file).map(healthLine).join('');
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const fd = fs.openSync(temp, 'wx', 0o600);
  try {
    fs.writeFileSync(fd, kept);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temp, file);
}

function parseRecord(line: string): HealthRecord | undefined {
  if (line.trim() === '') return undefined;
  try {
    const value = JSON.parse(line) as Partial<HealthRecord>;
    if (typeof value.time !== 'string' || typeof value.ok !== 'boolean') return undefined;
    const attempts = typeof value.attempts === 'number' && value.attempts >= 0 ? value.attempts : 0;
    return {
      time: cap(value.time, 40),
      ok: value.ok,
      attempts,
      ...(typeof value.title === 'string' ? { title: cap(value.title, MAX_TITLE) } : {}),
      ...(typeof value.fix === 'string' ? { fix: cap(value.fix, MAX_FIX) } : {}),
    };
  } catch {
    return undefined;
  }
}

const cap = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
