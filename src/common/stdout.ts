/**
 * Keeps this process's stdout for one consumer's output alone (the refresher's credential JSON, the
 * command line's `export` lines): what a dependency would print there goes to stderr instead, except
 * workflow commands, which nobody reads here and of which `::add-mask::` would carry the secret
 * itself. Returns the writer to the real stdout.
 */
export function reserveStdout(): (text: string) => void {
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
  return (text) => {
    write(text);
  };
}
