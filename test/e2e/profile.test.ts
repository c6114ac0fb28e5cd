// Issue 3's profile inputs: aws-profile writes the credentials to a named profile of the shared
// files instead of the environment; overwrite-aws-profile guards an existing one; the post step
// removes what was written. The real AWS CLI reads the profile back from the local STS double.

import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Job, StepResult } from '../support/runner.js';
import { GITHUB_HOSTED, knownSecrets, oidcJobs, useServers } from '../support/servers.js';

const ROLE = 'arn:aws:iam::111111111111:role/Deploy';
const SESSION_ARN = 'arn:aws:sts::111111111111:assumed-role/Deploy/GitHubActions';

/** Profiles a runner may already have: comments, nested settings, a value holding ; and #. */
const CONFIG = [
  '# machine defaults',
  '[default]',
  'region = us-west-2',
  's3 =',
  '  max_concurrent_requests = 20',
  '',
  '[profile tools]',
  'credential_process = /opt/creds --tag "a;b" # keep',
  '',
].join('\n');
const CREDENTIALS =
  '[legacy]\naws_access_key_id = AKIALEGACYEXAMPLE000\naws_secret_access_key = legacy-secret-0000\n';

const servers = useServers('sts', 'issuer');
beforeAll(() => {
  servers.sts.addRole({ arn: ROLE });
});
const newJob = oidcJobs(servers, { env: () => GITHUB_HOSTED, secrets: () => knownSecrets(servers) });

const inputs = (extra: Record<string, string>) => ({
  'role-to-assume': ROLE,
  'aws-region': 'eu-west-1',
  'sts-endpoint': servers.sts.endpoint,
  ...extra,
});

function seed(job: Job): { config: string; credentials: string } {
  mkdirSync(join(job.home, '.aws'), { mode: 0o755 });
  const files = {
    config: join(job.home, '.aws', 'config'),
    credentials: join(job.home, '.aws', 'credentials'),
  };
  writeFileSync(files.config, CONFIG, { mode: 0o644 });
  writeFileSync(files.credentials, CREDENTIALS, { mode: 0o600 });
  return files;
}

/** The `[name]` section of a credentials file, as key → value. */
function keysOf(text: string, name: string): Record<string, string> {
  const section = text.split(/^\[/m).find((s) => s.startsWith(`${name}]`)) ?? '';
  return Object.fromEntries(
    [...section.matchAll(/^(aws_\w+) = (.*)$/gm)].map((m) => [m[1] ?? '', m[2] ?? '']),
  );
}

const mode = (path: string) => statSync(path).mode & 0o777;
const webIdentityCalls = () =>
  servers.sts.calls.filter((c) => c.action === 'AssumeRoleWithWebIdentity').length;

async function callerIdentity(job: Job, args: string, env: Record<string, string> = {}) {
  const result = await job.run(
    `aws ${args} sts get-caller-identity --endpoint-url ${servers.sts.endpoint} --output json`,
    {
      env,
    },
  );
  expect(result.exitCode, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as { Arn: string; Account: string };
}

function errorOf(result: StepResult) {
  const errors = result.annotations.filter((a) => a.level === 'error');
  expect(errors).toHaveLength(1);
  return errors[0] as { title?: string; message: string };
}

describe('aws-profile', () => {
  it('writes the profile beside the others, not to the environment, and the post step removes it', async () => {
    const job = newJob();
    const files = seed(job);
    const result = await job.uses(inputs({ 'aws-profile': 'ci' }));
    expect(result.exitCode, result.stdout).toBe(0);
    const issued = servers.sts.issued.at(-1);
    if (!issued) throw new Error('nothing issued');

    // Nothing in the environment (output-env-credentials defaults to false with a profile).
    expect(job.env.AWS_ACCESS_KEY_ID).toBeUndefined();
    expect(job.env.AWS_PROFILE).toBeUndefined();

    const config = readFileSync(files.config, 'utf8');
    const credentials = readFileSync(files.credentials, 'utf8');
    expect(config.startsWith(CONFIG)).toBe(true);
    expect(config.slice(CONFIG.length)).toMatch(
      /^\n\[profile ci\]\n# Written by aws-credentials-action .*\nregion = eu-west-1\n$/,
    );
    expect(credentials.startsWith(CREDENTIALS)).toBe(true);
    const keys = keysOf(credentials, 'ci');
    expect(keys.aws_access_key_id).toBe(issued.accessKeyId);
    const check = servers.sts.checkCredentials({
      accessKeyId: keys.aws_access_key_id ?? '',
      secretAccessKey: keys.aws_secret_access_key ?? '',
      sessionToken: keys.aws_session_token,
    });
    expect(check).toBe('valid');
    expect(mode(files.config)).toBe(0o600);
    expect(mode(files.credentials)).toBe(0o600);
    expect(readdirSync(join(job.home, '.aws')).sort()).toEqual(['config', 'credentials']);

    expect((await callerIdentity(job, '--profile ci')).Arn).toBe(SESSION_ARN);

    const [post] = await job.post();
    expect(post?.exitCode).toBe(0);
    expect(post?.annotations).toEqual([]);
    expect(readFileSync(files.config, 'utf8')).toBe(CONFIG);
    expect(readFileSync(files.credentials, 'utf8')).toBe(CREDENTIALS);
  });

  it('refuses to replace an existing profile before calling STS, and replaces it with overwrite-aws-profile', async () => {
    const job = newJob();
    const files = seed(job);
    const before = webIdentityCalls();
    const refused = await job.uses(inputs({ 'aws-profile': 'legacy' }));
    expect(refused.exitCode).toBe(1);
    const error = errorOf(refused);
    expect(error.title).toBe('Invalid input: aws-profile');
    expect(error.message).toContain(`Profile "legacy"`);
    expect(error.message).toContain(files.credentials);
    expect(error.message).toContain('overwrite-aws-profile: true');
    expect(webIdentityCalls()).toBe(before);
    expect(readFileSync(files.credentials, 'utf8')).toBe(CREDENTIALS);
    expect(readFileSync(files.config, 'utf8')).toBe(CONFIG);

    const replaced = await job.uses(inputs({ 'aws-profile': 'legacy', 'overwrite-aws-profile': 'true' }));
    expect(replaced.exitCode, replaced.stdout).toBe(0);
    const keys = keysOf(readFileSync(files.credentials, 'utf8'), 'legacy');
    expect(keys.aws_access_key_id).toBe(servers.sts.issued.at(-1)?.accessKeyId);
    expect(readFileSync(files.credentials, 'utf8')).not.toContain('AKIALEGACYEXAMPLE000');
    expect((await callerIdentity(job, '--profile legacy')).Arn).toBe(SESSION_ARN);
  });

  it('the default profile is [default] in the config file, and a plain aws command uses it', async () => {
    const job = newJob();
    const result = await job.uses(inputs({ 'aws-profile': 'default' }));
    expect(result.exitCode, result.stdout).toBe(0);
    const config = readFileSync(join(job.home, '.aws', 'config'), 'utf8');
    expect(config).toMatch(/^\[default\]\n# .*\nregion = eu-west-1\n$/);
    expect(mode(join(job.home, '.aws'))).toBe(0o700);
    expect((await callerIdentity(job, '')).Arn).toBe(SESSION_ARN);
    await job.post();
    expect(readdirSync(join(job.home, '.aws'))).toEqual([]);
  });

  it('honours AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE, creating their directory 0700', async () => {
    const job = newJob();
    const dir = join(job.runnerTemp, 'aws files', 'nested');
    const env = { AWS_SHARED_CREDENTIALS_FILE: join(dir, 'creds'), AWS_CONFIG_FILE: join(dir, 'conf') };
    const result = await job.uses(inputs({ 'aws-profile': 'ci' }), { env });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(mode(dir)).toBe(0o700);
    expect(mode(env.AWS_SHARED_CREDENTIALS_FILE)).toBe(0o600);
    expect(mode(env.AWS_CONFIG_FILE)).toBe(0o600);
    expect(existsSync(join(job.home, '.aws'))).toBe(false);
    expect((await callerIdentity(job, '--profile ci', env)).Arn).toBe(SESSION_ARN);
  });

  it('the post step gives back the AWS_PROFILE and AWS_CONFIG_FILE the job had, so a later CLI call still works', async () => {
    const team = { AWS_PROFILE: 'preexisting', AWS_CONFIG_FILE: '~/.aws-team/config' };
    const job = newJob(team);
    const configFile = join(job.home, '.aws-team', 'config');
    mkdirSync(join(job.home, '.aws-team'));
    writeFileSync(configFile, '[profile preexisting]\nregion = ap-south-1\n');
    const result = await job.uses(inputs({ 'aws-profile': 'ci', 'refresh-credentials': 'true' }));
    expect(result.exitCode, result.stdout).toBe(0);
    // The main step points later steps at its own profile ...
    expect(job.env.AWS_PROFILE).toBe('ci');
    expect(job.env.AWS_CONFIG_FILE).toBe(configFile);
    expect((await callerIdentity(job, '')).Arn).toBe(SESSION_ARN);

    const [post] = await job.post();
    expect(post?.exitCode).toBe(0);
    expect(post?.annotations).toEqual([]);
    // ... and the post step hands them back rather than leaving an empty AWS_PROFILE.
    expect(job.env.AWS_PROFILE).toBe(team.AWS_PROFILE);
    expect(job.env.AWS_CONFIG_FILE).toBe(team.AWS_CONFIG_FILE);
    expect(readFileSync(configFile, 'utf8')).toBe('[profile preexisting]\nregion = ap-south-1\n');
    const later = await job.run('aws configure get region');
    expect(later.exitCode, later.stderr).toBe(0);
    expect(later.stdout.trim()).toBe('ap-south-1');
  });

  it('a shared file it cannot read is reported as such, before any STS call', async () => {
    const job = newJob();
    const plain = join(job.runnerTemp, 'plain');
    writeFileSync(plain, 'not a directory');
    const credentials = join(plain, 'credentials');
    const before = webIdentityCalls();
    const result = await job.uses(inputs({ 'aws-profile': 'ci' }), {
      env: { AWS_SHARED_CREDENTIALS_FILE: credentials },
    });
    expect(result.exitCode).toBe(1);
    const error = errorOf(result);
    expect(error.title).toBe('Cannot read/write the shared AWS files');
    expect(error.message).toContain(credentials);
    expect(error.message).toContain('AWS_SHARED_CREDENTIALS_FILE');
    expect(error.message).not.toMatch(/STS/);
    expect(webIdentityCalls()).toBe(before);
  });

  it('refuses a credentials file that is a symbolic link, and leaves its target alone', async () => {
    const job = newJob();
    const target = join(job.runnerTemp, 'real-credentials');
    writeFileSync(target, CREDENTIALS);
    mkdirSync(join(job.home, '.aws'));
    symlinkSync(target, join(job.home, '.aws', 'credentials'));
    const result = await job.uses(inputs({ 'aws-profile': 'ci' }));
    expect(result.exitCode).toBe(1);
    expect(errorOf(result).message).toMatch(/credentials is a symbolic link/);
    expect(readFileSync(target, 'utf8')).toBe(CREDENTIALS);
    expect(lstatSync(join(job.home, '.aws', 'credentials')).isSymbolicLink()).toBe(true);
    expect(existsSync(join(job.home, '.aws', 'config'))).toBe(false);
  });
});
