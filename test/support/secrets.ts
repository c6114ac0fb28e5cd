// Masking as the runner's SecretMasker does it, plus leak bookkeeping: every printed line is kept
// masked as it was at the moment it was printed, so a secret that becomes known later (a mask
// registered afterwards, a GITHUB_ENV write, addSecret) still reveals an earlier unmasked print.
import { createHash } from 'node:crypto';

const MIN_SECRET_LENGTH = 8;

interface Printed {
  where: string; // e.g. "step #2 uses(creds) stdout line 3"
  text: string; // already masked with the masks active at that moment
}

export class SecretLog {
  private readonly masks: string[] = [];
  private readonly watched = new Map<string, string>(); // value → where it came from
  private readonly printed: Printed[] = [];

  /** Registers a mask (::add-mask::). Multi-line values are masked line by line as well. */
  addMask(value: string): void {
    const parts = [value, ...value.split(/\r?\n/)].filter((v) => v.trim() !== '');
    for (const part of parts) {
      if (!this.masks.includes(part)) this.masks.push(part);
      this.watch(part, 'add-mask');
    }
  }

  /** Watches a value for leaks without masking it (a real runner would not know about it). */
  watch(value: string, source: string): void {
    for (const part of [value, ...value.split(/\r?\n/)]) {
      if (part.length >= MIN_SECRET_LENGTH && !this.watched.has(part)) this.watched.set(part, source);
    }
  }

  /** Replaces every occurrence of every mask with ***, merging overlaps like the runner. */
  mask(text: string): string {
    const ranges: [number, number][] = [];
    for (const m of this.masks) {
      for (let i = text.indexOf(m); i >= 0; i = text.indexOf(m, i + 1)) ranges.push([i, i + m.length]);
    }
    if (ranges.length === 0) return text;
    ranges.sort((a, b) => a[0] - b[0]);
    let out = '';
    let pos = 0;
    let cur: [number, number] | null = null;
    for (const r of ranges) {
      if (cur && r[0] <= cur[1]) {
        cur[1] = Math.max(cur[1], r[1]);
        continue;
      }
      if (cur) {
        out += `${text.slice(pos, cur[0])}***`;
        pos = cur[1];
      }
      cur = [r[0], r[1]];
    }
    if (cur) out += `${text.slice(pos, cur[0])}***`;
    return out + text.slice(cur ? cur[1] : pos);
  }

  /** Masks a line with the current masks and records it for leak detection. */
  print(where: string, line: string): string {
    const text = this.mask(line);
    this.printed.push({ where, text });
    return text;
  }

  /**
   * Records text exactly as written, for leak detection: a job summary is kept as its file holds it,
   * so a secret there is a leak even where the runner's masking of the upload would hide it (not
   * every runner masks it, and the file stays on the runner's disk).
   */
  record(where: string, text: string): void {
    this.printed.push({ where, text });
  }

  leaks(): string[] {
    const found: string[] = [];
    for (const p of this.printed) {
      for (const [value, source] of this.watched) {
        if (p.text.includes(value)) {
          found.push(`${p.where}: secret sha256:${fingerprint(value)} (${source}) appeared unmasked`);
        }
      }
    }
    return found;
  }
}

/** A short, non-reversible tag for a secret so reports can name it without showing it. */
export function fingerprint(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 12);
}
