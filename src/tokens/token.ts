import * as fs from 'node:fs';
import { jwtDecode } from 'jwt-decode';
import { ActionError } from '../common/errors.js';
import { secret } from '../common/log.js';
import { requestGitHubIdToken } from './oidc-request.js';

/** Supplies the web identity token for AssumeRoleWithWebIdentity. */
export interface TokenSource {
  /** The current token; a fresh one when `fresh` is set or the cached one is near expiry. */
  token(fresh?: boolean): Promise<string>;
}

/** Reuse a token until this close to its `exp`, so a retry never sends one that expires in flight. */
const EXPIRY_MARGIN_MS = 60_000;

export function tokenExpiry(jwt: string): number | undefined {
  try {
    const { exp } = jwtDecode(jwt);
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The job's GitHub OIDC token. Fetched once and reused across retries until it is near expiry: each
 * fetch is a request to GitHub, and a storm of parallel jobs should not add load on that endpoint too.
 */
export class GitHubOidcToken implements TokenSource {
  private cached?: { jwt: string; expiresAt?: number };

  constructor(
    private readonly audience: string,
    private readonly fetchToken: (audience: string) => Promise<string> = requestGitHubIdToken,
    private readonly now: () => number = Date.now,
  ) {}

  async token(fresh = false): Promise<string> {
    const cached = this.cached;
    if (
      !fresh &&
      cached &&
      (cached.expiresAt === undefined || cached.expiresAt - this.now() > EXPIRY_MARGIN_MS)
    ) {
      return cached.jwt;
    }
    const jwt = await this.fetchToken(this.audience);
    secret(jwt);
    this.cached = { jwt, expiresAt: tokenExpiry(jwt) };
    return jwt;
  }
}

/** A token file written by another process (EKS, a script). Read anew each time: its writer may rotate it. */
export class TokenFile implements TokenSource {
  constructor(private readonly path: string) {}

  async token(): Promise<string> {
    const jwt = readTokenFile(this.path).trim();
    secret(jwt);
    return jwt;
  }
}

/** A JWT is a few kB; anything this big is not a token, and reading it whole could exhaust memory. */
export const TOKEN_FILE_MAX_BYTES = 64 * 1024;

/**
 * The token file's text. Symbolic links are followed (the kubelet projects `token -> ..data/token`,
 * `..data -> ..<timestamp>/`): a token is only read, from a path the workflow chose. What is finally
 * opened must be a regular file (checked on the descriptor; O_NONBLOCK keeps a FIFO from hanging the
 * open), and at most TOKEN_FILE_MAX_BYTES are read whatever fstat says.
 */
export function readTokenFile(path: string, input = 'web-identity-token-file'): string {
  try {
    const fd = fs.openSync(path, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
    try {
      if (!fs.fstatSync(fd).isFile()) throw Object.assign(new Error('not a file'), { code: 'EFTYPE' });
      const buffer = Buffer.alloc(TOKEN_FILE_MAX_BYTES + 1);
      let length = 0;
      for (let n = -1; n !== 0 && length < buffer.length; length += n) {
        n = fs.readSync(fd, buffer, length, buffer.length - length, null);
      }
      if (length > TOKEN_FILE_MAX_BYTES) throw Object.assign(new Error('too large'), { code: 'EFBIG' });
      return buffer.toString('utf8', 0, length);
    } finally {
      fs.closeSync(fd);
    }
  } catch (error) {
    throw tokenFileError(path, error, input);
  }
}

function tokenFileError(path: string, error: unknown, input: string): ActionError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EFTYPE') {
    return new ActionError(
      'Token file is not a file',
      `${input} ${path} is not a regular file (after following symbolic links): a directory, FIFO or device is not read.`,
      `Point ${input} at the token file itself.`,
      { cause: error },
    );
  }
  if (code === 'ENOENT') {
    return new ActionError(
      'Token file not found',
      `${input} ${path} does not exist.`,
      input === 'web-identity-token-file'
        ? 'Check the path; a relative path is taken from GITHUB_WORKSPACE.'
        : 'Check the path.',
      { cause: error },
    );
  }
  if (code === 'EFBIG') {
    return new ActionError(
      'Token file too large',
      `${input} ${path} holds more than ${TOKEN_FILE_MAX_BYTES / 1024} kB; a web identity token is a few kB.`,
      `Point ${input} at the token file itself (on EKS/IRSA, AWS_WEB_IDENTITY_TOKEN_FILE).`,
      { cause: error },
    );
  }
  if (code === 'ELOOP') {
    return new ActionError(
      'Token file link loop',
      `${input} ${path} is a symbolic link that leads back to itself (or through too many links).`,
      `Point ${input} at a link chain that ends at the token file.`,
      { cause: error },
    );
  }
  return new ActionError(
    'Token file unreadable',
    `${input} ${path} cannot be read (${code ?? (error instanceof Error ? error.message : String(error))}).`,
    "The runner's user must be able to read the file; on EKS/IRSA, set the pod's securityContext fsGroup so the projected token is readable by it.",
    { cause: error },
  );
}
