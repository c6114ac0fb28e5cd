// Issue 5: every failure explained. Errors are built the way the SDK and the retry loop raise them;
// expected text is derived from the inputs of each case.
import { describe, expect, it } from 'vitest';
import { ActionError, InputError } from '../../src/common/errors.js';
import { RetriesExhaustedError } from '../../src/common/retry.js';
import { explain, type FailureContext } from '../../src/report/diagnostics.js';
import { claimLines, matchingCondition, usualMismatches } from '../../src/report/trust-advice.js';
import {
  decodeClaims,
  PRINTED_CLAIMS,
  providerHost,
  recordClaims,
  type TokenClaims,
} from '../../src/tokens/claims.js';
import { missingOidcPermissionError, OidcRequestError } from '../../src/tokens/oidc-request.js';

const ROLE = 'arn:aws:iam::111111111111:role/Deploy';
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = (claims: Record<string, unknown>) =>
  `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url(claims)}.${Buffer.from('signature').toString('base64url')}`;

/** An error shaped like the SDK's for an STS error response. */
function stsError(code: string, message: string, status = 400): Error {
  return Object.assign(new Error(message), { name: code, $metadata: { httpStatusCode: status } });
}

const PUSH: TokenClaims = {
  sub: 'repo:acme/app:ref:refs/heads/main',
  aud: 'sts.amazonaws.com',
  iss: 'https://token.actions.githubusercontent.com',
  repository: 'acme/app',
  ref: 'refs/heads/main',
  event_name: 'push',
  job_workflow_ref: 'acme/app/.github/workflows/ci.yml@refs/heads/main',
  workflow_ref: 'acme/app/.github/workflows/ci.yml@refs/heads/main',
};

const oidc = (claims?: TokenClaims): FailureContext => ({
  roleArn: ROLE,
  durationSeconds: 3600,
  audience: 'sts.amazonaws.com',
  source: { kind: 'oidc', roleArn: ROLE },
  claims,
});

/** The text between "Likely here:" and "Also check:", i.e. what this job's claims point at. */
const likelyPart = (text: string) => text.split('Likely here:')[1]?.split('Also check:')[0] ?? '';

describe('token claims', () => {
  it('keeps only the known string claims of a JWT, and the first audience of a list', () => {
    const claims = decodeClaims(
      jwt({
        ...PUSH,
        aud: ['first.example', 'second.example'],
        jti: 'x',
        sha: 'y',
        run_id: 5,
        environment: 7,
      }),
    );
    expect(claims).toEqual({ ...PUSH, aud: 'first.example' });
  });

  it('decodes nothing from what is not a JWT', () => {
    expect(decodeClaims('not-a-jwt')).toBeUndefined();
    expect(decodeClaims('')).toBeUndefined();
  });

  it('recordClaims hands on the claims of each token and returns the token untouched', async () => {
    const tokens = [jwt({ sub: 'first' }), jwt({ sub: 'second' })];
    const asked: (boolean | undefined)[] = [];
    const seen: (string | undefined)[] = [];
    const source = recordClaims(
      {
        token: async (fresh) => {
          asked.push(fresh);
          return tokens[asked.length - 1] ?? '';
        },
      },
      (claims) => seen.push(claims.sub),
    );
    expect(await source.token()).toBe(tokens[0]);
    expect(await source.token(true)).toBe(tokens[1]);
    expect(asked).toEqual([undefined, true]);
    expect(seen).toEqual(['first', 'second']);
  });

  it('prints every listed claim, saying which are missing', () => {
    const lines = claimLines(PUSH);
    expect(lines).toHaveLength(PRINTED_CLAIMS.length);
    expect(lines).toContain(`  sub: ${PUSH.sub}`);
    expect(lines).toContain('  environment: (not in the token)');
  });

  it('writes a trust-policy condition that is valid JSON and matches the token', () => {
    const claims = { ...PUSH, sub: 'repo:acme/app:environment:prod', aud: 'sts.example.test' };
    const condition = JSON.parse(`{${matchingCondition(claims).join('\n')}}`);
    expect(condition).toEqual({
      Condition: {
        StringEquals: {
          'token.actions.githubusercontent.com:aud': 'sts.example.test',
          'token.actions.githubusercontent.com:sub': 'repo:acme/app:environment:prod',
        },
      },
    });
  });

  it("keys the condition on an enterprise issuer's own URL", () => {
    const iss = 'https://token.actions.githubusercontent.com/acme-corp';
    expect(providerHost(iss)).toBe('token.actions.githubusercontent.com/acme-corp');
    expect(matchingCondition({ ...PUSH, iss }).join('\n')).toContain(
      '"token.actions.githubusercontent.com/acme-corp:sub"',
    );
  });

  it('a plain push job points at none of the usual mismatches, but all are listed', () => {
    const { likely, others } = usualMismatches(PUSH, ROLE);
    expect(likely).toEqual([]);
    expect(others.join('\n')).toContain('environment: NAME');
    expect(others.join('\n')).toContain('repo:acme/app:pull_request');
    expect(others.join('\n')).toContain('job_workflow_ref');
    expect(others.join('\n')).toContain('`audience` input');
    expect(others.join('\n')).toContain(ROLE);
  });

  it.each<[string, TokenClaims, string]>([
    [
      'environment',
      { ...PUSH, environment: 'prod', sub: 'repo:acme/app:environment:prod' },
      'repo:acme/app:environment:prod, not repo:acme/app:ref:refs/heads/main',
    ],
    [
      'pull_request',
      { ...PUSH, event_name: 'pull_request', sub: 'repo:acme/app:pull_request' },
      'pull_request event',
    ],
    [
      'reusable workflow',
      { ...PUSH, job_workflow_ref: 'acme/shared/.github/workflows/d.yml@refs/heads/v1' },
      'acme/shared/.github/workflows/d.yml@refs/heads/v1',
    ],
    ['audience', { ...PUSH, aud: 'sts.example.test' }, '(sts.example.test)'],
    [
      'custom sub',
      { ...PUSH, sub: 'repository_owner_id:1000:repository_id:2000' },
      'repository_owner_id:1000:repository_id:2000',
    ],
  ])('names the %s mismatch as likely when the claims show it', (_, claims, expected) => {
    const { likely } = usualMismatches(claims, ROLE);
    expect(likely).toHaveLength(1);
    expect(likely[0]).toContain(expected);
  });

  it('without claims, still names the usual mismatches with placeholders', () => {
    const { likely, others } = usualMismatches(undefined, undefined);
    expect(likely).toEqual([]);
    expect(others.join('\n')).toContain('repo:OWNER/REPO:environment:NAME');
  });
});

describe('explain', () => {
  it('passes an ActionError through as it is', () => {
    const input = new InputError('aws-region', 'aws-region is required.', 'Set it.');
    expect(explain(input, oidc())).toBe(input);
  });

  it('the missing OIDC permission explains id-token: write, reusable workflows and forks', () => {
    const error = missingOidcPermissionError();
    expect(explain(error)).toBe(error);
    expect(error.title).not.toBe('');
    expect(error.message).toContain('ACTIONS_ID_TOKEN_REQUEST_URL');
    expect(error.fix).toContain('permissions: id-token: write');
    expect(error.fix).toMatch(/reusable workflow .*caller/);
    expect(error.fix).toMatch(/forks/);
  });

  it('AccessDenied on AssumeRoleWithWebIdentity prints the claims, the matching condition and the mismatches', () => {
    const claims = { ...PUSH, environment: 'prod', sub: 'repo:acme/app:environment:prod' };
    const message = 'Not authorized to perform sts:AssumeRoleWithWebIdentity';
    const error = explain(stsError('AccessDenied', message, 403), oidc(claims));
    const text = error.describe();
    expect(error.title).toMatch(/trust policy/i);
    expect(text).toContain(message);
    expect(text).toContain(ROLE);
    for (const line of claimLines(claims)) expect(text).toContain(line);
    expect(text).toContain('"token.actions.githubusercontent.com:sub": "repo:acme/app:environment:prod"');
    expect(likelyPart(text)).toContain('environment: prod');
    expect(text).toContain('arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com');
  });

  it('AccessDenied with a token file is explained the same way, without claims when unreadable', () => {
    const context: FailureContext = {
      roleArn: ROLE,
      source: { kind: 'token-file', roleArn: ROLE, tokenFile: '/t' },
    };
    const text = explain(stsError('AccessDenied', 'Not authorized', 403), context).describe();
    expect(text).toContain('claims are unknown');
    expect(text).not.toContain('Likely here:');
    expect(text).toContain('Also check:');
  });

  it('AccessDenied on AssumeRole for session tags points at sts:TagSession', () => {
    const message = `User: arn:aws:iam::1:user/ci is not authorized to perform: sts:TagSession on resource: ${ROLE}`;
    const error = explain(stsError('AccessDenied', message, 403), {
      roleArn: ROLE,
      source: { kind: 'access-keys', role: ROLE },
    });
    expect(error.message).toContain(message);
    expect(error.fix).toContain('sts:TagSession');
    expect(error.fix).toContain('role-skip-session-tagging');
  });

  it('AccessDenied on AssumeRole names the principal, the external id and a typo', () => {
    const message = `User: arn:aws:iam::1:user/ci is not authorized to perform: sts:AssumeRole on resource: ${ROLE}`;
    const error = explain(stsError('AccessDenied', message, 403), {
      roleArn: ROLE,
      source: { kind: 'role-chaining', role: ROLE },
    });
    expect(error.message).toBe(message);
    expect(error.fix).toContain('Principal');
    expect(error.fix).toContain('role-external-id');
    expect(error.fix).toContain('typo');
  });

  it('no OpenIDConnect provider: how to create it in the role account, for the issuer named', () => {
    const issuer = 'https://token.actions.githubusercontent.com/acme-corp';
    const message = `No OpenIDConnect provider found in your account for ${issuer}`;
    const error = explain(stsError('InvalidIdentityToken', message), oidc({ ...PUSH, iss: issuer }));
    expect(error.title).toMatch(/provider/);
    expect(error.message).toContain('Account 111111111111');
    expect(error.message).toContain(message);
    expect(error.fix).toContain(
      `create-open-id-connect-provider --url ${issuer} --client-id-list sts.amazonaws.com`,
    );
  });

  it("an audience refusal shows the token's aud, the audience input and the provider's client IDs", () => {
    const error = explain(
      stsError('InvalidIdentityToken', 'Incorrect token audience'),
      oidc({ ...PUSH, aud: 'api.example.test' }),
    );
    expect(error.title).toMatch(/audience/i);
    expect(error.message).toContain('"api.example.test"');
    expect(error.fix).toContain('`audience` input');
    expect(error.fix).toContain('--client-id api.example.test');
    expect(error.fix).toContain('oidc-provider/token.actions.githubusercontent.com');
  });

  it('an audience refusal without claims falls back to the audience input', () => {
    const context = { ...oidc(), audience: 'from.input.test' };
    const error = explain(stsError('InvalidIdentityToken', 'Incorrect token audience'), context);
    expect(error.message).toContain('"from.input.test"');
  });

  it('other InvalidIdentityToken errors keep the STS message', () => {
    const message = 'The ID Token provided is not a valid JWT.';
    const error = explain(stsError('InvalidIdentityToken', message), oidc());
    expect(error.message).toContain(message);
    expect(error.title).not.toMatch(/audience|provider/i);
  });

  it("MaxSessionDuration: the role's limit and the value asked for", () => {
    const message = 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.';
    const error = explain(stsError('ValidationError', message), { ...oidc(), durationSeconds: 7200 });
    expect(error.title).toContain('MaxSessionDuration');
    expect(error.message).toContain('role-duration-seconds 7200 (2 h)');
    expect(error.fix).toContain('--role-name Deploy --max-session-duration 7200');
  });

  it('role chaining: the 1 hour limit and the value asked for', () => {
    const message =
      'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.';
    const error = explain(stsError('ValidationError', message), {
      roleArn: ROLE,
      durationSeconds: 5400,
      source: { kind: 'role-chaining', role: ROLE },
    });
    expect(error.title).toMatch(/1 hour.*role chaining/);
    expect(error.message).toContain('role-duration-seconds 5400 (1.50 h)');
    expect(error.fix).toContain('3600');
  });

  it('other duration validation errors say the value and the bounds', () => {
    const message =
      "1 validation error detected: Value '50000' at 'durationSeconds' failed to satisfy constraint";
    const error = explain(stsError('ValidationError', message), { ...oidc(), durationSeconds: 50000 });
    expect(error.message).toContain('50000');
    expect(error.fix).toContain('900 to 43200');
  });

  it.each([
    ['IDPCommunicationError', /signing keys/],
    ['Throttling', /throttled/],
    ['ECONNREFUSED', /http-proxy/],
    ['InternalFailure', /re-run/],
  ])('retries exhausted on %s: attempts, time, last code and its usual cause', (code, cause) => {
    const error = explain(
      new RetriesExhaustedError(4, 12_345, stsError(code, `the ${code} message`, 500)),
      oidc(),
    );
    expect(error.title).toContain(code);
    expect(error.message).toContain('after 4 attempts over 12.3 s');
    expect(error.message).toContain(`the last error was ${code}: the ${code} message`);
    expect(error.fix).toMatch(cause);
  });

  it('retries cut short by the deadline name action-timeout-s', () => {
    const last = stsError('IDPCommunicationError', "Couldn't retrieve verification key", 400);
    const byDeadline = explain(new RetriesExhaustedError(3, 30_000, last, 'deadline'), oidc());
    expect(byDeadline.fix).toContain('action-timeout-s');
    const byAttempts = explain(new RetriesExhaustedError(3, 30_000, last, 'attempts'), oidc());
    expect(byAttempts.fix).not.toContain('deadline');
  });

  it.each([
    ['IDPCommunicationError', 400],
    ['Throttling', 400],
    ['InternalFailure', 500],
  ])(
    'retries exhausted on %s name only what the caller has: the action, the refresher, the command line',
    (code, status) => {
      const last = stsError(code, 'm', status);
      const forAction = explain(new RetriesExhaustedError(3, 30_000, last, 'deadline'), oidc());
      expect(forAction.fix).toContain('retry-max-attempts');
      expect(forAction.fix).toContain('action-timeout-s');
      const forRefresher = explain(new RetriesExhaustedError(3, 30_000, last, 'deadline'), {
        ...oidc(),
        caller: 'refresher',
      });
      expect(forRefresher.fix).toContain('40 s');
      expect(forRefresher.fix).toContain('retry-max-attempts in the step that wrote this profile');
      expect(forRefresher.fix).not.toContain('action-timeout-s');
      const forCli = explain(new RetriesExhaustedError(3, 30_000, last, 'deadline'), {
        ...oidc(),
        caller: 'cli',
      });
      expect(forCli.fix).toContain('120 s');
      expect(forCli.fix).not.toMatch(/retry-max-attempts|action-timeout-s/);
    },
  );

  it("retries exhausted on GitHub's token endpoint blames GitHub, not STS", () => {
    const last = new OidcRequestError('HTTP 503: unavailable', { statusCode: 503 });
    const error = explain(new RetriesExhaustedError(12, 90_000, last), oidc());
    expect(error.message).toContain('HTTP 503');
    expect(error.fix).toMatch(/GitHub's OIDC token endpoint/);
  });

  it('rejected source credentials say which inputs to check', () => {
    const keys = explain(
      stsError('InvalidClientTokenId', 'The security token included in the request is invalid.'),
      {
        source: { kind: 'access-keys' },
      },
    );
    expect(keys.fix).toContain('aws-access-key-id');
    const chained = explain(
      stsError('ExpiredToken', 'The security token included in the request is expired'),
      {
        roleArn: ROLE,
        source: { kind: 'role-chaining', role: ROLE },
      },
    );
    expect(chained.fix).toMatch(/assume the first role again/);
  });

  it('anything else keeps its code and message', () => {
    const error = explain(stsError('RegionDisabledException', 'STS is not activated in this region'), oidc());
    expect(error).toBeInstanceOf(ActionError);
    expect(error.title).toContain('RegionDisabledException');
    expect(error.message).toContain('STS is not activated in this region');
    expect(explain('a string').message).toContain('a string');
  });

  it('keeps the original error as the cause and prints no stack in its text', () => {
    const original = stsError('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity', 403);
    const error = explain(original, oidc(PUSH));
    expect(error.cause).toBe(original);
    expect(error.describe()).not.toMatch(/^\s+at /m);
  });
});
