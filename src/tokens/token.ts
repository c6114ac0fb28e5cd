import { jwtDecode } from 'jwt-decode';
import { readRegularFile } from '../aws/shared-file.js';
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

function readTokenFile(path: string): string {
  try {
    return readRegularFile(path);
  } catch (error) {
    throw tokenFileError(path, error);
  }
}

function tokenFileError(path: string, error: unknown): ActionError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EFTYPE') {
    return new ActionError(
      'Token file is not a file',
      `web-identity-token-file ${path} is not a regular file.`,
      'Point web-identity-token-file at the token file itself.',
      { cause: error },
    );
  }
  if (code === 'ENOENT') {
    return new ActionError(
      'Token file not found',
      `web-identity-token-file ${path} does not exist.`,
      'Check the path; a relative path is taken from GITHUB_WORKSPACE.',
      { cause: error },
    );
  }
  // O_NOFOLLOW's answer to a symbolic link.
  if (code === 'ELOOP') {
    return new ActionError(
      'Token file is a symlink',
      `web-identity-token-file ${path} is a symbolic link, which this action refuses to follow.`,
      'Point web-identity-token-file at the real file.',
      { cause: error },
    );
  }
  return new ActionError(
    'Token file unreadable',
    `web-identity-token-file ${path} cannot be read (${code ?? (error instanceof Error ? error.message : String(error))}).`,
    "The runner's user must be able to read the file; on EKS/IRSA, set the pod's securityContext fsGroup so the projected token is readable by it.",
    { cause: error },
  );
}
