import * as path from 'node:path';
import { InputError } from '../common/errors.js';
import { oneLine } from '../common/log.js';
import type { InputName, RawInputs } from './names.js';

/** One parser per kind of input, each refusing a bad value with an InputError that names the input. */

/** What a refused value gets: the message (naming the input) and the fix. */
export type Refusal = (value: string) => [message: string, fix: string];

/** Longest value of an input unless its spec says otherwise: far above any real value. */
export const MAX_INPUT_CHARS = 4096;

/** Bounds every kind can have: the raw value's length (after trimming). */
interface Bounds {
  maxLength?: number;
}

/** How one input is read: its kind, and the default, bounds or check of that kind. */
export type InputSpec = Bounds & Spec;

type Spec =
  | {
      kind: 'text';
      input: InputName;
      fallback?: string;
      required?: Refusal;
      pattern?: RegExp;
      refusal?: Refusal;
    }
  | { kind: 'boolean'; input: InputName; fallback?: boolean }
  | { kind: 'integer'; input: InputName; fallback: number; min: number; max: number }
  | {
      kind: 'url';
      input: InputName;
      fromEnvironment?: (env: NodeJS.ProcessEnv) => string | undefined;
      /** Whether user:password@ is allowed (a proxy's). */
      userInfo?: boolean;
    }
  | { kind: 'line'; input: InputName; refusal: Refusal }
  | {
      kind: 'list';
      input: InputName;
      separator: RegExp;
      pattern?: RegExp;
      refusal?: Refusal;
      maxItems?: number;
    }
  | { kind: 'json'; input: InputName; refusal: Refusal; maxMinified?: number }
  | { kind: 'path'; input: InputName }
  /** A value with its own parser (custom-tags), which raises its own InputError. */
  | { kind: 'custom'; input: InputName; parse: (value: string | undefined) => unknown };

export function parseInput(spec: InputSpec, raw: RawInputs, env: NodeJS.ProcessEnv): unknown {
  const value = raw[spec.input]?.trim() || undefined;
  // Shown on one line and short: the value may be anything the workflow passed.
  const refuse = (refusal: Refusal, shown: string): never => {
    throw new InputError(
      spec.input,
      ...refusal(oneLine(shown.length > 200 ? `${shown.slice(0, 200)}…` : shown)),
    );
  };
  checkBounds(spec, value);
  switch (spec.kind) {
    case 'text': {
      if (!value && spec.required) refuse(spec.required, '');
      const result = value ?? spec.fallback;
      if (result !== undefined && spec.pattern && spec.refusal && !spec.pattern.test(result))
        refuse(spec.refusal, result);
      return result;
    }
    case 'boolean':
      return parseBoolean(raw, spec.input, spec.fallback);
    case 'integer':
      return parseInteger(raw, spec.input, spec.fallback, spec.min, spec.max);
    case 'url':
      if (value) checkUrl(spec.input, value, spec.userInfo ?? false);
      return value ?? spec.fromEnvironment?.(env);
    case 'line':
      if (value && /[\r\n]/.test(value)) refuse(spec.refusal, value);
      return value;
    case 'list': {
      const items = splitList(value, spec.separator);
      const bad = items.find((item) => CONTROL.test(item) || (spec.pattern && !spec.pattern.test(item)));
      if (bad !== undefined && spec.refusal) refuse(spec.refusal, bad);
      if (bad !== undefined) throw lineBreak(spec.input);
      if (spec.maxItems !== undefined && items.length > spec.maxItems) {
        throw new InputError(
          spec.input,
          `${spec.input} lists ${items.length} items; at most ${spec.maxItems} are allowed.`,
          `Give at most ${spec.maxItems}.`,
        );
      }
      return items;
    }
    case 'json': {
      if (value === undefined) return undefined;
      const minified = minifiedJson(value, () => refuse(spec.refusal, value));
      if (spec.maxMinified !== undefined && minified.length > spec.maxMinified) {
        throw new InputError(
          spec.input,
          `${spec.input} is ${minified.length} characters long even minified; STS allows ${spec.maxMinified}.`,
          'Shorten the policy (fewer statements, wildcards in resource names), or use managed-session-policies.',
        );
      }
      return minified;
    }
    case 'path':
      return value ? path.resolve(env.GITHUB_WORKSPACE ?? process.cwd(), value) : undefined;
    case 'custom':
      return spec.parse(value);
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Refused for every input: a value longer than its bound; a control character in a one-line value. */
function checkBounds(spec: InputSpec, value: string | undefined): void {
  if (value === undefined) return;
  const max = spec.maxLength ?? MAX_INPUT_CHARS;
  if (value.length > max) {
    throw new InputError(
      spec.input,
      `${spec.input} is ${value.length} characters long; at most ${max} are allowed.`,
      `Check what is passed to ${spec.input}: no real value is that long.`,
    );
  }
  const oneLineKinds = ['text', 'boolean', 'integer', 'url', 'path'];
  if (oneLineKinds.includes(spec.kind) && CONTROL.test(value)) throw lineBreak(spec.input);
}

function lineBreak(input: string): InputError {
  return new InputError(
    input,
    `${input} holds a line break or another control character.`,
    `Pass ${input} on one line, without control characters.`,
  );
}

function minifiedJson(value: string, refuse: () => never): string {
  try {
    return JSON.stringify(JSON.parse(value));
  } catch {
    return refuse();
  }
}

const TRUE = ['true', 'True', 'TRUE'];
const FALSE = ['false', 'False', 'FALSE'];

function parseBoolean(raw: RawInputs, name: string, fallback?: boolean): boolean | undefined {
  const value = raw[name]?.trim();
  if (!value) return fallback;
  if (TRUE.includes(value)) return true;
  if (FALSE.includes(value)) return false;
  throw new InputError(
    name,
    `${name} is "${value}", which is not a boolean.`,
    `Use one of ${[...TRUE, ...FALSE].join(', ')}.`,
  );
}

function parseInteger(raw: RawInputs, name: string, fallback: number, min: number, max: number): number {
  const value = raw[name]?.trim();
  if (!value) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new InputError(name, `${name} is "${value}".`, `Use a whole number from ${min} to ${max}.`);
  }
  return n;
}

function checkUrl(name: string, value: string, userInfo: boolean): void {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  // The value may hold a proxy password: name the input, never echo it.
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || /[\r\n]/.test(value)) {
    throw new InputError(
      name,
      `${name} is not an http(s) URL on one line.`,
      'Use a URL such as https://host:port (with user:password@ before the host if the proxy needs it).',
    );
  }
  if (!userInfo && (url.username || url.password)) {
    throw new InputError(
      name,
      `${name} holds a user name or password.`,
      `Give ${name} without user:password@.`,
    );
  }
}

function splitList(value: string | undefined, separator: RegExp): string[] {
  if (!value) return [];
  return value
    .split(separator)
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}
