// AWS Signature Version 4 verification, written from the published spec
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html).
// Deliberately independent of the AWS SDK's signer so that agreement between the
// two (and with botocore via the AWS CLI) is evidence, not tautology.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const ALGORITHM = 'AWS4-HMAC-SHA256';

/** What the verifier needs to know about an incoming HTTP request. */
export interface SigV4Request {
  method: string;
  /** The path as received on the wire (still percent-encoded), without the query. */
  rawPath: string;
  /** The raw query string (without '?'), as received. */
  rawQuery: string;
  /** Lower-case header name -> every value, in arrival order. */
  headers: Map<string, string[]>;
  body: Buffer;
}

export interface ParsedAuth {
  source: 'header' | 'query';
  accessKeyId: string;
  /** Credential scope parts. */
  scopeDate: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
  /** The request timestamp in ISO-8601 basic format, e.g. 20150830T123600Z. */
  amzDate: string;
  securityToken?: string;
  /** X-Amz-Expires for presigned (query) requests. */
  expiresSeconds?: number;
}

/** A request that carries SigV4 material but in a malformed way. */
export class MalformedAuthError extends Error {}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** RFC 3986 percent-encoding: everything except A-Z a-z 0-9 - _ . ~ is encoded. */
export function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function headerValue(headers: Map<string, string[]>, name: string): string | undefined {
  const v = headers.get(name);
  return v === undefined ? undefined : v.join(',');
}

/** Canonical URI for non-S3 services: normalise dot segments, then encode the wire path once more. */
export function canonicalUri(rawPath: string): string {
  const segments: string[] = [];
  for (const seg of rawPath.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') segments.pop();
    else segments.push(seg);
  }
  const normalized = `${rawPath.startsWith('/') ? '/' : ''}${segments.join('/')}${
    segments.length > 0 && rawPath.endsWith('/') ? '/' : ''
  }`;
  return uriEncode(normalized || '/').replace(/%2F/g, '/');
}

/** Parses a raw query string into decoded [key, value] pairs (a '+' is kept literally). */
export function parseRawQuery(rawQuery: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const k = eq < 0 ? part : part.slice(0, eq);
    const v = eq < 0 ? '' : part.slice(eq + 1);
    out.push([safeDecode(k), safeDecode(v)]);
  }
  return out;
}

export function canonicalQuery(pairs: Array<[string, string]>, exclude: string[] = []): string {
  const encoded = pairs
    .filter(([k]) => !exclude.includes(k))
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const);
  encoded.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return encoded.map(([k, v]) => `${k}=${v}`).join('&');
}

export function canonicalHeaders(headers: Map<string, string[]>, signedHeaders: string[]): string {
  return signedHeaders
    .map((name) => {
      const values = (headers.get(name) ?? []).map((v) => v.trim().replace(/\s+/g, ' '));
      return `${name}:${values.join(',')}\n`;
    })
    .join('');
}

export function canonicalRequest(
  req: SigV4Request,
  auth: Pick<ParsedAuth, 'source' | 'signedHeaders'>,
): string {
  const excluded = auth.source === 'query' ? ['X-Amz-Signature'] : [];
  const payloadHash = headerValue(req.headers, 'x-amz-content-sha256') ?? sha256Hex(req.body);
  return [
    req.method.toUpperCase(),
    canonicalUri(req.rawPath),
    canonicalQuery(parseRawQuery(req.rawQuery), excluded),
    canonicalHeaders(req.headers, auth.signedHeaders),
    auth.signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
}

export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return [ALGORITHM, amzDate, scope, sha256Hex(canonical)].join('\n');
}

export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const kDate = hmac(`AWS4${secret}`, date);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  return hmac(kService, 'aws4_request');
}

export function signature(key: Buffer, toSign: string): string {
  return createHmac('sha256', key).update(toSign, 'utf8').digest('hex');
}

/** Converts an RFC 1123 `Date` header into ISO-8601 basic format. */
function basicDateFromHttpDate(value: string): string | undefined {
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : toAmzDate(ms);
}

function parseCredential(
  credential: string,
): Pick<ParsedAuth, 'accessKeyId' | 'scopeDate' | 'region' | 'service'> {
  const parts = credential.split('/');
  const [accessKeyId, scopeDate, region, service, terminator] = parts;
  if (
    parts.length !== 5 ||
    !accessKeyId ||
    !scopeDate ||
    !region ||
    !service ||
    terminator !== 'aws4_request'
  ) {
    throw new MalformedAuthError(
      `Credential should be scoped to a valid region, not '${region ?? ''}'. Credential is malformed.`,
    );
  }
  return { accessKeyId, scopeDate, region, service };
}

/**
 * Extracts SigV4 material from the Authorization header or the query string.
 * Returns undefined when the request carries no signature at all.
 */
export function parseAuth(req: SigV4Request): ParsedAuth | undefined {
  const authz = headerValue(req.headers, 'authorization');
  const query = new Map(parseRawQuery(req.rawQuery));
  if (authz !== undefined) {
    const space = authz.indexOf(' ');
    const algorithm = space < 0 ? authz : authz.slice(0, space);
    if (algorithm !== ALGORITHM) {
      throw new MalformedAuthError(`Unsupported AWS 'algorithm': '${algorithm}'`);
    }
    const fields = new Map<string, string>();
    for (const piece of authz.slice(space + 1).split(',')) {
      const eq = piece.indexOf('=');
      if (eq > 0) fields.set(piece.slice(0, eq).trim(), piece.slice(eq + 1).trim());
    }
    const missing = ['Credential', 'SignedHeaders', 'Signature'].filter((f) => !fields.get(f));
    if (missing.length > 0) {
      throw new MalformedAuthError(
        missing.map((f) => `Authorization header requires '${f}' parameter.`).join(' '),
      );
    }
    const amzDate =
      headerValue(req.headers, 'x-amz-date') ?? basicDateFromHttpDate(headerValue(req.headers, 'date') ?? '');
    if (!amzDate) {
      throw new MalformedAuthError(
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
      );
    }
    return {
      source: 'header',
      ...parseCredential(fields.get('Credential') ?? ''),
      signedHeaders: (fields.get('SignedHeaders') ?? '').split(';'),
      signature: fields.get('Signature') ?? '',
      amzDate,
      securityToken: headerValue(req.headers, 'x-amz-security-token'),
    };
  }
  if (query.has('X-Amz-Algorithm') || query.has('X-Amz-Signature')) {
    if (query.get('X-Amz-Algorithm') !== ALGORITHM) {
      throw new MalformedAuthError(`Unsupported AWS 'algorithm': '${query.get('X-Amz-Algorithm') ?? ''}'`);
    }
    const missing = ['X-Amz-Credential', 'X-Amz-SignedHeaders', 'X-Amz-Signature', 'X-Amz-Date'].filter(
      (f) => !query.get(f),
    );
    if (missing.length > 0) {
      throw new MalformedAuthError(
        missing.map((f) => `Query-string authentication requires the ${f} parameter.`).join(' '),
      );
    }
    const expires = query.get('X-Amz-Expires');
    return {
      source: 'query',
      ...parseCredential(query.get('X-Amz-Credential') ?? ''),
      signedHeaders: (query.get('X-Amz-SignedHeaders') ?? '').split(';'),
      signature: query.get('X-Amz-Signature') ?? '',
      amzDate: query.get('X-Amz-Date') ?? '',
      securityToken: query.get('X-Amz-Security-Token'),
      expiresSeconds: expires === undefined ? undefined : Number(expires),
    };
  }
  return undefined;
}

export interface VerifyResult {
  ok: boolean;
  /** Why it failed; never contains key material. */
  reason?: string;
}

/** Recomputes the signature with `secret` and compares it in constant time. */
export function verifySignature(req: SigV4Request, auth: ParsedAuth, secret: string): VerifyResult {
  if (!auth.signedHeaders.includes('host')) {
    return { ok: false, reason: "'Host' must be a 'SignedHeader' in the AWS Authorization." };
  }
  const canonical = canonicalRequest(req, auth);
  const scope = `${auth.scopeDate}/${auth.region}/${auth.service}/aws4_request`;
  const expected = signature(
    signingKey(secret, auth.scopeDate, auth.region, auth.service),
    stringToSign(auth.amzDate, scope, canonical),
  );
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(auth.signature, 'utf8');
  if (a.length === b.length && timingSafeEqual(a, b)) return { ok: true };
  return { ok: false, reason: `signature mismatch; canonical request sha256 ${sha256Hex(canonical)}` };
}

/** Parses ISO-8601 basic format (20150830T123600Z) into ms since the epoch. */
export function parseAmzDate(amzDate: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m;
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
}

export function toAmzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}
