/** Where the command writes: stdout carries the credentials only, stderr every message. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/**
 * This process's stdout kept for the credentials alone: what a dependency would print there goes
 * to stderr instead, except workflow commands (`::add-mask::` would carry the secret itself), so
 * `eval "$(...)"` never runs a stray line.
 */
export function processIo(): CliIo {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const kept = text
      .split('\n')
      .filter((line) => !line.trimStart().startsWith('::'))
      .join('\n');
    if (kept.trim() !== '') process.stderr.write(kept);
    const done = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    done?.();
    return true;
  }) as typeof process.stdout.write;
  return {
    stdout: (text) => {
      write(text);
    },
    stderr: (text) => {
      process.stderr.write(text);
    },
  };
}
