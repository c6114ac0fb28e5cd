// Spawns one step's process in its own process group, feeds stdout/stderr lines in arrival order
// (the runner handles both streams through one command processor) and enforces a hard timeout.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { StringDecoder } from 'node:string_decoder';

export type Stream = 'stdout' | 'stderr';

export interface ProcessResult {
  exitCode: number;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** Also the process group id: the caller kills leftovers at job end, as the runner does. */
  pid: number;
}

export interface ProcessOptions {
  env: Record<string, string>;
  cwd: string;
  timeoutMs: number;
  onLine: (line: string, stream: Stream) => void;
}

// After the main process exits, how long to wait for pipes held open by leftover children.
const DRAIN_MS = 2_000;

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Group already gone.
  }
}

export function runProcess(command: string, args: string[], opts: ProcessOptions): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: opts.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // own process group, so a timeout can kill grandchildren too
    });
    let timedOut = false;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    let drainTimer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, 'SIGKILL');
    }, opts.timeoutMs);

    const pending: Record<Stream, string> = { stdout: '', stderr: '' };
    const decoders: Record<Stream, StringDecoder> = {
      stdout: new StringDecoder('utf8'),
      stderr: new StringDecoder('utf8'),
    };
    let settled = false;
    const feed = (stream: Stream, chunk: string) => {
      if (settled) return;
      const text = pending[stream] + chunk;
      const lines = text.split('\n');
      pending[stream] = lines.pop() ?? '';
      for (const line of lines) opts.onLine(line.endsWith('\r') ? line.slice(0, -1) : line, stream);
    };
    for (const stream of ['stdout', 'stderr'] as const) {
      child[stream].on('data', (buf: Buffer) => feed(stream, decoders[stream].write(buf)));
    }

    const finish = () => {
      if (settled) return;
      clearTimeout(timer);
      clearTimeout(drainTimer);
      for (const stream of ['stdout', 'stderr'] as const) {
        feed(stream, decoders[stream].end());
        if (pending[stream] !== '') opts.onLine(pending[stream], stream);
        pending[stream] = '';
      }
      settled = true;
      const sig = exit?.signal ? (constants.signals[exit.signal] ?? 0) : 0;
      const exitCode = timedOut ? 124 : (exit?.code ?? 128 + sig);
      resolve({ exitCode, signal: exit?.signal ?? null, timedOut, pid: child.pid ?? -1 });
    };

    child.on('error', (err) => {
      clearTimeout(timer);
      settled = true;
      reject(err);
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      // Leftover background children may keep the pipes open; don't wait on them forever.
      drainTimer = setTimeout(() => {
        killGroup(child.pid, 'SIGKILL');
        finish();
      }, DRAIN_MS);
    });
    child.on('close', finish);
  });
}
