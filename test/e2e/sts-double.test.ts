// Tests for the local STS double. Expected values come from the test's own inputs, from AWS's
// published SigV4 examples, or from independent clients (AWS CLI/botocore, @aws-sdk/client-sts).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AssumeRoleCommand,
  AssumeRoleWithWebIdentityCommand,
  GetCallerIdentityCommand,
  STSClient,
} from '@aws-sdk/client-sts';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  canonicalHeaders,
  canonicalQuery,
  canonicalRequest,
  parseRawQuery,
  signature,
  signingKey,
  stringToSign,
} from '../support/sts-double/sigv4.js';
import { listParam, type StsDouble, startStsDouble, tagsOf } from '../support/sts-double.js';

const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const ROLE_ACCOUNT = '111111111111';
const ROLE_ARN = `arn:aws:iam::${ROLE_ACCOUNT}:role/RoleA`;
const USER_ACCOUNT = '123456789012';
const USER_ARN = `arn:aws:iam::${USER_ACCOUNT}:user/ci-bot`;
const USER = {
  accessKeyId: 'AKIAIOSFODNN7STSDBL1',
  // Contains '/' and '+' on purpose: both must survive the signing-key derivation.
  secretAccessKey: `wJalrXUtnFEMI/K7MDENG+${randomBytes(12).toString('hex').slice(0, 18)}`,
  arn: USER_ARN,
};
const SUB = 'repo:octo-org/octo-repo:ref:refs/heads/main';

/** A hand-made unsigned JWT: base64url(JSON header).base64url(JSON payload).junk */
function jwt(claims: Record<string, unknown>): string {
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${enc({ alg: 'RS256', typ: 'JWT' })}.${enc(claims)}.${Buffer.from('not-a-signature').toString('base64url')}`;
}

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: 'https://token.actions.githubusercontent.com',
    aud: 'sts.amazonaws.com',
    sub: SUB,
    iat: now,
    exp: now + 300,
    ...overrides,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

interface Failure {
  name: string;
  message: string;
  status?: number;
}

async function failure(p: Promise<unknown>): Promise<Failure> {
  try {
    await p;
  } catch (e) {
    const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
    return { name: err.name ?? '', message: err.message ?? '', status: err.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail, but it succeeded');
}

function postForm(endpoint: string, form: Record<string, string>): Promise<Response> {
  return fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: new URLSearchParams(form).toString(),
    signal: AbortSignal.timeout(10_000),
  });
}

function tag(xml: string, name: string): string | undefined {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];
}

// ---------------------------------------------------------------------------------------------
describe('SigV4 primitives against AWS published examples', () => {
  // https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html (IAM ListUsers example)
  it('reproduces the documented canonical request hash and signature', () => {
    const headers = new Map([
      ['content-type', ['application/x-www-form-urlencoded; charset=utf-8']],
      ['host', ['iam.amazonaws.com']],
      ['x-amz-date', ['20150830T123600Z']],
    ]);
    const req = {
      method: 'GET',
      rawPath: '/',
      rawQuery: 'Action=ListUsers&Version=2010-05-08',
      headers,
      body: Buffer.alloc(0),
    };
    const canonical = canonicalRequest(req, {
      source: 'header',
      signedHeaders: ['content-type', 'host', 'x-amz-date'],
    });
    const toSign = stringToSign('20150830T123600Z', '20150830/us-east-1/iam/aws4_request', canonical);
    expect(toSign.split('\n')[3]).toBe('f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59');
    const key = signingKey('wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', '20150830', 'us-east-1', 'iam');
    expect(signature(key, toSign)).toBe('5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7');
  });

  it('canonical headers: trimmed, inner whitespace collapsed, repeated headers comma-joined', () => {
    const headers = new Map([
      ['my-header1', ['  a   b   c  ']],
      ['x-multi', ['v1', ' v2 ']],
    ]);
    expect(canonicalHeaders(headers, ['my-header1', 'x-multi'])).toBe('my-header1:a b c\nx-multi:v1,v2\n');
  });

  it('sorts and re-encodes the canonical query per RFC 3986', () => {
    expect(canonicalQuery(parseRawQuery('b=2&a=%20x&a=1&c=~%2A'))).toBe('a=%20x&a=1&b=2&c=~%2A');
  });
});

// ---------------------------------------------------------------------------------------------
describe('STS double', () => {
  let double: StsDouble;
  const sts = (credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) =>
    new STSClient({ region: 'us-east-1', endpoint: double.endpoint, maxAttempts: 1, credentials });
  const webIdentity = (over: Record<string, unknown> = {}, params: Record<string, unknown> = {}) =>
    sts().send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: ROLE_ARN,
        RoleSessionName: 'gha-run',
        WebIdentityToken: jwt(claims(over)),
        ...params,
      }),
    );

  beforeEach(async () => {
    double = await startStsDouble();
    double.addUser(USER);
    double.addRole({
      arn: ROLE_ARN,
      trust: { sub: ['repo:octo-org/octo-repo:*'], aud: ['sts.amazonaws.com'] },
      maxSessionDuration: 7200,
    });
  });
  afterEach(async () => {
    await double.stop();
  });

  // ---- AWS CLI (botocore's signer) -------------------------------------------------------------
  describe('with the real AWS CLI', () => {
    let home: string;
    beforeAll(() => {
      home = mkdtempSync(join(tmpdir(), 'sts-double-cli-'));
    });
    afterAll(() => {
      rmSync(home, { recursive: true, force: true });
    });

    function aws(args: string[], env: Record<string, string> = {}) {
      const cleanEnv: Record<string, string> = {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: home,
        PYENV_ROOT: process.env.PYENV_ROOT ?? '/root/.pyenv',
        AWS_CONFIG_FILE: join(home, 'no-config'),
        AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'),
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_PAGER: '',
        ...env,
      };
      const fullArgs = [
        ...args,
        '--endpoint-url',
        double.endpoint,
        '--region',
        'us-east-1',
        '--output',
        'json',
      ];
      return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          'aws',
          fullArgs,
          { env: cleanEnv, timeout: 60_000, encoding: 'utf8' },
          (err, stdout, stderr) => {
            const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
            resolve({ code, stdout, stderr });
          },
        );
      });
    }
    const userEnv = { AWS_ACCESS_KEY_ID: USER.accessKeyId, AWS_SECRET_ACCESS_KEY: USER.secretAccessKey };

    it('get-caller-identity signed by botocore resolves to the added user', async () => {
      const r = await aws(['sts', 'get-caller-identity'], userEnv);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const out = JSON.parse(r.stdout) as { Arn: string; Account: string; UserId: string };
      expect(out.Arn).toBe(USER_ARN);
      expect(out.Account).toBe(USER_ACCOUNT);
      expect(out.UserId).toMatch(/^AIDA[A-Z0-9]{17}$/);
      expect(double.calls).toHaveLength(1);
      expect(double.calls[0]).toMatchObject({
        action: 'GetCallerIdentity',
        auth: 'header',
        signedBy: USER.accessKeyId,
        region: 'us-east-1',
        status: 200,
      });
      expect(double.calls[0]?.signatureError).toBeUndefined();
    });

    it('a wrong secret gives SignatureDoesNotMatch', async () => {
      const r = await aws(['sts', 'get-caller-identity'], {
        ...userEnv,
        AWS_SECRET_ACCESS_KEY: `${USER.secretAccessKey.slice(0, -1)}X`,
      });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('SignatureDoesNotMatch');
      expect(double.calls[0]).toMatchObject({ status: 403, errorCode: 'SignatureDoesNotMatch' });
      expect(double.calls[0]?.signedBy).toBeUndefined();
      expect(double.calls[0]?.signatureError).toMatch(/mismatch/);
    });

    it('an unknown access key gives InvalidClientTokenId', async () => {
      const r = await aws(['sts', 'get-caller-identity'], {
        ...userEnv,
        AWS_ACCESS_KEY_ID: 'AKIAUNKNOWNKEY000000',
      });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('InvalidClientTokenId');
    });

    it('assume-role-with-web-identity (unsigned), then session credentials sign get-caller-identity', async () => {
      const r1 = await aws([
        'sts',
        'assume-role-with-web-identity',
        '--role-arn',
        ROLE_ARN,
        '--role-session-name',
        'cli-session',
        '--web-identity-token',
        jwt(claims()),
      ]);
      expect(r1.code).toBe(0);
      expect(double.calls[0]).toMatchObject({
        action: 'AssumeRoleWithWebIdentity',
        auth: 'none',
        status: 200,
      });
      const creds = (
        JSON.parse(r1.stdout) as {
          Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
        }
      ).Credentials;
      const r2 = await aws(['sts', 'get-caller-identity'], {
        AWS_ACCESS_KEY_ID: creds.AccessKeyId,
        AWS_SECRET_ACCESS_KEY: creds.SecretAccessKey,
        AWS_SESSION_TOKEN: creds.SessionToken,
      });
      expect(r2.code).toBe(0);
      expect((JSON.parse(r2.stdout) as { Arn: string }).Arn).toBe(
        `arn:aws:sts::${ROLE_ACCOUNT}:assumed-role/RoleA/cli-session`,
      );
      expect(double.calls[1]?.signedBy).toBe(creds.AccessKeyId);
    });

    it('assume-role records the tags, external id and policy ARNs botocore sent', async () => {
      double.addRole({
        arn: `arn:aws:iam::${ROLE_ACCOUNT}:role/deploy/RoleB`,
        principals: [USER_ARN],
        externalId: 'ext-42',
      });
      const r = await aws(
        [
          'sts',
          'assume-role',
          '--role-arn',
          `arn:aws:iam::${ROLE_ACCOUNT}:role/deploy/RoleB`,
          '--role-session-name',
          'tagged',
          '--external-id',
          'ext-42',
          '--tags',
          'Key=team,Value=platform',
          'Key=env,Value=prod west',
          '--transitive-tag-keys',
          'team',
          '--policy-arns',
          'arn=arn:aws:iam::aws:policy/ReadOnlyAccess',
        ],
        userEnv,
      );
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const call = double.calls[0];
      if (!call) throw new Error('no call recorded');
      expect(call.signedBy).toBe(USER.accessKeyId);
      expect(tagsOf(call)).toEqual({ team: 'platform', env: 'prod west' });
      expect(call.params.ExternalId).toBe('ext-42');
      expect(listParam(call, 'TransitiveTagKeys.member')).toEqual(['team']);
      expect(listParam(call, 'PolicyArns.member', 'arn')).toEqual(['arn:aws:iam::aws:policy/ReadOnlyAccess']);
      const out = JSON.parse(r.stdout) as { AssumedRoleUser: { Arn: string }; PackedPolicySize: number };
      // The path is not part of the assumed-role ARN.
      expect(out.AssumedRoleUser.Arn).toBe(`arn:aws:sts::${ROLE_ACCOUNT}:assumed-role/RoleB/tagged`);
      expect(typeof out.PackedPolicySize).toBe('number');
    });

    it('accepts a botocore-presigned GET (query-string SigV4)', async () => {
      const script = [
        'import botocore.session, sys',
        "c = botocore.session.get_session().create_client('sts', region_name='eu-west-1', endpoint_url=sys.argv[1])",
        "print(c.generate_presigned_url('get_caller_identity', Params={}, ExpiresIn=60, HttpMethod='GET'))",
      ].join('\n');
      const url = await new Promise<string>((resolve, reject) => {
        execFile(
          'python',
          ['-c', script, double.endpoint],
          {
            env: {
              PATH: process.env.PATH ?? '',
              HOME: home,
              PYENV_ROOT: process.env.PYENV_ROOT ?? '/root/.pyenv',
              ...userEnv,
            },
            timeout: 60_000,
            encoding: 'utf8',
          },
          (err, stdout) =>
            err ? reject(new Error(`python presign failed: ${err.message}`)) : resolve(stdout.trim()),
        );
      });
      const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      const xml = await res.text();
      expect(res.status).toBe(200);
      expect(tag(xml, 'Arn')).toBe(USER_ARN);
      expect(double.calls[0]).toMatchObject({
        auth: 'query',
        signedBy: USER.accessKeyId,
        region: 'eu-west-1',
      });
    });
  });

  // ---- @aws-sdk/client-sts ----------------------------------------------------------------------
  describe('AssumeRoleWithWebIdentity via @aws-sdk/client-sts', () => {
    it('issues well-formed credentials that then authenticate GetCallerIdentity as the assumed role', async () => {
      const before = Date.now();
      const out = await webIdentity({}, { DurationSeconds: 1800 });
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration)
        throw new Error('no credentials');
      expect(c.AccessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
      expect(c.SecretAccessKey).toHaveLength(40);
      expect(c.SessionToken.length).toBeGreaterThan(400);
      const expiresIn = c.Expiration.getTime() - before;
      expect(expiresIn).toBeGreaterThan(1795_000);
      expect(expiresIn).toBeLessThanOrEqual(1801_000);
      expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${ROLE_ACCOUNT}:assumed-role/RoleA/gha-run`);
      expect(out.AssumedRoleUser?.AssumedRoleId).toMatch(/^AROA[A-Z0-9]{17}:gha-run$/);
      expect(out.SubjectFromWebIdentityToken).toBe(SUB);
      expect(out.Audience).toBe('sts.amazonaws.com');
      expect(out.Provider).toBe(
        `arn:aws:iam::${ROLE_ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
      );
      expect(double.calls[0]).toMatchObject({
        action: 'AssumeRoleWithWebIdentity',
        auth: 'none',
        status: 200,
      });
      expect(double.calls[0]?.params.DurationSeconds).toBe('1800');

      const who = await sts({
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.SessionToken,
      }).send(new GetCallerIdentityCommand({}));
      expect(who.Arn).toBe(`arn:aws:sts::${ROLE_ACCOUNT}:assumed-role/RoleA/gha-run`);
      expect(who.Account).toBe(ROLE_ACCOUNT);
      expect(who.UserId).toBe(out.AssumedRoleUser?.AssumedRoleId);
      expect(double.calls[1]).toMatchObject({ signedBy: c.AccessKeyId, status: 200 });
      expect(
        double.checkCredentials({
          accessKeyId: c.AccessKeyId,
          secretAccessKey: c.SecretAccessKey,
          sessionToken: c.SessionToken,
        }),
      ).toBe('valid');
    });

    it('secrets are random base64: across several issues at least one has + or /', async () => {
      const secrets: string[] = [];
      for (let i = 0; i < 16; i++) secrets.push((await webIdentity()).Credentials?.SecretAccessKey ?? '');
      for (const s of secrets) expect(s).toMatch(/^[A-Za-z0-9+/]{40}$/);
      expect(new Set(secrets).size).toBe(16);
      // P(no '+' or '/' in 16 x 40 random base64 chars) = (62/64)^640 ~ 2e-9.
      expect(secrets.some((s) => /[+/]/.test(s))).toBe(true);
    });

    it('trust mismatch (sub or aud) is AccessDenied 403', async () => {
      const bySub = await failure(webIdentity({ sub: 'repo:evil-org/octo-repo:ref:refs/heads/main' }));
      expect(bySub).toEqual({
        name: 'AccessDenied',
        message: 'Not authorized to perform sts:AssumeRoleWithWebIdentity',
        status: 403,
      });
      const byAud = await failure(webIdentity({ aud: 'something-else' }));
      expect(byAud.name).toBe('AccessDenied');
      const unknownRole = await failure(
        webIdentity({}, { RoleArn: `arn:aws:iam::${ROLE_ACCOUNT}:role/DoesNotExist` }),
      );
      expect(unknownRole).toMatchObject({ name: 'AccessDenied', status: 403 });
    });

    it('StringLike wildcards in the trusted sub: * spans separators, ? is one character', async () => {
      double.addRole({
        arn: `arn:aws:iam::${ROLE_ACCOUNT}:role/Env`,
        trust: { sub: ['repo:o/r:environment:prod-?'] },
      });
      const env = { RoleArn: `arn:aws:iam::${ROLE_ACCOUNT}:role/Env` };
      await expect(webIdentity({ sub: 'repo:o/r:environment:prod-1' }, env)).resolves.toBeDefined();
      expect((await failure(webIdentity({ sub: 'repo:o/r:environment:prod-12' }, env))).name).toBe(
        'AccessDenied',
      );
      await expect(webIdentity({ sub: 'repo:octo-org/octo-repo:pull_request' })).resolves.toBeDefined();
    });

    it('scripted IDPCommunicationError is returned first, then normal behaviour', async () => {
      double.script('AssumeRoleWithWebIdentity', [
        { code: 'IDPCommunicationError', message: 'scripted: idp unreachable' },
      ]);
      const first = await failure(webIdentity());
      expect(first).toEqual({
        name: 'IDPCommunicationErrorException',
        message: 'scripted: idp unreachable',
        status: 400,
      });
      await expect(webIdentity()).resolves.toHaveProperty('Credentials');
      expect(double.calls.map((c) => [c.status, c.errorCode, c.fault])).toEqual([
        [400, 'IDPCommunicationError', 'IDPCommunicationError'],
        [200, undefined, undefined],
      ]);
    });

    it('scripted Throttling is retried by the SDK (the error shape is a real throttle)', async () => {
      double.script('AssumeRoleWithWebIdentity', [{ code: 'Throttling', message: 'Rate exceeded' }]);
      const client = new STSClient({ region: 'us-east-1', endpoint: double.endpoint, maxAttempts: 2 });
      await client.send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: ROLE_ARN,
          RoleSessionName: 'retry',
          WebIdentityToken: jwt(claims()),
        }),
      );
      expect(double.calls.map((c) => c.status)).toEqual([400, 200]);
    });

    it('token bucket: capacity 4, refill 4/s lets 4 of 6 immediate calls through, then refills', async () => {
      double.tokenBucket({ capacity: 4, refillPerSecond: 4 });
      const results = await Promise.allSettled(Array.from({ length: 6 }, () => webIdentity()));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(4);
      const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(rejected).toHaveLength(2);
      for (const r of rejected) {
        expect((r.reason as Error).name).toBe('IDPCommunicationErrorException');
        expect((r.reason as Error).message).toBe(
          "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements",
        );
      }
      await sleep(400); // >= 1 token at 4/s
      await expect(webIdentity()).resolves.toHaveProperty('Credentials');
    });

    it('an expired JWT is ExpiredTokenException naming both times', async () => {
      const exp = Math.floor(Date.now() / 1000) - 60;
      const f = await failure(webIdentity({ exp }));
      expect(f.name).toBe('ExpiredTokenException');
      expect(f.status).toBe(400);
      expect(f.message).toMatch(
        new RegExp(`^Token expired: current date/time \\d+ must be before the expiration date/time ${exp}$`),
      );
    });

    it('a token that is not three base64url JSON parts is InvalidIdentityToken', async () => {
      for (const bad of ['abcd.efgh', 'not a jwt at all', `${jwt(claims())}.extra`, 'e30.bm90LWpzb24.c2ln']) {
        const f = await failure(
          sts().send(
            new AssumeRoleWithWebIdentityCommand({
              RoleArn: ROLE_ARN,
              RoleSessionName: 's1',
              WebIdentityToken: bad,
            }),
          ),
        );
        expect(f.name).toBe('InvalidIdentityTokenException');
      }
    });

    it('provider and audience configuration give InvalidIdentityToken', async () => {
      double.setAudiences(['sts.amazonaws.com']);
      expect(await failure(webIdentity({ aud: 'other' }))).toMatchObject({
        name: 'InvalidIdentityTokenException',
        message: 'Incorrect token audience',
      });
      await expect(webIdentity({ aud: ['other', 'sts.amazonaws.com'] })).resolves.toBeDefined();
      double.setNoOidcProvider(true);
      expect(await failure(webIdentity())).toMatchObject({
        name: 'InvalidIdentityTokenException',
        message:
          'No OpenIDConnect provider found in your account for https://token.actions.githubusercontent.com',
      });
    });

    it('validates DurationSeconds and RoleSessionName', async () => {
      const tooLong = await failure(webIdentity({}, { DurationSeconds: 7201 }));
      expect(tooLong).toMatchObject({
        name: 'ValidationError',
        message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
      });
      const tooShort = await failure(webIdentity({}, { DurationSeconds: 899 }));
      expect(tooShort.name).toBe('ValidationError');
      expect(tooShort.message).toContain('durationSeconds');
      const badName = await failure(webIdentity({}, { RoleSessionName: 'has space' }));
      expect(badName.name).toBe('ValidationError');
      expect(badName.message).toContain('roleSessionName');
      await expect(webIdentity({}, { DurationSeconds: 7200 })).resolves.toBeDefined();
    });
  });

  // ---- Signed actions -----------------------------------------------------------------------
  describe('signed actions via @aws-sdk/client-sts', () => {
    const user = () => sts({ accessKeyId: USER.accessKeyId, secretAccessKey: USER.secretAccessKey });
    const assumeRoleB = (params: Record<string, unknown> = {}, client = user()) =>
      client.send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${ROLE_ACCOUNT}:role/RoleB`,
          RoleSessionName: 'chain',
          ...params,
        }),
      );
    beforeEach(() => {
      double.addRole({
        arn: `arn:aws:iam::${ROLE_ACCOUNT}:role/RoleB`,
        principals: [USER_ARN, ROLE_ARN],
        externalId: 'ext-1',
        maxPackedTags: 3,
        maxSessionDuration: 43200,
      });
    });

    it('AssumeRole records tags, ExternalId, PolicyArns, TransitiveTagKeys and SourceIdentity', async () => {
      const out = await assumeRoleB({
        ExternalId: 'ext-1',
        Tags: [
          { Key: 'team', Value: 'platform' },
          { Key: 'cost+center', Value: 'a/b=c' },
        ],
        TransitiveTagKeys: ['team'],
        PolicyArns: [
          { arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
          { arn: 'arn:aws:iam::aws:policy/Other' },
        ],
        SourceIdentity: 'octocat',
        DurationSeconds: 7200,
      });
      expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${ROLE_ACCOUNT}:assumed-role/RoleB/chain`);
      expect(out.SourceIdentity).toBe('octocat');
      expect(typeof out.PackedPolicySize).toBe('number');
      const call = double.calls[0];
      if (!call) throw new Error('no call recorded');
      expect(call).toMatchObject({ action: 'AssumeRole', signedBy: USER.accessKeyId, status: 200 });
      expect(tagsOf(call)).toEqual({ team: 'platform', 'cost+center': 'a/b=c' });
      expect(call.params.ExternalId).toBe('ext-1');
      expect(call.params.SourceIdentity).toBe('octocat');
      expect(call.params.DurationSeconds).toBe('7200');
      expect(listParam(call, 'PolicyArns.member', 'arn')).toEqual([
        'arn:aws:iam::aws:policy/ReadOnlyAccess',
        'arn:aws:iam::aws:policy/Other',
      ]);
      expect(listParam(call, 'TransitiveTagKeys.member')).toEqual(['team']);
      expect(double.issued.at(-1)).toMatchObject({
        roleArn: `arn:aws:iam::${ROLE_ACCOUNT}:role/RoleB`,
        sourceIdentity: 'octocat',
      });
    });

    it('enforces ExternalId and principals with the real AccessDenied message', async () => {
      const resource = `arn:aws:iam::${ROLE_ACCOUNT}:role/RoleB`;
      const noExt = await failure(assumeRoleB());
      expect(noExt).toEqual({
        name: 'AccessDenied',
        message: `User: ${USER_ARN} is not authorized to perform: sts:AssumeRole on resource: ${resource}`,
        status: 403,
      });
      expect((await failure(assumeRoleB({ ExternalId: 'ext-2' }))).name).toBe('AccessDenied');
      const other = {
        accessKeyId: 'AKIAOTHERUSER0000001',
        secretAccessKey: 'other-secret',
        arn: `arn:aws:iam::${USER_ACCOUNT}:user/other`,
      };
      double.addUser(other);
      const denied = await failure(assumeRoleB({ ExternalId: 'ext-1' }, sts(other)));
      expect(denied.message).toBe(
        `User: ${other.arn} is not authorized to perform: sts:AssumeRole on resource: ${resource}`,
      );
    });

    it('role chaining: a session of a trusted role may assume, but not for more than an hour', async () => {
      const first = await webIdentity();
      const c = first.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error('no credentials');
      const chained = sts({
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.SessionToken,
      });
      const long = await failure(assumeRoleB({ ExternalId: 'ext-1', DurationSeconds: 3601 }, chained));
      expect(long).toMatchObject({
        name: 'ValidationError',
        message:
          'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
      });
      const ok = await assumeRoleB({ ExternalId: 'ext-1', DurationSeconds: 3600 }, chained);
      expect(ok.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${ROLE_ACCOUNT}:assumed-role/RoleB/chain`);
    });

    it('more session tags than the role allows is PackedPolicyTooLarge', async () => {
      const Tags = ['a', 'b', 'c', 'd'].map((k) => ({ Key: k, Value: 'v' }));
      const f = await failure(assumeRoleB({ ExternalId: 'ext-1', Tags }));
      expect(f.name).toBe('PackedPolicyTooLargeException');
      const pct = Number(/^Packed policy consumes (\d+)% of allotted space/.exec(f.message)?.[1]);
      expect(pct).toBeGreaterThan(100);
      await expect(assumeRoleB({ ExternalId: 'ext-1', Tags: Tags.slice(0, 3) })).resolves.toBeDefined();
    });

    it('session credentials: expired -> ExpiredToken, wrong token or unknown key -> InvalidClientTokenId', async () => {
      double.setCredentialLifetime(0);
      const expired = (await webIdentity()).Credentials;
      if (!expired?.AccessKeyId || !expired.SecretAccessKey || !expired.SessionToken)
        throw new Error('no credentials');
      const asExpired = sts({
        accessKeyId: expired.AccessKeyId,
        secretAccessKey: expired.SecretAccessKey,
        sessionToken: expired.SessionToken,
      });
      expect(await failure(asExpired.send(new GetCallerIdentityCommand({})))).toEqual({
        name: 'ExpiredToken',
        message: 'The security token included in the request is expired',
        status: 400,
      });

      double.setCredentialLifetime(5);
      const before = Date.now();
      const fresh = (await webIdentity()).Credentials;
      if (!fresh?.AccessKeyId || !fresh.SecretAccessKey || !fresh.SessionToken)
        throw new Error('no credentials');
      expect(Math.abs((fresh.Expiration?.getTime() ?? 0) - (before + 5000))).toBeLessThan(2000);
      const wrongToken = sts({
        accessKeyId: fresh.AccessKeyId,
        secretAccessKey: fresh.SecretAccessKey,
        sessionToken: `${fresh.SessionToken.slice(0, -4)}AAAA`,
      });
      expect(await failure(wrongToken.send(new GetCallerIdentityCommand({})))).toEqual({
        name: 'InvalidClientTokenId',
        message: 'The security token included in the request is invalid.',
        status: 403,
      });
      const noToken = sts({ accessKeyId: fresh.AccessKeyId, secretAccessKey: fresh.SecretAccessKey });
      expect((await failure(noToken.send(new GetCallerIdentityCommand({})))).name).toBe(
        'InvalidClientTokenId',
      );
      const unknown = sts({
        accessKeyId: 'ASIAUNKNOWN000000000',
        secretAccessKey: 'x'.repeat(40),
        sessionToken: 't',
      });
      expect((await failure(unknown.send(new GetCallerIdentityCommand({})))).name).toBe(
        'InvalidClientTokenId',
      );
    });

    it('a wrong secret via the SDK is SignatureDoesNotMatch; unsigned is MissingAuthenticationToken', async () => {
      const wrong = sts({ accessKeyId: USER.accessKeyId, secretAccessKey: 'definitely-not-the-secret' });
      expect(await failure(wrong.send(new GetCallerIdentityCommand({})))).toMatchObject({
        name: 'SignatureDoesNotMatch',
        status: 403,
      });
      const res = await postForm(double.endpoint, { Action: 'GetCallerIdentity', Version: '2011-06-15' });
      expect(res.status).toBe(403);
      expect(tag(await res.text(), 'Code')).toBe('MissingAuthenticationToken');
      expect(double.calls.at(-1)?.auth).toBe('none');
    });
  });

  // ---- Raw HTTP: wire shapes and transport faults --------------------------------------------
  describe('wire format and transport faults', () => {
    it('success XML has the STS namespace, result/metadata shape and a matching x-amzn-RequestId', async () => {
      const res = await postForm(double.endpoint, {
        Action: 'AssumeRoleWithWebIdentity',
        Version: '2011-06-15',
        RoleArn: ROLE_ARN,
        RoleSessionName: 'raw',
        WebIdentityToken: jwt(claims()),
      });
      const xml = await res.text();
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/xml');
      expect(xml).toMatch(
        new RegExp(
          `^<AssumeRoleWithWebIdentityResponse xmlns="${NS}">\\s*<AssumeRoleWithWebIdentityResult>[\\s\\S]*` +
            '<Credentials>\\s*<AccessKeyId>ASIA[A-Z0-9]{16}</AccessKeyId>\\s*<SecretAccessKey>[^<]{40}</SecretAccessKey>' +
            '\\s*<SessionToken>[^<]+</SessionToken>\\s*<Expiration>\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ</Expiration>' +
            '[\\s\\S]*</AssumeRoleWithWebIdentityResult>\\s*<ResponseMetadata>\\s*<RequestId>[^<]+</RequestId>' +
            '\\s*</ResponseMetadata>\\s*</AssumeRoleWithWebIdentityResponse>\\s*$',
        ),
      );
      expect(tag(xml, 'RequestId')).toBe(res.headers.get('x-amzn-requestid'));
      expect(tag(xml, 'SubjectFromWebIdentityToken')).toBe(SUB);
    });

    it('errors use ErrorResponse with Sender/Receiver types; unknown actions are InvalidAction', async () => {
      const res = await postForm(double.endpoint, { Action: 'GetSessionTokenX', Version: '2011-06-15' });
      const xml = await res.text();
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toBe('text/xml');
      expect(xml).toMatch(
        new RegExp(
          `^<ErrorResponse xmlns="${NS}">\\s*<Error>\\s*<Type>Sender</Type>\\s*<Code>InvalidAction</Code>` +
            '\\s*<Message>[^<]*GetSessionTokenX[^<]*</Message>\\s*</Error>\\s*<RequestId>[^<]+</RequestId>\\s*</ErrorResponse>',
        ),
      );
      expect(tag(xml, 'RequestId')).toBe(res.headers.get('x-amzn-requestid'));

      double.script('*', [{ code: 'InternalFailure', message: 'boom <&>', status: 500 }]);
      const res500 = await postForm(double.endpoint, { Action: 'GetCallerIdentity', Version: '2011-06-15' });
      const xml500 = await res500.text();
      expect(res500.status).toBe(500);
      expect(tag(xml500, 'Type')).toBe('Receiver');
      expect(tag(xml500, 'Message')).toBe('boom &lt;&amp;&gt;');
    });

    it('accepts the Query protocol as a GET query string', async () => {
      const qs = new URLSearchParams({
        Action: 'AssumeRoleWithWebIdentity',
        Version: '2011-06-15',
        RoleArn: ROLE_ARN,
        RoleSessionName: 'via-get',
        WebIdentityToken: jwt(claims()),
      });
      const res = await fetch(`${double.endpoint}?${qs}`, { signal: AbortSignal.timeout(10_000) });
      expect(res.status).toBe(200);
      expect(tag(await res.text(), 'Arn')).toBe(`arn:aws:sts::${ROLE_ACCOUNT}:assumed-role/RoleA/via-get`);
    });

    function rawCall(endpoint: string): { outcome: Promise<string> } {
      const req = request(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      const outcome = new Promise<string>((resolve) => {
        req.on('response', (res) => {
          res.resume();
          resolve(`response ${res.statusCode}`);
        });
        req.on('error', (e: NodeJS.ErrnoException) => resolve(`error ${e.code ?? e.message}`));
      });
      req.end('Action=GetCallerIdentity&Version=2011-06-15');
      return { outcome };
    }

    it("'hang' never answers, and stop() still returns promptly and frees the client", async () => {
      double.script('GetCallerIdentity', [{ kind: 'hang' }]);
      const { outcome } = rawCall(double.endpoint);
      expect(await Promise.race([outcome, sleep(500).then(() => 'pending')])).toBe('pending');
      expect(double.calls).toHaveLength(1);
      expect(double.calls[0]).toMatchObject({ action: 'GetCallerIdentity', fault: 'hang', status: 0 });
      const t0 = performance.now();
      await double.stop();
      expect(performance.now() - t0).toBeLessThan(1000);
      expect(await Promise.race([outcome, sleep(2000).then(() => 'still pending')])).toMatch(/^error /);
    });

    it("'reset' destroys the connection; the next call behaves normally", async () => {
      double.script('GetCallerIdentity', [{ kind: 'reset' }]);
      expect(await rawCall(double.endpoint).outcome).toMatch(/^error (ECONNRESET|socket hang up)/);
      expect(await rawCall(double.endpoint).outcome).toBe('response 403');
      expect(double.calls.map((c) => c.fault)).toEqual(['reset', undefined]);
    });

    it('latencyMs delays each answer', async () => {
      const slow = await startStsDouble({ latencyMs: 300 });
      try {
        const t0 = performance.now();
        expect(await rawCall(slow.endpoint).outcome).toBe('response 403');
        expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
      } finally {
        await slow.stop();
      }
    });
  });
});
