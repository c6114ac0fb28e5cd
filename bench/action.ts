// Runs the bundled action as one whole process, the way the runner starts it: INPUT_* variables,
// fresh GITHUB_ENV / GITHUB_OUTPUT / GITHUB_STATE files, no host AWS_* variables, and nothing that
// can leave 127.0.0.1.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
/** BENCH_DIST measures another build (e.g. `node scripts/build.mjs /tmp/dist`) than dist/. */
export const DIST_DIR = resolve(process.env.BENCH_DIST ?? join(REPO_ROOT, 'dist'));
export const ACTION_ENTRY = join(DIST_DIR, 'index.js');
export const ROLE_ARN = 'arn:aws:iam::111111111111:role/bench';
/** NODE24=/path/to/node runs every process with that Node (the runner's is 24) instead of this one. */
export const NODE_BIN = process.env.NODE24 || process.execPath;

/** A hard stop per process, so that a bug cannot hang the benchmark. */
const PROCESS_TIMEOUT_MS = 120_000;

export interface ProcessRun {
  exitCode: number;
  /** From spawn to exit. */
  wallMs: number;
  /** performance.now() at exit, to time a job from a common start. */
  endedAt: number;
  /** AWS_ACCESS_KEY_ID reached GITHUB_ENV. */
  exported: boolean;
  stdout: string;
}

export interface ActionEndpoints {
  oidcEnv: Record<string, string>;
  stsEndpoint: string;
}

/** Spawns `node ...args` with `env`; resolves when it exits (or is killed at the hard stop). */
export function runNode(args: string[], env: Record<string, string>): Promise<Omit<ProcessRun, 'exported'>> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(NODE_BIN, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.resume();
    const timer = setTimeout(() => child.kill('SIGKILL'), PROCESS_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const endedAt = performance.now();
      resolvePromise({ exitCode: code ?? 1, wallMs: endedAt - started, endedAt, stdout });
    });
  });
}

/** The environment a runner gives a node action's main step, around a scratch directory. */
export function actionEnv(dir: string, inputs: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    // The AWS SDK warns on Node < 22, which these machines run; on GitHub the action runs on node24.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'acme/app',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_SHA: 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00',
    GITHUB_WORKFLOW: 'bench',
    GITHUB_ACTOR: 'octocat',
    GITHUB_ACTION: '__self',
    GITHUB_WORKSPACE: dir,
    RUNNER_TEMP: dir,
    RUNNER_ENVIRONMENT: 'github-hosted',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  for (const name of ['GITHUB_ENV', 'GITHUB_OUTPUT', 'GITHUB_STATE', 'GITHUB_STEP_SUMMARY', 'GITHUB_PATH']) {
    const file = join(dir, name.toLowerCase());
    writeFileSync(file, '');
    env[name] = file;
  }
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  return env;
}

/** The inputs of an OIDC run against the local endpoints. */
export function oidcInputs(endpoints: ActionEndpoints, roleArn = ROLE_ARN): Record<string, string> {
  return {
    'aws-region': 'us-east-1',
    'role-to-assume': roleArn,
    'sts-endpoint': endpoints.stsEndpoint,
    // The runner passes action.yml's defaults as inputs; upstream relies on this one.
    audience: 'sts.amazonaws.com',
    'job-summary': 'false',
  };
}

/**
 * One full run of dist/index.js (or of `entry`: another build, upstream's bundle, the floor):
 * OIDC token → AssumeRoleWithWebIdentity → credentials exported.
 */
export async function runAction(
  endpoints: ActionEndpoints,
  roleArn = ROLE_ARN,
  entry = ACTION_ENTRY,
  extraEnv: Record<string, string> = {},
): Promise<ProcessRun> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-job-'));
  try {
    const env = { ...actionEnv(dir, oidcInputs(endpoints, roleArn)), ...endpoints.oidcEnv, ...extraEnv };
    const run = await runNode([entry], env);
    const exported = /^AWS_ACCESS_KEY_ID/m.test(readFileSync(env.GITHUB_ENV as string, 'utf8'));
    return { ...run, exported };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `node -e 0` spawned exactly as the action is, for the baseline. */
export function runEmptyNode(): Promise<number> {
  return timeNode(['-e', '0']);
}

/** dist/index.js with no inputs: it loads, then stops at the missing aws-region. Loading alone, timed. */
export function runLoadOnly(): Promise<number> {
  return timeNode([ACTION_ENTRY]);
}

async function timeNode(args: string[]): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-node-'));
  try {
    return (await runNode(args, actionEnv(dir, {}))).wallMs;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
