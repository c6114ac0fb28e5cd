/**
 * The one way this action prints anything. Every line is capped, scrubbed of the secrets this
 * process has registered, and can never become a workflow command: text from outside (an STS error,
 * an input, a stack trace) could otherwise start a line with `::add-mask::` or `::stop-commands::`.
 */
import * as core from '@actions/core';

/** The longest message printed: a 10 MB error text from a server is cut to this. */
export const MAX_MESSAGE_CHARS = 4096;
/** Annotation titles are one short line. */
export const MAX_TITLE_CHARS = 200;

const secrets = new Set<string>();

/** A secret this action handles: masked by the runner, and scrubbed from whatever this process prints. */
export function secret(value: string | undefined): void {
  if (!value) return;
  core.setSecret(value);
  // Shorter values are masked by the runner but not scrubbed here, where they would garble text.
  if (value.length >= 4) secrets.add(value);
}

/** Pure: `value` with CR and LF shown as \r and \n, so that outside text stays on its line. */
export function oneLine(value: string): string {
  return value.replace(/\r/g, '\\r').replace(/\n/g, '\\n');
}

/** Pure: `text` cut to `max` characters, saying how much was cut. */
export function cap(text: string, max = MAX_MESSAGE_CHARS): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… (${text.length - max} more characters not shown)`;
}

// A JWT (header.payload.signature, base64url): the OIDC token, whether or not this process saw it.
const JWT = /eyJ[\w-]{4,}\.eyJ[\w-]{4,}\.[\w-]*/g;

/** `text` without any registered secret or JWT. */
export function scrub(text: string): string {
  let out = text.replace(JWT, '***');
  for (const value of secrets) out = out.split(value).join('***');
  return out;
}

/**
 * Pure: lines that the runner cannot take for a command: a line starting (after spaces) with `::`
 * or `##[` is shown with a leading `| `.
 */
export function inert(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => (/^\s*(?::|##\[)/.test(line) ? `| ${line}` : line))
    .join('\n');
}

/** Pure plus scrub: what any message becomes before it is printed. */
export function printable(text: string, max = MAX_MESSAGE_CHARS): string {
  return inert(cap(scrub(text), max));
}

export type Level = 'info' | 'notice' | 'warning' | 'error';

/** Prints one message; annotations are escaped by @actions/core, plain lines made inert here. */
export function log(level: Level, message: string, title?: string): void {
  const text = printable(message);
  const properties = title === undefined ? {} : { title: oneLine(cap(scrub(title), MAX_TITLE_CHARS)) };
  if (level === 'info') core.info(text);
  else if (level === 'notice') core.notice(text, properties);
  else if (level === 'warning') core.warning(text, properties);
  else core.error(text, properties);
}
