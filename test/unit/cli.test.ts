// Issue 17: the command line's decisions, each checked on its own: flags, CI detection, the token's
// source, the POSIX quoting (through a real /bin/sh), the explanations, and that bad usage calls
// nothing. The end-to-end runs of the bundle are in test/e2e/cli.test.ts.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Credentials, Sts, StsFactory } from '../../src/aws/sts.js';
import { issuerOf, rawClaims, trustRefusal } from '../../src/cli/advice.js';
import { parseCommand } from '../../src/cli/args.js';
import { defaultSessionName, detectCi, parallelJobs } from '../../src/cli/ci.js';
import { credentialProcessJson, envScript, forLog, shellQuote } from '../../src/cli/output.js';
import { inFlagTerms, runCli } from '../../src/cli/run.js';
import type { CliIo } from '../../src/cli/stdio.js';
import { planToken, tokenSource } from '../../src/cli/token.js';
import { UsageError, VERSION } from '../../src/cli/usage.js';
import type { ActionError } from '../../src/common/errors.js';

const ROLE = 'arn:aws:iam::111111111111:role/Deploy';
const BASE = ['assume', '--role-arn', ROLE, '--region', 'eu-west-1'];
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = (claims: Record<string, unknown>) =>
  `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url(claims)}.c2ln`;
const later = () => Math.floor(Date.now() / 1000) + 600;

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'cli-unit-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function flagsOf(argv: string[]) {
  const command = parseCommand(argv);
  if (command.kind !== 'assume') throw new Error(`not assume: ${command.kind}`);
  return command.flags;
}

function usageError(argv: string[]): UsageError {
  try {
    parseCommand(argv);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`accepted: ${argv.join(' ')}`);
}

describe('flags', () => {
  it('reads every flag of assume', () => {
    const flags = flagsOf([
      ...BASE,
      '--duration-seconds',
      '900',
      '--session-name',
      'deploy-1',
      '--audience',
      'aud-x',
      '--sts-endpoint',
      'http://127.0.0.1:1',
      '--format',
      'json',
      '--token-env',
      'MY_TOKEN',
    ]);
    expect(flags).toEqual({
      roleArn: ROLE,
      region: 'eu-west-1',
      durationSeconds: '900',
      sessionName: 'deploy-1',
      audience: 'aud-x',
      stsEndpoint: 'http://127.0.0.1:1',
      format: 'json',
      profile: undefined,
      tokenEnv: 'MY_TOKEN',
      tokenFile: undefined,
    });
  });

  it('defaults to env, and to profile when --profile is given', () => {
    expect(flagsOf(BASE).format).toBe('env');
    expect(flagsOf([...BASE, '--profile', 'ci']).format).toBe('profile');
    expect(flagsOf([...BASE, '--role-arn=arn:aws:iam::222222222222:role/Other']).roleArn).toContain(
      '222222222222',
    );
  });

  it('answers --help and --version whatever else is there', () => {
    expect(parseCommand(['--help'])).toEqual({ kind: 'help' });
    expect(parseCommand(['assume', '-h'])).toEqual({ kind: 'help' });
    expect(parseCommand(['--version'])).toEqual({ kind: 'version' });
  });

  it.each([
    [['assume', '--rol', ROLE], /Unknown option '--rol'/],
    [['assume', '--region', 'eu-west-1'], /--role-arn is required/],
    [['assume', '--role-arn', ROLE], /--region is required/],
    [[...BASE, '--region'], /argument missing/],
    [[...BASE, '--format', 'yaml'], /--format "yaml"/],
    [[...BASE, '--format', 'env', '--profile', 'x'], /--profile is given with --format env/],
    [[...BASE, '--token-env', 'A', '--token-file', '/t'], /both given/],
    [[...BASE, '--token-env', '$TOKEN'], /not a variable name/],
    [[...BASE, '--token-file', ''], /--token-file is empty/],
    [['assume', '--role-arn', 'Deploy', '--region', 'eu-west-1'], /not a role ARN/],
    [['assumed', ...BASE.slice(1)], /Unknown command "assumed"/],
    [[...BASE, 'extra'], /Unexpected argument "extra"/],
    [[], /No command/],
  ])('refuses %j', (argv, message) => {
    expect(usageError(argv).message).toMatch(message);
  });

  it('has the version of package.json', () => {
    expect(VERSION).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
  });
});

describe('CI detection and the session name', () => {
  it.each([
    [{ BITBUCKET_BUILD_NUMBER: '42' }, 'bitbucket', 'bitbucket-42'],
    [{ GITLAB_CI: 'true', CI_PIPELINE_ID: '9001', CI_JOB_ID: '77' }, 'gitlab', 'gitlab-9001-77'],
    [{ CIRCLECI: 'true', CIRCLE_BUILD_NUM: '314' }, 'circleci', 'circleci-314'],
    [{ GITHUB_ACTIONS: 'true', GITHUB_RUN_ID: '555', GITHUB_RUN_ATTEMPT: '2' }, 'github', 'github-555-2'],
  ])('%j is %s', (env, name, session) => {
    const ci = detectCi(env);
    expect(ci?.name).toBe(name);
    expect(defaultSessionName(ci, env)).toBe(session);
  });

  it('is nothing outside a CI system', () => {
    expect(detectCi({ CI: 'true', GITLAB_CI: 'false' })).toBeUndefined();
    expect(defaultSessionName(undefined, {})).toBe('aws-credentials-action');
  });

  it('keeps outside identifiers to what a session name allows', () => {
    const env = { CIRCLECI: 'true', CIRCLE_BUILD_NUM: `1 2;$(x)${'9'.repeat(80)}` };
    const name = defaultSessionName(detectCi(env), env);
    expect(name).toMatch(/^[\w+=,.@-]{2,64}$/);
    expect(name.startsWith('circleci-1_2__')).toBe(true);
    expect(defaultSessionName(detectCi({ BITBUCKET_PIPELINE_UUID: '{u}' }), {})).toBe('bitbucket');
  });
});

describe("the CI system's count of parallel instances", () => {
  it.each([
    [{ GITLAB_CI: 'true', CI_NODE_TOTAL: '4' }, '4'],
    [{ CIRCLECI: 'true', CIRCLE_NODE_TOTAL: '12' }, '12'],
    [{ BITBUCKET_BUILD_NUMBER: '1', BITBUCKET_PARALLEL_STEP_COUNT: '3' }, '3'],
    // GitHub Actions tells a matrix's size to actions only (action.yml's default), not in the environment.
    [{ GITHUB_ACTIONS: 'true', CI_NODE_TOTAL: '4' }, undefined],
    // Not a count: ignored rather than failing the command.
    [{ GITLAB_CI: 'true', CI_NODE_TOTAL: 'many' }, undefined],
    [{ GITLAB_CI: 'true', CI_NODE_TOTAL: '0' }, undefined],
    [{ GITLAB_CI: 'true' }, undefined],
  ])('%j: %s', (env, count) => {
    expect(parallelJobs(detectCi(env), env)).toBe(count);
  });
});

describe('where the token comes from', () => {
  const flags = (extra: string[] = []) => flagsOf([...BASE, ...extra]);

  it('takes the CI system variable, CircleCI V2 first', () => {
    const bitbucket = detectCi({ BITBUCKET_BUILD_NUMBER: '1' });
    expect(planToken(flags(), bitbucket, {})).toMatchObject({
      kind: 'variable',
      name: 'BITBUCKET_STEP_OIDC_TOKEN',
    });
    const circle = detectCi({ CIRCLECI: 'true' });
    expect(planToken(flags(), circle, { CIRCLE_OIDC_TOKEN: 'a', CIRCLE_OIDC_TOKEN_V2: 'b' })).toMatchObject({
      name: 'CIRCLE_OIDC_TOKEN_V2',
    });
    expect(planToken(flags(), circle, { CIRCLE_OIDC_TOKEN: 'a' })).toMatchObject({
      name: 'CIRCLE_OIDC_TOKEN',
    });
  });

  it('asks GitHub in GitHub Actions, with the audience', () => {
    const github = detectCi({ GITHUB_ACTIONS: 'true' });
    expect(planToken(flags(), github, {})).toEqual({ kind: 'github', audience: 'sts.amazonaws.com' });
    expect(planToken(flags(['--audience', 'x']), github, {})).toEqual({ kind: 'github', audience: 'x' });
  });

  it('takes the flags first', () => {
    const github = detectCi({ GITHUB_ACTIONS: 'true' });
    expect(planToken(flags(['--token-env', 'T']), github, {})).toMatchObject({ kind: 'variable', name: 'T' });
    expect(planToken(flags(['--token-file', 'rel/tok']), undefined, {})).toEqual({
      kind: 'file',
      path: join(process.cwd(), 'rel/tok'),
    });
  });

  it('refuses GitLab without --token-env, no CI without a flag, and --audience for a given token', () => {
    expect(() => planToken(flags(), detectCi({ GITLAB_CI: 'true' }), {})).toThrow(/--token-env is required/);
    expect(() => planToken(flags(), undefined, {})).toThrow(/No CI system detected/);
    expect(() =>
      planToken(flags(['--audience', 'a']), detectCi({ BITBUCKET_BUILD_NUMBER: '1' }), {}),
    ).toThrow(UsageError);
  });

  it('checks the token before it is sent and never refreshes a variable', async () => {
    const seen: string[] = [];
    const good = jwt({ sub: 's', exp: later() });
    const source = tokenSource({ kind: 'variable', name: 'T' }, { T: ` ${good}\n` }, (t) => seen.push(t));
    await expect(source.token()).resolves.toBe(good);
    expect(seen).toEqual([good]);
    await expect(source.token(true)).rejects.toThrow(/cannot be refreshed/);
    const stale = jwt({ exp: Math.floor(Date.now() / 1000) - 5 });
    await expect(
      tokenSource({ kind: 'variable', name: 'T' }, { T: stale }, () => {}).token(),
    ).rejects.toThrow(/expired at/);
    await expect(
      tokenSource({ kind: 'variable', name: 'T' }, { T: 'not-a-jwt' }, () => {}).token(),
    ).rejects.toThrow(/does not hold a JWT/);
    const bitbucket = detectCi({ BITBUCKET_BUILD_NUMBER: '1' });
    await expect(
      tokenSource(
        { kind: 'variable', name: 'BITBUCKET_STEP_OIDC_TOKEN', ci: bitbucket },
        {},
        () => {},
      ).token(),
    ).rejects.toMatchObject({ message: /BITBUCKET_STEP_OIDC_TOKEN is not set/, fix: /oidc: true/ });
  });

  it('reads a token file anew each time, through links (as the kubelet projects it), refusing a directory', async () => {
    const dir = tempDir();
    const file = join(dir, 'token');
    const first = jwt({ n: 1, exp: later() });
    const second = jwt({ n: 2, exp: later() });
    writeFileSync(file, first);
    const source = tokenSource({ kind: 'file', path: file }, {}, () => {});
    await expect(source.token()).resolves.toBe(first);
    writeFileSync(file, second);
    await expect(source.token(true)).resolves.toBe(second);
    symlinkSync(file, join(dir, 'link'));
    await expect(tokenSource({ kind: 'file', path: join(dir, 'link') }, {}, () => {}).token()).resolves.toBe(
      second,
    );
    await expect(tokenSource({ kind: 'file', path: dir }, {}, () => {}).token()).rejects.toThrow(
      /--token-file .* is not a regular file/,
    );
    await expect(
      tokenSource({ kind: 'file', path: join(dir, 'none') }, {}, () => {}).token(),
    ).rejects.toThrow(/does not exist/);
  });
});

describe('output', () => {
  const awkward = `it's a "value" with spaces, $HOME, \`id\`, $(id), \\n, a tab\tand a\nnewline`;
  const credentials: Credentials = {
    accessKeyId: 'ASIAEXAMPLE',
    secretAccessKey: awkward,
    sessionToken: `token'with'quotes`,
    expiration: new Date('2030-01-02T03:04:05.000Z'),
  };

  /** What /bin/sh has after eval of `script`, starting from `before`. */
  function evalInSh(script: string, before: Record<string, string>): Record<string, string | undefined> {
    const names = [
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
      'AWS_SECURITY_TOKEN',
      'AWS_CREDENTIAL_EXPIRATION',
      'AWS_REGION',
      'AWS_DEFAULT_REGION',
      'AWS_PROFILE',
    ];
    const dump = names
      .map((n) => `if [ -n "\${${n}+x}" ]; then printf '%s=%s\\0' ${n} "$${n}"; fi`)
      .join('; ');
    const out = execFileSync('/bin/sh', ['-c', `eval "$1"; ${dump}`, 'sh', script], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...before },
      encoding: 'utf8',
    });
    return Object.fromEntries(
      out
        .split('\0')
        .filter(Boolean)
        .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
    );
  }

  it('survives eval in /bin/sh, whatever the value holds, and replaces what an earlier run set', () => {
    const after = evalInSh(envScript(credentials, 'eu-west-1'), {
      AWS_SESSION_TOKEN: 'stale',
      AWS_SECURITY_TOKEN: 'stale',
      AWS_CREDENTIAL_EXPIRATION: '2000-01-01T00:00:00Z',
      AWS_PROFILE: 'old',
    });
    expect(after).toEqual({
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: awkward,
      AWS_SESSION_TOKEN: credentials.sessionToken,
      AWS_SECURITY_TOKEN: credentials.sessionToken,
      AWS_CREDENTIAL_EXPIRATION: '2030-01-02T03:04:05.000Z',
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
    });
  });

  it('unsets a session token and an expiry it does not have', () => {
    const after = evalInSh(envScript({ accessKeyId: 'A', secretAccessKey: 'S' }, 'us-east-1'), {
      AWS_SESSION_TOKEN: 'stale',
      AWS_SECURITY_TOKEN: 'stale',
      AWS_CREDENTIAL_EXPIRATION: 'x',
    });
    expect(after.AWS_SESSION_TOKEN).toBeUndefined();
    expect(after.AWS_SECURITY_TOKEN).toBeUndefined();
    expect(after.AWS_CREDENTIAL_EXPIRATION).toBeUndefined();
  });

  it('quotes for sh', () => {
    expect(execFileSync('/bin/sh', ['-c', `printf %s ${shellQuote("a'b")}`], { encoding: 'utf8' })).toBe(
      "a'b",
    );
  });

  it('prints the credential_process shape', () => {
    expect(JSON.parse(credentialProcessJson(credentials))).toEqual({
      Version: 1,
      AccessKeyId: credentials.accessKeyId,
      SecretAccessKey: credentials.secretAccessKey,
      SessionToken: credentials.sessionToken,
      Expiration: '2030-01-02T03:04:05.000Z',
    });
  });

  it('makes outside text safe to log', () => {
    expect(forLog('a\u001b[31mred\u0007\nb')).toBe('a\\u001b[31mred\\u0007\nb');
    expect(forLog('ok\n  ::add-mask::x')).toBe('ok\n>   ::add-mask::x');
  });
});

describe('explanations', () => {
  const MESSAGE = 'Not authorized to perform sts:AssumeRoleWithWebIdentity';

  /** The Condition block of an explanation, parsed. */
  function condition(error: ActionError): Record<string, Record<string, string>> {
    const lines = error.message.split('\n');
    const start = lines.findIndex((line) => line.trim() === '"Condition": {');
    const block = lines.slice(start, start + 12);
    const end = block.indexOf('  }');
    return JSON.parse(`{${block.slice(0, end + 1).join('\n')}}`).Condition;
  }

  it('matches Bitbucket by repository, whatever the step', () => {
    const iss = 'https://api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc';
    const claims = {
      sub: '{repo-uuid}:{step-uuid}',
      aud: 'ari:cloud:bitbucket::workspace/ws-uuid',
      iss,
      repositoryUuid: '{repo-uuid}',
      stepUuid: '{step-uuid}',
    };
    expect(issuerOf(claims)).toBe('bitbucket');
    const error = trustRefusal('bitbucket', claims, ROLE, MESSAGE) as ActionError;
    expect(error.message).toContain('  repositoryUuid: {repo-uuid}');
    const host = 'api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc';
    expect(condition(error)).toEqual({
      StringEquals: { [`${host}:aud`]: claims.aud },
      StringLike: { [`${host}:sub`]: '{repo-uuid}:*' },
    });
    expect(error.fix).toContain(`arn:aws:iam::111111111111:oidc-provider/${host}`);
    const deployment = trustRefusal(
      'bitbucket',
      { ...claims, sub: '{r}:{env}:{step}' },
      ROLE,
      MESSAGE,
    ) as ActionError;
    expect(condition(deployment).StringLike).toEqual({ [`${host}:sub`]: '{r}:{env}:*' });
  });

  it('matches GitLab by its exact sub', () => {
    const claims = {
      sub: 'project_path:acme/app:ref_type:branch:ref:main',
      aud: 'sts.amazonaws.com',
      iss: 'https://gitlab.example.com',
      project_path: 'acme/app',
    };
    expect(issuerOf(claims)).toBe('gitlab');
    const error = trustRefusal('gitlab', claims, ROLE, MESSAGE) as ActionError;
    expect(condition(error)).toEqual({
      StringEquals: { 'gitlab.example.com:aud': claims.aud, 'gitlab.example.com:sub': claims.sub },
    });
    expect(error.fix).toContain('id_tokens:');
  });

  it('matches CircleCI by organization and project, whatever the user', () => {
    const claims = {
      sub: 'org/o-1/project/p-2/user/u-3/vcs-origin/github.com/acme/app/vcs-ref/refs/heads/main',
      aud: 'o-1',
      iss: 'https://oidc.circleci.com/org/o-1',
    };
    expect(issuerOf(claims)).toBe('circleci');
    const error = trustRefusal('circleci', claims, ROLE, MESSAGE) as ActionError;
    expect(condition(error)).toEqual({
      StringEquals: { 'oidc.circleci.com/org/o-1:aud': 'o-1' },
      StringLike: { 'oidc.circleci.com/org/o-1:sub': 'org/o-1/project/p-2/user/*' },
    });
  });

  it("leaves a GitHub token to the action's explanation, and says when no claims were read", () => {
    expect(trustRefusal('github', {}, ROLE, MESSAGE)).toBeUndefined();
    expect(issuerOf({ iss: 'https://token.actions.githubusercontent.com', sub: 'repo:a/b:ref:x' })).toBe(
      'github',
    );
    expect((trustRefusal(undefined, undefined, ROLE, MESSAGE) as ActionError).message).toContain(
      'its claims are unknown',
    );
    expect(rawClaims('nope')).toBeUndefined();
    expect(rawClaims(jwt({ aud: ['a', 'b'], n: 1 }))).toEqual({ aud: 'a,b' });
  });

  it("names the flags where the action's text names inputs", () => {
    expect(inFlagTerms('role-duration-seconds is "5". Set `aws-region: us-east-1` or role-to-assume.')).toBe(
      '--duration-seconds is "5". Set `--region us-east-1` or --role-arn.',
    );
    expect(inFlagTerms('use-existing-credentials and not-aws-region-x')).toBe(
      'use-existing-credentials and not-aws-region-x',
    );
  });
});

describe('runCli', () => {
  function capture(): CliIo & { out: string; err: string } {
    const io = {
      out: '',
      err: '',
      stdout: (text: string) => {
        io.out += text;
      },
      stderr: (text: string) => {
        io.err += text;
      },
    };
    return io;
  }

  /** An STS that counts calls and hands out fixed credentials. */
  function countingSts(): { factory: StsFactory; calls: number } {
    const state = { calls: 0, factory: undefined as unknown as StsFactory };
    const sts: Sts = {
      assumeRoleWithWebIdentity: async (request) => {
        state.calls++;
        return {
          accessKeyId: 'ASIAFAKE',
          secretAccessKey: 'secret-fake',
          sessionToken: 'token-fake',
          expiration: new Date(Date.now() + 3600_000),
          arn: `arn:aws:sts::111111111111:assumed-role/Deploy/${request.sessionName}`,
        };
      },
      assumeRole: async () => {
        throw new Error('not used');
      },
      getCallerIdentity: async () => {
        throw new Error('not used');
      },
    };
    state.factory = () => sts;
    return state;
  }

  const token = jwt({
    sub: '{r}:{s}',
    iss: 'https://api.bitbucket.org/2.0/workspaces/w/pipelines-config/identity/oidc',
    exp: later(),
  });
  const bitbucket = { BITBUCKET_BUILD_NUMBER: '7', BITBUCKET_STEP_OIDC_TOKEN: token };

  it.each([
    [['assume', '--role-arn', ROLE]],
    [[...BASE, '--duration-seconds', '60']],
    [[...BASE, '--session-name', 'has space']],
    [['assume', '--role-arn', ROLE, '--region', 'EU WEST']],
    [[...BASE, '--sts-endpoint', 'ftp://x']],
    [[...BASE, '--profile', 'bad name']],
    [[...BASE, '--concurrent-jobs', '0']],
  ])('exits 2 on %j before any call', async (argv) => {
    const sts = countingSts();
    const io = capture();
    expect(await runCli(argv, bitbucket, io, sts.factory)).toBe(2);
    expect(sts.calls).toBe(0);
    expect(io.out).toBe('');
    expect(io.err).toMatch(/^aws-credentials-action: Bad usage\n/);
    expect(io.err).not.toMatch(/role-duration-seconds|role-session-name|aws-region|aws-profile/);
  });

  it('prints the help on stdout with exit 0, and the version', async () => {
    const io = capture();
    expect(await runCli(['--help'], {}, io, countingSts().factory)).toBe(0);
    expect(io.out).toContain('--token-file PATH');
    const version = capture();
    expect(await runCli(['--version'], {}, version, countingSts().factory)).toBe(0);
    expect(version.out).toBe(`${VERSION}\n`);
  });

  it('assumes with the default session name and keeps secrets off stderr', async () => {
    const sts = countingSts();
    const io = capture();
    expect(await runCli([...BASE, '--format', 'json'], bitbucket, io, sts.factory)).toBe(0);
    expect(sts.calls).toBe(1);
    expect(JSON.parse(io.out)).toMatchObject({ AccessKeyId: 'ASIAFAKE', SecretAccessKey: 'secret-fake' });
    expect(io.err).toContain('assumed-role/Deploy/bitbucket-7');
    for (const secret of ['secret-fake', 'token-fake', token]) expect(io.err).not.toContain(secret);
  });

  it("spreads a first retry over the parallel step group's window", async () => {
    const sts = countingSts();
    const base = sts.factory({ region: 'eu-west-1' });
    let failed = false;
    const flaky: StsFactory = () => ({
      ...base,
      assumeRoleWithWebIdentity: async (request) => {
        if (failed) return base.assumeRoleWithWebIdentity(request);
        failed = true;
        throw Object.assign(new Error("Couldn't retrieve verification key from your identity provider"), {
          name: 'IDPCommunicationErrorException',
          Code: 'IDPCommunicationError',
          $metadata: { httpStatusCode: 400 },
        });
      },
    });
    const io = capture();
    const env = { ...bitbucket, BITBUCKET_PARALLEL_STEP_COUNT: '2' };
    expect(await runCli([...BASE, '--format', 'json'], env, io, flaky)).toBe(0);
    expect(io.err).toContain('(the first retries of 2 concurrent jobs are spread over 0.50 s)');
    // The flag wins over the CI system's count.
    failed = false;
    const lone = capture();
    expect(await runCli([...BASE, '--format', 'json', '--concurrent-jobs', '1'], env, lone, flaky)).toBe(0);
    expect(lone.err).toContain('IDPCommunicationError; retrying in 0.');
    expect(lone.err).not.toContain('concurrent jobs');
  });

  it('writes a profile 0600 and prints nothing on stdout', async () => {
    const home = tempDir();
    const io = capture();
    const env = { ...bitbucket, HOME: home };
    expect(await runCli([...BASE, '--profile', 'ci'], env, io, countingSts().factory)).toBe(0);
    expect(io.out).toBe('');
    const credentials = join(home, '.aws', 'credentials');
    expect(statSync(credentials).mode & 0o777).toBe(0o600);
    expect(readFileSync(credentials, 'utf8')).toContain('aws_secret_access_key = secret-fake');
    expect(readFileSync(join(home, '.aws', 'config'), 'utf8')).toContain('[profile ci]');
    expect(io.err).toContain('AWS_PROFILE=ci');
  });

  it('fails with exit 1, explained, when the token is missing', async () => {
    const sts = countingSts();
    const io = capture();
    expect(await runCli(BASE, { BITBUCKET_BUILD_NUMBER: '7' }, io, sts.factory)).toBe(1);
    expect(sts.calls).toBe(0);
    expect(io.err).toContain('BITBUCKET_STEP_OIDC_TOKEN');
    expect(io.err).toContain('Fix: Add `oidc: true`');
  });
});
