// Issue 11: seeded fuzzing (bounded iterations) of every input and of the STS and OIDC answer
// parsers. Whatever comes in: an answer or a refusal within the call bound, never an unmasked
// secret, never a printed line the runner would take for a command.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realSts } from '../../src/aws/sts.js';
import { CALL_TIMEOUT_MS, setDeadline } from '../../src/common/deadline.js';
import { printable, secret } from '../../src/common/log.js';
import { INPUT_NAMES } from '../../src/inputs/names.js';
import { parseSettings } from '../../src/inputs/settings.js';
import { explain } from '../../src/report/diagnostics.js';
import { tokenFrom } from '../../src/tokens/oidc-request.js';

/** mulberry32: the same cases on every run. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SECRET = 'fuzzSecretKey0123456789abcdefghijklmnopq';
const PIECES = [
  '\n',
  '\r',
  '\r\n',
  '::',
  '::warning::x',
  '::add-mask::',
  '##[',
  ' #',
  ' ;',
  '%0A',
  '"',
  '<',
  '>',
  '&',
  '{',
  '}',
  'é',
  '\u0000',
  '\u2028',
  'arn:aws:iam::111111111111:role/R',
  '123456789012',
  ' ',
  'a',
  '0',
  SECRET,
];

function randomText(random: () => number, maxPieces = 12): string {
  const n = Math.floor(random() * maxPieces);
  let out = '';
  for (let i = 0; i < n; i++) {
    out +=
      random() < 0.5
        ? (PIECES[Math.floor(random() * PIECES.length)] ?? '')
        : String.fromCharCode(32 + Math.floor(random() * 95));
  }
  if (random() < 0.05) out += 'x'.repeat(Math.floor(random() * 200_000));
  return out;
}

/** No line the runner would run as a command, and not the secret. */
function expectSafe(text: string): void {
  const shown = printable(text);
  expect(shown.split(/\r\n|\r|\n/).filter((line) => /^\s*(::|##\[)/.test(line))).toEqual([]);
  expect(shown).not.toContain(SECRET);
  expect(shown.length).toBeLessThan(5000);
}

describe('fuzzed inputs', () => {
  it('500 random input sets: parsed or refused, and any message is safe', () => {
    secret(SECRET);
    const random = prng(11);
    for (let i = 0; i < 500; i++) {
      const raw: Record<string, string> = { 'aws-region': 'us-east-1', 'aws-secret-access-key': SECRET };
      for (let k = 0; k < 3; k++) {
        const name = INPUT_NAMES[Math.floor(random() * INPUT_NAMES.length)] ?? 'audience';
        raw[name] = randomText(random);
      }
      try {
        parseSettings(raw, {});
      } catch (error) {
        expectSafe(explain(error).describe());
        expectSafe(explain(error).title);
      }
    }
  });
});

describe('fuzzed OIDC answers', () => {
  it('1000 random answers: a JWT or an OidcRequestError, safe to print', () => {
    const random = prng(12);
    for (let i = 0; i < 1000; i++) {
      const status =
        [200, 200, 302, 400, 403, 500, Math.floor(random() * 600)][Math.floor(random() * 7)] ?? 200;
      const body =
        random() < 0.5
          ? JSON.stringify({ value: randomText(random), message: randomText(random) })
          : randomText(random);
      try {
        const token = tokenFrom({ status, body });
        expect(token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]*$/);
      } catch (error) {
        expectSafe(explain(error).describe());
      }
    }
  });
});

describe('fuzzed STS answers', () => {
  let server: Server;
  let endpoint = '';
  let next: { status: number; body: string } = { status: 200, body: '' };
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      res.writeHead(next.status, { 'Content-Type': 'text/xml' }).end(next.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    endpoint = typeof address === 'object' && address ? `http://127.0.0.1:${address.port}` : '';
    setDeadline(undefined);
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('60 random answers through the real client: settled within the call bound, safe to print', async () => {
    const random = prng(13);
    const sts = realSts({ region: 'us-east-1', endpoint });
    for (let i = 0; i < 60; i++) {
      const status = [200, 400, 403, 500, 502][Math.floor(random() * 5)] ?? 200;
      const field = randomText(random);
      const body =
        random() < 0.6
          ? status === 200
            ? `<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>${field}</AccessKeyId><SecretAccessKey>${SECRET}</SecretAccessKey><SessionToken>t</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser><Arn>${randomText(random)}</Arn><AssumedRoleId>x</AssumedRoleId></AssumedRoleUser></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>`
            : `<ErrorResponse><Error><Type>Sender</Type><Code>${field}</Code><Message>${randomText(random)}${SECRET}</Message></Error></ErrorResponse>`
          : randomText(random);
      next = { status, body };
      const started = Date.now();
      try {
        const credentials = await sts.assumeRoleWithWebIdentity({
          roleArn: 'arn:aws:iam::111111111111:role/R',
          sessionName: 's1',
          durationSeconds: 900,
          webIdentityToken: 'a.b.c',
        });
        // Accepted answers carry no line break anywhere the action would print or write.
        expect(`${credentials.arn ?? ''}${credentials.accessKeyId}`).not.toMatch(/[\r\n]/);
      } catch (error) {
        expectSafe(explain(error).describe());
        expectSafe(explain(error).title);
      }
      expect(Date.now() - started).toBeLessThan(CALL_TIMEOUT_MS + 2000);
    }
  }, 120_000);
});
