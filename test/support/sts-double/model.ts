// Shared model of the STS double: errors, identities, sessions and small helpers.
import { createHash, randomInt, timingSafeEqual } from 'node:crypto';
import type { RecordedCall } from './types.js';

/** An STS error response. */
export class StsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export interface Identity {
  arn: string;
  userId: string;
  account: string;
  /** Set for assumed-role sessions. */
  roleArn?: string;
  transitiveTags: Record<string, string>;
}

/** Temporary credentials the double issued, keyed by access key id. */
export interface Session {
  secretAccessKey: string;
  sessionToken: string;
  /** ms since the epoch. */
  expiration: number;
  identity: Identity;
}

export interface AuthOutcome {
  auth: RecordedCall['auth'];
  region?: string;
  signedBy?: string;
  signatureError?: string;
  identity?: Identity;
  /** Why the caller may not use a signed-only action. */
  error?: StsError;
}

export const ACCOUNT_IN_ARN = /^arn:aws[\w-]*:(?:iam|sts)::(\d{12}):/;
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export function randomAlnum(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALNUM[randomInt(ALNUM.length)];
  return s;
}

/** A stable IAM-style unique id (prefix + 17 chars) derived from an ARN. */
export function stableId(prefix: string, arn: string): string {
  const digest = createHash('sha256').update(arn).digest();
  let s = prefix;
  for (let i = 0; i < 17; i++) s += ALNUM[(digest[i] ?? 0) % ALNUM.length];
  return s;
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
