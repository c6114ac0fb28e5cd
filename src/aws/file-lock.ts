import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import { hostname } from 'node:os';
import { ActionError } from '../common/errors.js';

/**
 * An exclusive lock on a shared file, for a read-modify-write that other jobs sharing the same HOME
 * may be doing at the same moment: `<file>.lock` created with O_EXCL beside it (atomic on every OS
 * and on NFSv3+), holding `pid host token`. Held for milliseconds, so the wait is short and bounded;
 * a lock left by a process that died (kill -9 mid-write) is broken. Hand-written: proper-lockfile
 * (the usual library) pulls in graceful-fs, which patches fs, and has not been released since 2021.
 */

export interface LockOptions {
  /** Give up after this long (ms). */
  waitMs?: number;
  /** A lock older than this (ms) is stale whoever holds it: holders hold it for milliseconds. */
  staleMs?: number;
}

export const LOCK_WAIT_MS = 20_000;
export const LOCK_STALE_MS = 10_000;
/** A lock of a dead process on this host is broken only once this old: it may be in another PID namespace. */
const DEAD_OWNER_GRACE_MS = 2_000;

export const lockPathOf = (file: string): string => `${file}.lock`;

/** Runs `work` holding the locks of `files` (taken in sorted order, so two jobs cannot deadlock). */
export function withFileLocks<T>(files: string[], work: () => T, options: LockOptions = {}): T {
  const sorted = [...new Set(files)].sort();
  const held: (() => void)[] = [];
  try {
    for (const file of sorted) held.push(acquire(file, options));
    return work();
  } finally {
    for (const release of held.reverse()) release();
  }
}

function acquire(file: string, { waitMs = LOCK_WAIT_MS, staleMs = LOCK_STALE_MS }: LockOptions): () => void {
  const lock = lockPathOf(file);
  const owner = `${process.pid} ${hostname()} ${randomUUID()}`;
  const deadline = Date.now() + waitMs;
  for (let round = 0; ; round++) {
    if (tryCreate(lock, owner, file)) return () => release(lock, owner);
    breakIfStale(lock, staleMs);
    if (Date.now() >= deadline) throw lockTimeoutError(file, lock, waitMs);
    // Jittered, growing a little: 16 jobs contend for a lock each holds for milliseconds.
    sleep(Math.min(200, 5 + round * 5) * (0.5 + Math.random()));
  }
}

function tryCreate(lock: string, owner: string, file: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(lock, 'wx', 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // ENOENT (no directory yet) and EACCES are the caller's to report, naming the file.
    throw Object.assign(error as Error, { path: (error as NodeJS.ErrnoException).path ?? file });
  }
  try {
    fs.writeFileSync(fd, owner);
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

/** Only the lock this holder created is removed (another may have broken a stale one and taken it). */
function release(lock: string, owner: string): void {
  try {
    if (fs.readFileSync(lock, 'utf8') === owner) fs.rmSync(lock, { force: true });
  } catch {
    // Already gone.
  }
}

/**
 * Breaks the lock when its owner is gone. Breaking is itself done under `<lock>.break` (O_EXCL), and
 * the lock is checked again under it, so two waiters cannot both break it and one delete the lock a
 * third has just taken.
 */
function breakIfStale(lock: string, staleMs: number): void {
  if (!isStale(lock, staleMs)) return;
  const breaker = `${lock}.break`;
  let fd: number;
  try {
    fd = fs.openSync(breaker, 'wx', 0o600);
  } catch {
    // Another waiter is breaking it; a breaker left by a crash is itself stale after staleMs.
    if (ageOf(breaker) > staleMs) fs.rmSync(breaker, { force: true });
    return;
  }
  fs.closeSync(fd);
  try {
    if (isStale(lock, staleMs)) fs.rmSync(lock, { force: true });
  } finally {
    fs.rmSync(breaker, { force: true });
  }
}

function isStale(lock: string, staleMs: number): boolean {
  const age = ageOf(lock);
  if (age === -1) return false;
  if (age > staleMs) return true;
  let content = '';
  try {
    content = fs.readFileSync(lock, 'utf8');
  } catch {
    return false;
  }
  const [pid, host] = content.split(' ');
  // A lock being written (empty for a moment) is not stale.
  return host === hostname() && age > DEAD_OWNER_GRACE_MS && !alive(Number(pid));
}

/** Milliseconds since the file was last modified; -1 when it does not exist. */
function ageOf(file: string): number {
  try {
    return Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The post step and writeProfile are synchronous; the wait between tries blocks, briefly. */
function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function lockTimeoutError(file: string, lock: string, waitMs: number): ActionError {
  return new ActionError(
    'Shared AWS file is locked',
    `Could not lock ${file} within ${waitMs / 1000} s: ${lock} is held by another job using the same HOME.`,
    `If no other job on this machine is writing AWS profiles, delete ${lock}; otherwise give each runner its own HOME or AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE.`,
  );
}
