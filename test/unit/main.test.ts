// The pipeline in process: run() from inputs to exported credentials, with a fake Sts and token
// source in place of AWS and GitHub (the e2e tests run the same pipeline against moto and the STS
// double). What a later step would see is read back from the runner's files.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AssumeRoleCommandInput } from '@aws-sdk/client-sts';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import type {
  CallerIdentity,
  Credentials,
  Sts,
  StsClientOptions,
  WebIdentityRequest,
} from '../../src/aws/sts.js';
import { run } from '../../src/main.js';
import { parseKeyValueFile } from '../support/file-commands.js';
import { githubClaims, makeJwt } from '../support/sts-double.js';

const ACCOUNT = '111111111111';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/Deploy`;
const SESSION = {
  accessKeyId: 'ASIAFAKESESSION00001',
  secretAccessKey: 'fakeSessionSecret0001',
  sessionToken: 'fake-session-token',
  expiration: new Date('2030-01-01T00:00:00Z'),
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Deploy/GitHubActions`,
};

type Call =
  | { op: 'webIdentity'; options: StsClientOptions; request: WebIdentityRequest }
  | { op: 'assumeRole'; options: StsClientOptions; input: AssumeRoleCommandInput }
  | { op: 'callerIdentity'; options: StsClientOptions };

/** A fake STS that records each call and answers with SESSION, or with what `answer` says. */
function fakeSts(answer: (call: Call) => Credentials | CallerIdentity = () => SESSION) {
  const calls: Call[] = [];
  const respond = async <T>(call: Call): Promise<T> => {
    calls.push(call);
    return answer(call) as T;
  };
  const factory = (options: StsClientOptions): Sts => ({
    assumeRoleWithWebIdentity: (request) => respond({ op: 'webIdentity', options, request }),
    assumeRole: (input) => respond({ op: 'assumeRole', options, input }),
    getCallerIdentity: () => respond({ op: 'callerIdentity', options }),
  });
  return { calls, factory };
}

const JWT = makeJwt(githubClaims({ sub: 'repo:acme/app:ref:refs/heads/main' }));
const tokens = { token: async () => JWT };

let dir: string;
let savedEnv: NodeJS.ProcessEnv;
let stdout: MockInstance;

beforeEach(() => {
  savedEnv = { ...process.env };
  dir = mkdtempSync(join(tmpdir(), 'main-test-'));
  for (const name of ['GITHUB_ENV', 'GITHUB_OUTPUT', 'GITHUB_STATE', 'GITHUB_STEP_SUMMARY']) {
    const file = join(dir, name);
    writeFileSync(file, '');
    process.env[name] = file;
  }
  for (const name of Object.keys(process.env))
    if (/^(INPUT_|AWS_|ACTIONS_ID_TOKEN)/.test(name)) delete process.env[name];
  process.env.HOME = dir;
  process.env.RUNNER_ENVIRONMENT = 'github-hosted';
  process.env.ACTIONS_ID_TOKEN_REQUEST_URL = 'http://127.0.0.1:9/token';
  process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN = 'request-token';
  process.exitCode = undefined;
  stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});

afterEach(() => {
  stdout.mockRestore();
  process.env = savedEnv;
  process.exitCode = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function inputs(values: Record<string, string>): void {
  for (const [name, value] of Object.entries(values)) process.env[`INPUT_${name.toUpperCase()}`] = value;
}

const fileCommands = (name: string): Record<string, string> =>
  Object.fromEntries(parseKeyValueFile(readFileSync(join(dir, name), 'utf8')));
const printed = (): string => stdout.mock.calls.map((call) => String(call[0])).join('');
const errors = (): string[] =>
  printed()
    .split('\n')
    .filter((line) => line.startsWith('::error'));

describe('run() with a fake Sts', () => {
  it('OIDC: assumes the role with the job token and exports the session for later steps', async () => {
    inputs({ 'role-to-assume': ROLE, 'aws-region': 'eu-west-1' });
    const sts = fakeSts();
    await run(process.env, { sts: sts.factory, oidcToken: tokens });

    expect(errors()).toEqual([]);
    expect(process.exitCode).toBeUndefined();
    expect(sts.calls).toEqual([
      {
        op: 'webIdentity',
        options: { region: 'eu-west-1', endpoint: undefined, credentials: undefined },
        request: {
          roleArn: ROLE,
          sessionName: 'GitHubActions',
          durationSeconds: 3600,
          webIdentityToken: JWT,
          policy: undefined,
          policyArns: undefined,
        },
      },
    ]);
    const env = fileCommands('GITHUB_ENV');
    expect(env).toMatchObject({
      AWS_ACCESS_KEY_ID: SESSION.accessKeyId,
      AWS_SECRET_ACCESS_KEY: SESSION.secretAccessKey,
      AWS_SESSION_TOKEN: SESSION.sessionToken,
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
    });
    expect(fileCommands('GITHUB_OUTPUT')).toEqual({
      'aws-account-id': ACCOUNT,
      'authenticated-arn': SESSION.arn,
    });
    expect(printed()).toContain(`::add-mask::${SESSION.secretAccessKey}`);
    expect(readFileSync(join(dir, 'GITHUB_STEP_SUMMARY'), 'utf8')).toContain(
      '| Session name | `GitHubActions` |',
    );
  });

  it('access keys and a role: AssumeRole signed with the input keys and tagged with the run', async () => {
    const keys = { accessKeyId: 'AKIAFAKEUSER00000001', secretAccessKey: 'fake/user+secret' };
    inputs({
      'role-to-assume': ROLE,
      'aws-region': 'us-east-1',
      'aws-access-key-id': keys.accessKeyId,
      'aws-secret-access-key': keys.secretAccessKey,
    });
    process.env.GITHUB_REPOSITORY = 'acme/app';
    const sts = fakeSts();
    await run(process.env, { sts: sts.factory, oidcToken: tokens });

    expect(errors()).toEqual([]);
    expect(sts.calls).toHaveLength(1);
    const [call] = sts.calls;
    expect(call?.op).toBe('assumeRole');
    expect(call?.options.credentials).toEqual({ ...keys, sessionToken: undefined });
    if (call?.op !== 'assumeRole') throw new Error('not an AssumeRole call');
    expect(call.input.RoleArn).toBe(ROLE);
    expect(call.input.Tags).toContainEqual({ Key: 'Repository', Value: 'acme/app' });
    expect(printed()).toContain(`::add-mask::${keys.secretAccessKey}`);
  });

  it('a refusal from STS ends as one explained ::error, with nothing exported', async () => {
    inputs({ 'role-to-assume': ROLE, 'aws-region': 'us-east-1' });
    const refusal = Object.assign(new Error('Not authorized to perform sts:AssumeRoleWithWebIdentity'), {
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
    const sts = fakeSts(() => {
      throw refusal;
    });
    await run(process.env, { sts: sts.factory, oidcToken: tokens });

    expect(process.exitCode).toBe(1);
    expect(sts.calls).toHaveLength(1); // AccessDenied is never retried
    expect(errors()).toHaveLength(1);
    expect(errors()[0]).toContain('Role trust policy does not match this job');
    expect(errors()[0]).toContain('repo:acme/app:ref:refs/heads/main'); // the token's claims, not the token
    expect(printed()).not.toContain(JWT);
    expect(fileCommands('GITHUB_ENV')).toEqual({});
  });

  it('a bad input fails the step before any STS call', async () => {
    inputs({ 'role-to-assume': ROLE, 'aws-region': 'us-east-1', 'role-duration-seconds': 'an hour' });
    const sts = fakeSts();
    await run(process.env, { sts: sts.factory, oidcToken: tokens });

    expect(process.exitCode).toBe(1);
    expect(sts.calls).toEqual([]);
    expect(errors()).toHaveLength(1);
    expect(errors()[0]).toContain('role-duration-seconds is "an hour"');
  });

  it('allowed-account-ids refuses credentials of another account, exporting nothing', async () => {
    inputs({ 'role-to-assume': ROLE, 'aws-region': 'us-east-1', 'allowed-account-ids': '222222222222' });
    const sts = fakeSts();
    await run(process.env, { sts: sts.factory, oidcToken: tokens });

    expect(process.exitCode).toBe(1);
    expect(errors()).toHaveLength(1);
    expect(errors()[0]).toContain(`account ${ACCOUNT}, which is not in allowed-account-ids`);
    expect(fileCommands('GITHUB_ENV')).toEqual({});
  });
});
