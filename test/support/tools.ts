// Shared helpers: the clean base environment for steps, free ports, and the real aws CLI.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

export const DEFAULT_PYENV_ROOT = '/root/.pyenv';

export function pyenvRoot(): string {
  return process.env.PYENV_ROOT || DEFAULT_PYENV_ROOT;
}

/**
 * What every step inherits from the host: only PATH, PYENV_ROOT (the `aws`/`moto_server` shims need it)
 * and LANG. Never the host's AWS_* variables, so no test can pass on a developer's own credentials.
 */
export function baseEnv(): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin' };
  env.PYENV_ROOT = pyenvRoot();
  if (process.env.LANG) env.LANG = process.env.LANG;
  // The AWS SDK warns on Node < 22, which these machines run; on GitHub the action runs on node24.
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  return env;
}

/** A port that was free a moment ago on 127.0.0.1 (the usual bind-to-0-then-close race applies). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

const resolved = new Map<string, string>();

/** Absolute path of a pyenv-installed command (`pyenv which NAME`), falling back to the shim. */
export function pyenvWhich(name: string): string {
  const cached = resolved.get(name);
  if (cached) return cached;
  const root = pyenvRoot();
  const pyenv = [join(root, 'bin', 'pyenv'), 'pyenv'].find((p) => p === 'pyenv' || existsSync(p)) as string;
  let path: string;
  try {
    path = execFileSync(pyenv, ['which', name], {
      env: { ...baseEnv(), HOME: process.env.HOME ?? '/root' },
      encoding: 'utf8',
      timeout: 10_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  } catch {
    path = join(root, 'shims', name);
    // No pyenv (a CI runner with setup-python and pip): the command as found on PATH.
    if (!existsSync(path)) path = onPath(name) ?? path;
  }
  if (!existsSync(path)) throw new Error(`${name} not found (looked via pyenv under ${root}, then on PATH)`);
  resolved.set(name, path);
  return path;
}

function onPath(name: string): string | undefined {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, name))
    .find((candidate) => existsSync(candidate));
}

export function awsCliPath(): string {
  return pyenvWhich('aws');
}

/** Env needed to run the aws CLI from a clean environment, without any credentials of its own. */
export function awsCliEnv(): Record<string, string> {
  return { PYENV_ROOT: pyenvRoot(), AWS_PAGER: '', AWS_EC2_METADATA_DISABLED: 'true' };
}

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real aws CLI with exactly `env` (plus PATH and awsCliEnv()); nothing from the host's
 * AWS_* leaks in. HOME defaults to a path that has no ~/.aws.
 */
export function awsCli(args: string[], env: Record<string, string>, timeoutMs = 30_000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      awsCliPath(),
      args,
      {
        env: { ...baseEnv(), HOME: '/nonexistent', ...awsCliEnv(), ...env },
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
        maxBuffer: 16 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ exitCode: code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}
