import { reserveStdout } from '../common/stdout.js';

/** Where the command writes: stdout carries the credentials only, stderr every message. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** This process's stdout kept for the credentials alone (common/stdout.ts), so `eval "$(...)"` never runs a stray line. */
export function processIo(): CliIo {
  const write = reserveStdout();
  return {
    stdout: write,
    stderr: (text) => {
      process.stderr.write(text);
    },
  };
}
