// Issue 2's scenarios: the bundled action, run as GitHub runs it, against moto as STS, with the real
// AWS CLI reading what it exported. Includes the blog posts' workflows (shared/seeds).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expr } from '../support/expressions.js';
import type { CompositeAction, Job } from '../support/runner.js';
import { oidcJobs, useServers } from '../support/servers.js';
import { type StsDouble, startStsDouble } from '../support/sts-double.js';

const ACCOUNT = '123456789012';
const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const CALLER_ARN = 'aws sts get-caller-identity --endpoint-url "$STS_ENDPOINT" --query Arn --output text';

const servers = useServers('moto', 'issuer');

// Every scenario must also keep every secret masked: the factory checks each job's log after each test.
const newJob = oidcJobs(servers, { env: () => ({ STS_ENDPOINT: servers.moto.endpoint }) });

const assumeInputs = (role: string, extra: Record<string, string> = {}) => ({
  'role-to-assume': roleArn(role),
  'aws-region': 'ap-northeast-1',
  'role-session-name': 'GitHubActions-4242',
  'sts-endpoint': servers.moto.endpoint,
  ...extra,
});

/** The CLI's view of the exported credentials, from a later `run:` step. */
async function callerArn(job: Job): Promise<string> {
  const step = await job.run(CALLER_ARN);
  expect(step.exitCode, step.stderr).toBe(0);
  return step.stdout.trim();
}

describe('one role', () => {
  it('exports credentials that a later step uses as the role', async () => {
    const job = newJob();
    const step = await job.uses(assumeInputs('RoleA'));
    expect(step.exitCode, step.stdout + step.stderr).toBe(0);

    const arn = await callerArn(job);
    expect(arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/RoleA/GitHubActions-4242`);
    expect(step.outputs['authenticated-arn']).toBe(arn);
    expect(step.outputs['aws-account-id']).toBe(ACCOUNT);
    expect(job.env.AWS_REGION).toBe('ap-northeast-1');
    expect(job.env.AWS_DEFAULT_REGION).toBe('ap-northeast-1');
    expect(job.env.AWS_ACCESS_KEY_ID).toMatch(/^ASIA/);
    expect(job.env.AWS_SESSION_TOKEN).not.toBe('');
    // The credentials are masked before anything could print them.
    expect(step.stdout).not.toContain(job.env.AWS_SECRET_ACCESS_KEY);
  });

  it('sends the audience input to the OIDC endpoint', async () => {
    const job = newJob();
    const before = servers.issuer.tokens.length;
    const step = await job.uses(assumeInputs('RoleA', { audience: 'sts.example.test' }));
    expect(step.exitCode).toBe(0);
    const jwt = servers.issuer.tokens[before];
    expect(jwt).toBeDefined();
    const claims = JSON.parse(Buffer.from((jwt ?? '').split('.')[1] ?? '', 'base64url').toString('utf8'));
    expect(claims.aud).toBe('sts.example.test');
  });
});

describe('several roles in one job', () => {
  it('RoleA then RoleB: each later step sees the latest role', async () => {
    const job = newJob();
    expect((await job.uses(assumeInputs('RoleA'))).exitCode).toBe(0);
    expect(await callerArn(job)).toContain(':assumed-role/RoleA/');
    const firstKey = job.env.AWS_ACCESS_KEY_ID;

    expect((await job.uses(assumeInputs('RoleB'))).exitCode).toBe(0);
    expect(await callerArn(job)).toContain(':assumed-role/RoleB/');
    expect(job.env.AWS_ACCESS_KEY_ID).not.toBe(firstKey);
  });

  it('a refreshing profile after plain credentials takes over the region and the identity too', async () => {
    const job = newJob();
    expect((await job.uses(assumeInputs('RoleA', { 'aws-region': 'us-east-1' }))).exitCode).toBe(0);
    const step = await job.uses(
      assumeInputs('RoleB', { 'aws-region': 'eu-west-1', 'refresh-credentials': 'true' }),
    );
    expect(step.exitCode, step.stdout).toBe(0);
    expect(job.env.AWS_REGION).toBe('eu-west-1');
    expect(job.env.AWS_DEFAULT_REGION).toBe('eu-west-1');
    expect(job.env.AWS_ACCESS_KEY_ID).toBe('');
    expect(job.env.AWS_CREDENTIALS_ACTION_ARN).toContain(':assumed-role/RoleB/');
    const notices = step.annotations.filter((a) => a.level === 'notice').map((a) => a.message);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/assumed-role\/RoleA\/.*assumed-role\/RoleB\//s);
    expect(await callerArn(job)).toContain(':assumed-role/RoleB/');
  });

  it('plain credentials after a refreshing profile: the CLI sees them, and a warning names AWS_PROFILE', async () => {
    const job = newJob();
    // A named refreshing profile is exported as AWS_PROFILE (the default profile is not: no warning).
    const refreshing = { 'refresh-credentials': 'true', 'aws-profile': 'refreshing' };
    expect((await job.uses(assumeInputs('RoleA', refreshing))).exitCode).toBe(0);
    expect(job.env.AWS_PROFILE).toBe('refreshing');
    const step = await job.uses(assumeInputs('RoleB'));
    expect(step.exitCode, step.stdout).toBe(0);
    const warnings = step.annotations.filter((a) => a.level === 'warning').map((a) => a.message);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('AWS_PROFILE is "refreshing"');
    expect(await callerArn(job)).toContain(':assumed-role/RoleB/');
  });

  // shared/seeds/004: a composite action that assumes a role and calls the CLI, used twice.
  it('a composite used twice (RoleA, then RoleB) sees RoleB inside the second use', async () => {
    const job = newJob();
    const single: CompositeAction = {
      inputs: { 'role-to-assume': {} },
      steps: [
        {
          uses: 'self',
          with: {
            'aws-region': 'ap-northeast-1',
            'role-to-assume': expr('inputs.role-to-assume'),
            'role-session-name': 'GitHubActions-4242',
            'sts-endpoint': expr('env.STS_ENDPOINT'),
          },
        },
        { run: CALLER_ARN },
      ],
    };
    const first = await job.composite(single, { 'role-to-assume': roleArn('myrole_A') });
    expect(first.map((s) => s.exitCode)).toEqual([0, 0]);
    expect(first[1]?.stdout.trim()).toContain(':assumed-role/myrole_A/');

    const second = await job.composite(single, { 'role-to-assume': roleArn('myrole_B') });
    expect(second.map((s) => s.exitCode)).toEqual([0, 0]);
    expect(second[1]?.stdout.trim()).toContain(':assumed-role/myrole_B/');
    // And after the composite, the job's own steps see RoleB too.
    expect(await callerArn(job)).toContain(':assumed-role/myrole_B/');
  });

  it('one composite that assumes two roles in turn', async () => {
    const job = newJob();
    const both: CompositeAction = {
      steps: [
        { uses: 'self', with: assumeInputs('myrole_A') },
        { run: CALLER_ARN },
        { uses: 'self', with: assumeInputs('myrole_B') },
        { run: CALLER_ARN },
      ],
    };
    const steps = await job.composite(both);
    expect(steps.map((s) => s.exitCode)).toEqual([0, 0, 0, 0]);
    expect(steps[1]?.stdout).toContain(':assumed-role/myrole_A/');
    expect(steps[3]?.stdout).toContain(':assumed-role/myrole_B/');
  });
});

describe('the post step', () => {
  it('blanks the exported credentials when the job ends, and leaves the region', async () => {
    const job = newJob();
    expect((await job.uses(assumeInputs('RoleA'))).exitCode).toBe(0);
    expect(job.env.AWS_SECRET_ACCESS_KEY).not.toBe('');
    const region = job.env.AWS_REGION;
    expect(region).not.toBe('');

    const posts = await job.post();
    expect(posts).toHaveLength(1);
    expect(posts[0]?.exitCode).toBe(0);
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) {
      expect(job.env[name], name).toBe('');
    }
    // An empty region breaks botocore in a later post step; a region is no secret.
    expect(job.env.AWS_REGION).toBe(region);
  });

  it('is skipped when AWS_SKIP_CLEANUP_STEP is true', async () => {
    const job = newJob({ AWS_SKIP_CLEANUP_STEP: 'true' });
    expect((await job.uses(assumeInputs('RoleA'))).exitCode).toBe(0);
    const key = job.env.AWS_ACCESS_KEY_ID;
    await job.post();
    expect(job.env.AWS_ACCESS_KEY_ID).toBe(key);
  });
});

// shared/seeds/000: a step writes the token file by hand with curl, then the action uses it.
it('a token file fetched with curl, then web-identity-token-file', async () => {
  const job = newJob();
  const fetched = await job.run(
    [
      'export AWS_WEB_IDENTITY_TOKEN_FILE="$RUNNER_TEMP/awscreds"',
      'echo "AWS_WEB_IDENTITY_TOKEN_FILE=$AWS_WEB_IDENTITY_TOKEN_FILE" >> "$GITHUB_ENV"',
      `echo "AWS_ROLE_ARN=${roleArn('ExampleGithubRole')}" >> "$GITHUB_ENV"`,
      'curl -sf -H "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" "$ACTIONS_ID_TOKEN_REQUEST_URL" ' +
        '| jq -r .value > "$AWS_WEB_IDENTITY_TOKEN_FILE"',
    ].join('\n'),
  );
  expect(fetched.exitCode, fetched.stderr).toBe(0);
  const tokenFile = job.env.AWS_WEB_IDENTITY_TOKEN_FILE ?? '';

  const step = await job.uses({
    'role-to-assume': job.env.AWS_ROLE_ARN ?? '',
    'web-identity-token-file': tokenFile,
    'aws-region': 'us-east-1',
    'role-duration-seconds': '900',
    'role-session-name': 'GitHubActionsTestSession',
    'sts-endpoint': servers.moto.endpoint,
  });
  expect(step.exitCode, step.stdout).toBe(0);
  expect(await callerArn(job)).toBe(
    `arn:aws:sts::${ACCOUNT}:assumed-role/ExampleGithubRole/GitHubActionsTestSession`,
  );
});

describe('without id-token: write', () => {
  let sts: StsDouble;
  beforeAll(async () => {
    sts = await startStsDouble();
    sts.addRole({ arn: roleArn('RoleA') });
  });
  afterAll(async () => sts?.stop());

  it('fails before calling STS, saying how to grant the permission', async () => {
    const job = newJob({ ACTIONS_ID_TOKEN_REQUEST_URL: '', ACTIONS_ID_TOKEN_REQUEST_TOKEN: '' });
    const step = await job.uses({
      'role-to-assume': roleArn('RoleA'),
      'aws-region': 'us-east-1',
      'sts-endpoint': sts.endpoint,
    });
    expect(step.exitCode).not.toBe(0);
    const errors = step.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toContain('id-token: write');
    expect(errors[0]?.message).toMatch(/fork/i);
    expect(sts.calls).toHaveLength(0);
  });
});

describe('bad inputs', () => {
  it.each([
    ['aws-region', { 'aws-region': 'US East 1' }],
    ['role-to-assume', { 'role-to-assume': 'arn:aws:iam::12345:role/Short' }],
    ['role-session-name', { 'role-session-name': 'has space' }],
    ['role-duration-seconds', { 'role-duration-seconds': '60' }],
  ])('%s is rejected with one error naming it, before any network call', async (input, override) => {
    const job = newJob();
    const before = servers.issuer.requests;
    const step = await job.uses({ ...assumeInputs('RoleA'), ...override });
    expect(step.exitCode).not.toBe(0);
    const errors = step.annotations.filter((a) => a.level === 'error');
    expect(errors).toHaveLength(1);
    expect(`${errors[0]?.title} ${errors[0]?.message}`).toContain(input);
    expect(servers.issuer.requests).toBe(before);
  });
});
