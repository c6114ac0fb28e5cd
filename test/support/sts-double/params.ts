// Query-protocol parameter helpers (lists are flattened as `Name.member.N[.Field]`).
import type { RecordedCall } from './types.js';

type Params = Record<string, string>;

function paramsOf(source: RecordedCall | Params): Params {
  return 'params' in source && typeof source.params === 'object'
    ? (source as RecordedCall).params
    : (source as Params);
}

/**
 * Values of a flattened list, ordered by member index:
 * `listParam(call, 'PolicyArns.member', 'arn')` reads PolicyArns.member.1.arn, .2.arn, ...;
 * `listParam(call, 'TransitiveTagKeys.member')` reads TransitiveTagKeys.member.1, ...
 */
export function listParam(source: RecordedCall | Params, prefix: string, field?: string): string[] {
  const params = paramsOf(source);
  const suffix = field === undefined ? '' : `.${field}`;
  const found: Array<[number, string]> = [];
  for (const [key, value] of Object.entries(params)) {
    if (!key.startsWith(`${prefix}.`) || !key.endsWith(suffix)) continue;
    const index = key.slice(prefix.length + 1, key.length - suffix.length);
    if (/^\d+$/.test(index)) found.push([Number(index), value]);
  }
  return found.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

/** Session tags sent as Tags.member.N.Key / Tags.member.N.Value. */
export function tagsOf(source: RecordedCall | Params): Record<string, string> {
  const params = paramsOf(source);
  const tags: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) {
    const m = /^Tags\.member\.(\d+)\.Key$/.exec(key);
    if (m) tags[value] = params[`Tags.member.${m[1]}.Value`] ?? '';
  }
  return tags;
}

/** Collects AWS-style "N validation errors detected" messages. */
export class Validator {
  readonly errors: string[] = [];
  constructor(private readonly params: Params) {}

  private fail(value: string | undefined, member: string, constraint: string): void {
    const shown = value === undefined ? 'null' : `'${value}'`;
    this.errors.push(`Value ${shown} at '${member}' failed to satisfy constraint: Member ${constraint}`);
  }

  /** Validates a string parameter's presence, length and pattern. */
  str(name: string, opts: { required?: boolean; min?: number; max?: number; pattern?: RegExp }): void {
    const value = this.params[name];
    const member = name.charAt(0).toLowerCase() + name.slice(1);
    if (value === undefined) {
      if (opts.required) this.fail(value, member, 'must not be null');
      return;
    }
    if (opts.min !== undefined && value.length < opts.min) {
      this.fail(value, member, `must have length greater than or equal to ${opts.min}`);
    } else if (opts.max !== undefined && value.length > opts.max) {
      this.fail(value, member, `must have length less than or equal to ${opts.max}`);
    } else if (opts.pattern && !new RegExp(`^(?:${opts.pattern.source})$`).test(value)) {
      this.fail(value, member, `must satisfy regular expression pattern: ${opts.pattern.source}`);
    }
  }

  /** Validates an optional integer parameter in [min, max]; returns it (or undefined). */
  int(name: string, min: number, max: number): number | undefined {
    const raw = this.params[name];
    if (raw === undefined) return undefined;
    const member = name.charAt(0).toLowerCase() + name.slice(1);
    const n = Number(raw);
    if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(n)) {
      this.fail(raw, member, 'must be an integer');
    } else if (n < min) {
      this.fail(raw, member, `must have value greater than or equal to ${min}`);
    } else if (n > max) {
      this.fail(raw, member, `must have value less than or equal to ${max}`);
    } else {
      return n;
    }
    return undefined;
  }

  /** Validates the length of a flattened list. */
  count(member: string, n: number, max: number): void {
    if (n > max)
      this.errors.push(
        `Value at '${member}' failed to satisfy constraint: Member must have length less than or equal to ${max}`,
      );
  }

  message(): string | undefined {
    const n = this.errors.length;
    if (n === 0) return undefined;
    return `${n} validation error${n === 1 ? '' : 's'} detected: ${this.errors.join('; ')}`;
  }
}
