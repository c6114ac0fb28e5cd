// Starts the real moto_server (AWS mock) on 127.0.0.1 for one test file and stops it by PID.
import { type ChildProcess, spawn } from 'node:child_process';
import { baseEnv, freePort, pyenvWhich } from './tools.js';

export interface Moto {
  endpoint: string;
  pid: number;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 5_000;
const START_ATTEMPTS = 3; // the free port can be taken between our probe and moto's bind

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (exited(child) || child.pid === undefined) return;
  child.kill('SIGTERM');
  if (await waitForExit(child, STOP_GRACE_MS)) return;
  child.kill('SIGKILL');
  await waitForExit(child, STOP_GRACE_MS);
}

async function answers(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1_000) });
    await res.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

async function startOnce(binary: string): Promise<Moto | { error: string }> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(binary, ['-H', '127.0.0.1', '-p', String(port)], {
    env: { ...baseEnv(), HOME: process.env.HOME ?? '/root' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keepTail = (buf: Buffer) => {
    tail = (tail + buf.toString('utf8')).slice(-2_000);
  };
  child.stdout?.on('data', keepTail);
  child.stderr?.on('data', keepTail);
  const spawnError = new Promise<string>((resolve) => child.once('error', (e) => resolve(e.message)));

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited(child)) return { error: `moto_server exited early (code ${child.exitCode}): ${tail}` };
    if (await answers(endpoint)) {
      const pid = child.pid as number;
      return { endpoint, pid, stop: () => stopChild(child) };
    }
    const failed = await Promise.race([spawnError, new Promise<null>((r) => setTimeout(() => r(null), 200))]);
    if (failed !== null) return { error: `moto_server failed to start: ${failed}` };
  }
  await stopChild(child);
  return { error: `moto_server did not answer within ${READY_TIMEOUT_MS} ms: ${tail}` };
}

export async function startMoto(): Promise<Moto> {
  const binary = pyenvWhich('moto_server');
  let lastError = '';
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    const result = await startOnce(binary);
    if ('endpoint' in result) return result;
    lastError = result.error;
  }
  throw new Error(lastError);
}
