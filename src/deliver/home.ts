import * as fs from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';
import { ActionError } from '../common/errors.js';

/**
 * `~` as the AWS CLI (botocore, Python's expanduser) and the Go SDK resolve it: on Windows
 * %USERPROFILE% (Python ≥ 3.8 ignores HOME there), else HOMEDRIVE + HOMEPATH; elsewhere HOME. The
 * profile is then written where those read it.
 */
export function homeDirectory(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string {
  if (platform === 'win32') {
    const fromDrive = env.HOMEDRIVE && env.HOMEPATH ? env.HOMEDRIVE + env.HOMEPATH : '';
    return env.USERPROFILE || fromDrive || homedir();
  }
  return env.HOME || homedir();
}

/** `~`, `~/x` (and `~\x` on Windows) from the home directory; any other path as it is. */
export function expandHome(file: string, home: string, platform: NodeJS.Platform): string {
  if (file === '~') return home;
  const separator = /^~[/]/.test(file) || (platform === 'win32' && /^~[\\]/.test(file));
  return separator ? path.join(home, file.slice(2)) : file;
}

/**
 * AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE naming one file: the profile's two sections would
 * both be written to it as if it were two files, and the second write would drop the first's
 * section. Refused before any call. The same path, or (when it exists) the same file by another name.
 */
export function refuseSameFile(files: { config: string; credentials: string }): void {
  const caseless = process.platform === 'win32' || process.platform === 'darwin';
  const same = caseless
    ? files.config.toLowerCase() === files.credentials.toLowerCase()
    : files.config === files.credentials;
  if (!same && !sameInode(files.config, files.credentials)) return;
  throw new ActionError(
    'Shared AWS files are one file',
    `The config file and the credentials file are the same file (${files.config}${files.config === files.credentials ? '' : ` and ${files.credentials}`}): aws-profile / refresh-credentials write one section to each, and cannot keep them apart in one file.`,
    'Point AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE at two different files, or unset them to use ~/.aws/config and ~/.aws/credentials.',
  );
}

function sameInode(a: string, b: string): boolean {
  try {
    const [x, y] = [fs.statSync(a), fs.statSync(b)];
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}
