// Inputs parsed and refused in one place: defaults, booleans, bounded numbers, URLs, lists and JSON,
// rules that involve two inputs, and the environment fallbacks. Each refusal names its input.
import { afterEach, describe, expect, it } from 'vitest';
import { InputError } from '../../src/common/errors.js';
import { envFallbackName, INPUT_NAMES, readRawInputs } from '../../src/inputs/names.js';
import { DEFAULTS, parseSettings, type Settings } from '../../src/inputs/settings.js';

const WORKSPACE = '/home/runner/work/app/app';
const ENV = { GITHUB_WORKSPACE: WORKSPACE };

function parse(raw: Record<string, string>, env: NodeJS.ProcessEnv = ENV): Settings {
  return parseSettings({ 'aws-region': 'us-east-1', ...raw }, env);
}

/** The InputError thrown by parsing `raw`, or a failure when nothing is thrown. */
function inputError(raw: Record<string, string>, env: NodeJS.ProcessEnv = ENV): InputError {
  try {
    parse(raw, env);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(raw)} to be refused`);
}

describe('defaults', () => {
  it('match upstream when only the region is given', () => {
    const s = parse({});
    expect(s).toMatchObject({
      region: 'us-east-1',
      audience: 'sts.amazonaws.com',
      sessionName: 'GitHubActions',
      durationSeconds: 3600,
      retryMaxAttempts: 12,
      roleChaining: false,
      maskAccountId: false,
      skipSessionTagging: false,
      outputCredentials: false,
      outputEnvCredentials: true,
      unsetCurrentCredentials: false,
      disableRetry: false,
      specialCharactersWorkaround: false,
      useExistingCredentials: false,
      forceSkipOidc: false,
      actionTimeoutSeconds: 0,
      overwriteAwsProfile: false,
      transitiveTagKeys: [],
      managedSessionPolicies: [],
      allowedAccountIds: [],
      customTags: {},
    });
    expect(s.roleToAssume).toBeUndefined();
    expect(s.httpProxy).toBeUndefined();
    expect(DEFAULTS).toEqual({
      audience: 'sts.amazonaws.com',
      sessionName: 'GitHubActions',
      durationSeconds: 3600,
      retryMaxAttempts: 12,
    });
  });

  it('turns output-env-credentials off by default when a profile is written, unless asked for', () => {
    expect(parse({ 'aws-profile': 'dev' }).outputEnvCredentials).toBe(false);
    expect(parse({ 'aws-profile': 'dev', 'output-env-credentials': 'true' }).outputEnvCredentials).toBe(true);
    expect(parse({ 'output-env-credentials': 'false' }).outputEnvCredentials).toBe(false);
  });
});

describe('refresh-credentials', () => {
  it('turns output-env-credentials off by default, and refuses it turned on', () => {
    expect(parse({ 'refresh-credentials': 'true' }).outputEnvCredentials).toBe(false);
    const error = inputError({ 'refresh-credentials': 'true', 'output-env-credentials': 'true' });
    expect(error.input).toBe('output-env-credentials');
    expect(error.message).toContain('refresh-credentials');
  });
});

describe('inputs that could leak or break a file', () => {
  it('never echoes a malformed proxy URL, which may hold a password', () => {
    const error = inputError({ 'http-proxy': 'user:S3cretPass@proxy.corp:3128' });
    expect(error.input).toBe('http-proxy');
    expect(`${error.message} ${error.fix}`).not.toContain('S3cretPass');
  });

  it('refuses proxy settings that span lines', () => {
    expect(inputError({ 'no-proxy': 'localhost\n169.254.169.254' }).input).toBe('no-proxy');
    expect(inputError({ 'http-proxy': 'http://proxy:3128\nx' }).input).toBe('http-proxy');
  });

  it('refuses use-existing-credentials with refresh-credentials', () => {
    const error = inputError({ 'use-existing-credentials': 'true', 'refresh-credentials': 'true' });
    expect(error.input).toBe('use-existing-credentials');
  });
});

describe('managed-session-policies', () => {
  it('splits on lines only: a policy ARN may contain a comma', () => {
    const arns = 'arn:aws:iam::111111111111:policy/a,b\narn:aws:iam::aws:policy/ReadOnlyAccess';
    expect(parse({ 'managed-session-policies': arns }).managedSessionPolicies).toEqual([
      'arn:aws:iam::111111111111:policy/a,b',
      'arn:aws:iam::aws:policy/ReadOnlyAccess',
    ]);
  });
});

describe('booleans', () => {
  const BOOLEANS = [
    ['role-chaining', 'roleChaining'],
    ['mask-aws-account-id', 'maskAccountId'],
    ['role-skip-session-tagging', 'skipSessionTagging'],
    ['output-credentials', 'outputCredentials'],
    ['output-env-credentials', 'outputEnvCredentials'],
    ['unset-current-credentials', 'unsetCurrentCredentials'],
    ['disable-retry', 'disableRetry'],
    ['special-characters-workaround', 'specialCharactersWorkaround'],
    ['use-existing-credentials', 'useExistingCredentials'],
    ['force-skip-oidc', 'forceSkipOidc'],
    ['overwrite-aws-profile', 'overwriteAwsProfile'],
  ] as const;

  it.each(BOOLEANS)('%s accepts the six spellings', (input, field) => {
    for (const value of ['true', 'True', 'TRUE', ' true '])
      expect(parse({ [input]: value })[field]).toBe(true);
    for (const value of ['false', 'False', 'FALSE']) expect(parse({ [input]: value })[field]).toBe(false);
  });

  it.each(BOOLEANS)('%s refuses anything else, naming the input', (input) => {
    for (const value of ['yes', '1', 'tRuE', 'off']) {
      const error = inputError({ [input]: value });
      expect(error.input).toBe(input);
      expect(error.message).toContain(`"${value}"`);
    }
  });

  it("reads use-existing-credentials: 'false' as false (upstream reads any text as true)", () => {
    expect(parse({ 'use-existing-credentials': 'false' }).useExistingCredentials).toBe(false);
  });
});

describe('numbers', () => {
  it('retry-max-attempts must be a positive whole number (upstream turns 0 into 12)', () => {
    expect(parse({ 'retry-max-attempts': '1' }).retryMaxAttempts).toBe(1);
    expect(parse({ 'retry-max-attempts': '30' }).retryMaxAttempts).toBe(30);
    for (const value of ['0', '-1', '2.5', 'twelve', '1e3']) {
      expect(inputError({ 'retry-max-attempts': value }).input).toBe('retry-max-attempts');
    }
  });

  it('concurrent-jobs is 1 to 1000, and 1 when empty (outside the runner)', () => {
    expect(parse({}).concurrentJobs).toBe(1);
    expect(parse({ 'concurrent-jobs': '256' }).concurrentJobs).toBe(256);
    for (const value of ['0', '1001', '2.5', 'all']) {
      expect(inputError({ 'concurrent-jobs': value }).input).toBe('concurrent-jobs');
    }
  });

  it('role-duration-seconds is 900 to 43200', () => {
    expect(parse({ 'role-duration-seconds': '900' }).durationSeconds).toBe(900);
    expect(parse({ 'role-duration-seconds': '43200' }).durationSeconds).toBe(43200);
    for (const value of ['899', '43201', '1h', '']) {
      if (value === '') expect(parse({ 'role-duration-seconds': value }).durationSeconds).toBe(3600);
      else expect(inputError({ 'role-duration-seconds': value }).input).toBe('role-duration-seconds');
    }
  });

  it('action-timeout-s is a whole number of seconds, 0 meaning none', () => {
    expect(parse({ 'action-timeout-s': '0' }).actionTimeoutSeconds).toBe(0);
    expect(parse({ 'action-timeout-s': '90' }).actionTimeoutSeconds).toBe(90);
    expect(inputError({ 'action-timeout-s': '-5' }).input).toBe('action-timeout-s');
  });
});

describe('strings and lists', () => {
  it('requires a well-formed region', () => {
    expect(inputError({ 'aws-region': '' }).input).toBe('aws-region');
    expect(inputError({ 'aws-region': 'US-EAST-1' }).input).toBe('aws-region');
    expect(inputError({ 'aws-region': 'us east 1' }).input).toBe('aws-region');
    expect(parse({ 'aws-region': 'eu-central-2' }).region).toBe('eu-central-2');
  });

  it('takes a role ARN (any partition, with a path) or a bare role name', () => {
    for (const role of [
      'arn:aws:iam::123456789012:role/Deploy',
      'arn:aws-us-gov:iam::123456789012:role/ci/Deploy',
      'Deploy',
      'ci/Deploy',
    ]) {
      expect(parse({ 'role-to-assume': role }).roleToAssume).toBe(role);
    }
    for (const role of ['arn:aws:iam::123:role/Deploy', 'arn:aws:iam::123456789012:user/bob', 'has space']) {
      expect(inputError({ 'role-to-assume': role }).input).toBe('role-to-assume');
    }
  });

  it('refuses a key without its secret and a secret without its key', () => {
    expect(inputError({ 'aws-access-key-id': 'AKIAEXAMPLE' }).input).toBe('aws-secret-access-key');
    expect(inputError({ 'aws-secret-access-key': 's' }).input).toBe('aws-access-key-id');
    const both = parse({
      'aws-access-key-id': 'AKIAEXAMPLE',
      'aws-secret-access-key': 's',
      'aws-session-token': 't',
    });
    expect([both.accessKeyId, both.secretAccessKey, both.sessionToken]).toEqual(['AKIAEXAMPLE', 's', 't']);
  });

  it('joins a relative token file to GITHUB_WORKSPACE and keeps an absolute one', () => {
    expect(parse({ 'web-identity-token-file': 'tokens/t.jwt' }).webIdentityTokenFile).toBe(
      `${WORKSPACE}/tokens/t.jwt`,
    );
    expect(parse({ 'web-identity-token-file': '/var/run/secrets/token' }).webIdentityTokenFile).toBe(
      '/var/run/secrets/token',
    );
  });

  it('validates the session name', () => {
    expect(parse({ 'role-session-name': 'deploy-42@ci' }).sessionName).toBe('deploy-42@ci');
    for (const name of ['x', 'has space', 'a'.repeat(65), 'slash/no']) {
      expect(inputError({ 'role-session-name': name }).input).toBe('role-session-name');
    }
  });

  it('splits allowed-account-ids on commas and checks each id', () => {
    expect(parse({ 'allowed-account-ids': ' 111111111111, 222222222222 ,' }).allowedAccountIds).toEqual([
      '111111111111',
      '222222222222',
    ]);
    expect(inputError({ 'allowed-account-ids': '111111111111,12345' }).input).toBe('allowed-account-ids');
  });

  it('reads managed-session-policies and transitive-tag-keys one per line', () => {
    const s = parse({
      'managed-session-policies':
        'arn:aws:iam::aws:policy/ReadOnlyAccess\n\narn:aws:iam::123456789012:policy/Mine\n',
      'transitive-tag-keys': 'Repository\nTeam',
    });
    expect(s.managedSessionPolicies).toEqual([
      'arn:aws:iam::aws:policy/ReadOnlyAccess',
      'arn:aws:iam::123456789012:policy/Mine',
    ]);
    expect(s.transitiveTagKeys).toEqual(['Repository', 'Team']);
    expect(inputError({ 'managed-session-policies': 'ReadOnlyAccess' }).input).toBe(
      'managed-session-policies',
    );
  });

  it('minifies the inline session policy and refuses what is not JSON', () => {
    const policy =
      '{\n  "Version": "2012-10-17",\n  "Statement": [ { "Effect": "Deny", "Action": "*", "Resource": "*" } ]\n}';
    expect(parse({ 'inline-session-policy': policy }).inlineSessionPolicy).toBe(
      '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}',
    );
    expect(inputError({ 'inline-session-policy': '{"Version":' }).input).toBe('inline-session-policy');
  });

  it('checks URLs of sts-endpoint and http-proxy', () => {
    expect(parse({ 'sts-endpoint': 'https://sts.example.test' }).stsEndpoint).toBe(
      'https://sts.example.test',
    );
    expect(inputError({ 'sts-endpoint': 'sts.example.test' }).input).toBe('sts-endpoint');
    expect(inputError({ 'http-proxy': 'ftp://proxy:21' }).input).toBe('http-proxy');
  });

  it('falls back to HTTPS_PROXY, then HTTP_PROXY, for http-proxy; the input wins', () => {
    const env = { ...ENV, HTTPS_PROXY: 'http://secure:3128', HTTP_PROXY: 'http://plain:3128' };
    expect(parse({}, env).httpProxy).toBe('http://secure:3128');
    expect(parse({}, { ...ENV, HTTP_PROXY: 'plain:3128' }).httpProxy).toBe('http://plain:3128');
    expect(parse({ 'http-proxy': 'http://given:8080' }, env).httpProxy).toBe('http://given:8080');
  });
});

describe('reading the inputs', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  });

  it('falls back to the environment, except for aws-* inputs other than aws-region', () => {
    expect(envFallbackName('aws-region')).toBe('AWS_REGION');
    expect(envFallbackName('role-to-assume')).toBe('ROLE_TO_ASSUME');
    expect(envFallbackName('use-existing-credentials')).toBe('USE_EXISTING_CREDENTIALS');
    expect(envFallbackName('no-proxy')).toBe('NO_PROXY');
    for (const name of ['aws-access-key-id', 'aws-secret-access-key', 'aws-session-token', 'aws-profile']) {
      expect(envFallbackName(name)).toBeUndefined();
    }
    expect(envFallbackName('http-proxy')).toBeUndefined(); // settings.ts has its own rule
  });

  it('prefers an explicit input over the environment, and never reads exported keys back', () => {
    const env = {
      AWS_REGION: 'eu-west-1',
      ROLE_TO_ASSUME: 'arn:aws:iam::111111111111:role/FromEnv',
      AWS_ACCESS_KEY_ID: 'AKIAFROMENVIRONMENT',
      AWS_SECRET_ACCESS_KEY: 'exported-secret',
    };
    for (const name of INPUT_NAMES) delete process.env[`INPUT_${name.toUpperCase()}`];
    process.env['INPUT_ROLE-TO-ASSUME'] = 'arn:aws:iam::222222222222:role/Given';
    const raw = readRawInputs(env);
    expect(raw['aws-region']).toBe('eu-west-1');
    expect(raw['role-to-assume']).toBe('arn:aws:iam::222222222222:role/Given');
    expect(raw['aws-access-key-id']).toBe('');
    expect(raw['aws-secret-access-key']).toBe('');
    delete process.env['INPUT_ROLE-TO-ASSUME'];
    expect(readRawInputs(env)['role-to-assume']).toBe('arn:aws:iam::111111111111:role/FromEnv');
  });
});
