import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ActionError } from '../common/errors.js';
import { withFileLocks } from './file-lock.js';

/**
 * Reading and writing the AWS shared files safely: never through a symbolic link, written whole
 * (temp file + rename) with mode 0600 in a 0700 directory, and file-system failures explained as
 * the user's to fix. Imported by the post step too, so nothing heavy here.
 */

/**
 * Runs `work` (reads and edits of `files`) holding each file's lock, so that jobs sharing a HOME
 * never lose each other's edits. `create`: make a missing directory first (0700); without it a
 * file whose directory is missing is left out, as there is nothing in it to edit.
 */
export function withSharedFilesLocked<T>(files: string[], create: boolean, work: () => T): T {
  const present = files.filter((file) => (create ? ensureSharedDirectory(file) : checkSharedDirectory(file)));
  try {
    return withFileLocks(present, work);
  } catch (error) {
    throw sharedFileError(present[0] ?? files[0] ?? '', 'write', error);
  }
}

/**
 * Before any network call: the file's directory (a symlinked ~/.aws) is not a link. True when
 * something is at the directory's path (anything else in the way fails the write, naming it).
 */
export function checkSharedDirectory(file: string): boolean {
  const dir = path.dirname(file);
  let dirStat: fs.Stats | undefined;
  try {
    dirStat = lstat(dir);
  } catch (error) {
    throw sharedFileError(file, 'read', error);
  }
  if (dirStat?.isSymbolicLink()) throw symlinkError(dir);
  return dirStat !== undefined;
}

function ensureSharedDirectory(file: string): true {
  if (checkSharedDirectory(file)) return true;
  const dir = path.dirname(file);
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.chmodSync(dir, 0o700);
  } catch (error) {
    throw sharedFileError(file, 'write', error);
  }
  return true;
}

/** Applies `edit` to the file's text; a file left empty is removed. */
export function editShared(file: string, edit: (text: string) => string): void {
  const before = readShared(file);
  const after = edit(before);
  if (after === before) return;
  if (after.trim() === '') {
    try {
      fs.rmSync(file, { force: true });
    } catch (error) {
      throw sharedFileError(file, 'write', error);
    }
  } else writeShared(file, after);
}

/**
 * A file's text, read without following a final symbolic link (ELOOP) and only from a regular file
 * (code EFTYPE otherwise), both checked on the open descriptor so nothing swapped in between a
 * check and the read is what gets read. O_NONBLOCK keeps a FIFO from hanging the open. Credentials
 * and tokens are read through this alone.
 */
export function readRegularFile(file: string): string {
  const noFollow = fs.constants.O_NOFOLLOW ?? 0;
  const fd = fs.openSync(file, fs.constants.O_RDONLY | noFollow | (fs.constants.O_NONBLOCK ?? 0));
  try {
    if (!fs.fstatSync(fd).isFile()) {
      throw Object.assign(new Error(`${file} is not a regular file`), { code: 'EFTYPE' });
    }
    // Windows has no O_NOFOLLOW: a check after the open is the best it gets.
    if (!noFollow && fs.lstatSync(file).isSymbolicLink()) {
      throw Object.assign(new Error(`${file} is a symbolic link`), { code: 'ELOOP' });
    }
    return fs.readFileSync(fd, 'utf8');
  } finally {
    fs.closeSync(fd);
  }
}

/** The shared file's text, '' when it does not exist. */
export function readShared(file: string): string {
  try {
    const stat = lstat(file);
    if (!stat) return '';
    refuseUnsafe(file, stat, 'file');
    return readRegularFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // A link or something else swapped in after the lstat.
    if (code === 'ELOOP') throw symlinkError(file, error);
    if (code === 'EFTYPE') throw notRegularError(file, 'file');
    throw sharedFileError(file, 'read', error);
  }
}

function writeShared(file: string, text: string): void {
  try {
    replaceShared(file, text);
  } catch (error) {
    throw sharedFileError(file, 'write', error);
  }
}

/** Atomic: readers see the old file or the new one, never half of it; the temp file is 0600 from birth. */
function replaceShared(file: string, text: string): void {
  const dir = path.dirname(file);
  ensureSharedDirectory(file);
  refuseUnsafe(dir, fs.lstatSync(dir), 'directory');
  const stat = lstat(file);
  if (stat) refuseUnsafe(file, stat, 'file');
  const temp = path.join(dir, `.${path.basename(file)}.${randomUUID()}.tmp`);
  const fd = fs.openSync(temp, 'wx', 0o600);
  try {
    try {
      fs.writeFileSync(fd, text);
      fs.fchmodSync(fd, 0o600);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}

function lstat(file: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** A file-system failure (EACCES, ENOTDIR, EROFS...) as the user's to fix, not an STS failure. */
function sharedFileError(file: string, action: 'read' | 'write', error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (error instanceof ActionError || typeof code !== 'string') return error;
  const where = (error as NodeJS.ErrnoException).path;
  return new ActionError(
    'Cannot read/write the shared AWS files',
    `aws-profile / refresh-credentials could not ${action} ${file} (${code}${where && where !== file ? ` at ${where}` : ''}).`,
    "Let the runner's user read and write that file and its directory, or set AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE to paths in a writable directory (by default they are in $HOME/.aws, so HOME must be writable).",
    { cause: error },
  );
}

function symlinkError(file: string, cause?: unknown): ActionError {
  return new ActionError(
    'Shared AWS file is a symlink',
    `${file} is a symbolic link; this action does not read or write credentials through links.`,
    'Point AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE (or ~/.aws) at a real file and directory.',
    { cause },
  );
}

function refuseUnsafe(file: string, stat: fs.Stats, kind: 'file' | 'directory'): void {
  if (stat.isSymbolicLink()) throw symlinkError(file);
  if (kind === 'file' ? !stat.isFile() : !stat.isDirectory()) throw notRegularError(file, kind);
}

function notRegularError(file: string, kind: 'file' | 'directory'): ActionError {
  return new ActionError(
    `Shared AWS ${kind} is not a ${kind}`,
    `${file} is not a regular ${kind}.`,
    'Point AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE at a file path.',
  );
}
