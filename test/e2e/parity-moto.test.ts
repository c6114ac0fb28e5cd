// Issue 3, happy paths: each credential source and the inputs that shape the result, run as GitHub
// runs the action, against moto as STS and IAM, with the real AWS CLI using what was exported.

import { randomBytes } from 'node:crypto';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expr } from '../support/expressions.js';
import { callerIdentity, callerIdentityFails, errorOf, expectSuccess } from '../support/job-fixture.js';
import type { Job } from '../support/runner.js';
import { oidcJobs, useServers } from '../support/servers.js';
import { awsCli } from '../support/tools.js';

const ACCOUNT = '123456789012'; // moto's account
const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const sessionArn = (role: string, session = 'GitHubActions') =>
  `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${session}`;

const servers = useServers('moto', 'issuer');
/** An IAM user moto knows, with an access key made through moto's IAM API. */
let user: { arn: string; accessKeyId: string; secretAccessKey: string };

beforeAll(async () => {
  const admin = {
    AWS_ACCESS_KEY_ID: 'AKIAADMINEXAMPLE0001',
    AWS_SECRET_ACCESS_KEY: 'admin-secret-not-checked-by-moto',
    AWS_DEFAULT_REGION: 'us-east-1',
  };
  const iam = async (args: string[]) => {
    const r = await awsCli(
      ['iam', ...args, '--endpoint-url', servers.moto.endpoint, '--output', 'json'],
      admin,
    );
    if (r.exitCode !== 0) throw new Error(`aws iam ${args[0]} failed: ${r.stderr}`);
    return JSON.parse(r.stdout);
  };
  const created = await iam(['create-user', '--user-name', 'ci-bot']);
  const key = await iam(['create-access-key', '--user-name', 'ci-bot']);
  user = {
    arn: created.User.Arn,
    accessKeyId: key.AccessKey.AccessKeyId,
    secretAccessKey: key.AccessKey.SecretAccessKey,
  };
});

const newJob = oidcJobs(servers, { secrets: () => [user.secretAccessKey] });

const base = (extra: Record<string, string> = {}) => ({
  'aws-region': 'eu-west-1',
  'sts-endpoint': servers.moto.endpoint,
  ...extra,
});
const keys = () => ({ 'aws-access-key-id': user.accessKeyId, 'aws-secret-access-key': user.secretAccessKey });

async function assumeWithOidc(job: Job, role: string, extra: Record<string, string> = {}) {
  const step = await job.uses(base({ 'role-to-assume': roleArn(role), ...extra }));
  expectSuccess(step);
  return step;
}

describe('credential sources', () => {
  it('OIDC: the CLI acts as the role, and the outputs name it', async () => {
    const job = newJob();
    const step = await assumeWithOidc(job, 'RoleA');
    const identity = await callerIdentity(job, servers.moto.endpoint);
    expect(identity.Arn).toBe(sessionArn('RoleA'));
    expect(step.outputs).toEqual({ 'aws-account-id': ACCOUNT, 'authenticated-arn': sessionArn('RoleA') });
    expect([job.env.AWS_REGION, job.env.AWS_DEFAULT_REGION]).toEqual(['eu-west-1', 'eu-west-1']);
    const token = servers.issuer.tokens.at(-1) ?? '';
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    expect(claims.aud).toBe('sts.amazonaws.com'); // the audience input's default
  });

  it('static keys and no role: exported as they are, with no session token', async () => {
    const job = newJob();
    const step = await job.uses(base(keys()));
    expectSuccess(step);
    expect((await callerIdentity(job, servers.moto.endpoint)).Arn).toBe(user.arn);
    expect(job.env.AWS_ACCESS_KEY_ID).toBe(user.accessKeyId);
    expect(job.env.AWS_SESSION_TOKEN).toBe('');
    expect(step.outputs['authenticated-arn']).toBe(user.arn);
  });

  it('OIDC for RoleA, then static IAM-user keys with no role: the CLI shows the IAM user', async () => {
    const job = newJob();
    await assumeWithOidc(job, 'RoleA');
    expect((await callerIdentity(job, servers.moto.endpoint)).Arn).toBe(sessionArn('RoleA'));
    expect(job.env.AWS_SESSION_TOKEN).not.toBe('');

    expectSuccess(await job.uses(base(keys())));
    const check = await job.run('test -z "$AWS_SESSION_TOKEN" && echo "no session token"');
    expect(check.stdout).toBe('no session token');
    expect((await callerIdentity(job, servers.moto.endpoint)).Arn).toBe(user.arn);
  });

  it('static keys and a role: AssumeRole, with role-session-name and role-duration-seconds', async () => {
    const job = newJob();
    const before = Date.now();
    const step = await job.uses(
      base({
        ...keys(),
        'role-to-assume': roleArn('Deploy'),
        'role-session-name': 'deploy-42',
        'role-duration-seconds': '1800',
        'output-credentials': 'true',
      }),
    );
    expectSuccess(step);
    expect((await callerIdentity(job, servers.moto.endpoint)).Arn).toBe(sessionArn('Deploy', 'deploy-42'));
    const expires = Date.parse(step.outputs['aws-expiration'] ?? '');
    expect(expires - before).toBeGreaterThan(1790_000);
    expect(expires - before).toBeLessThan(1810_000 + (Date.now() - before));
  });

  it('a bare role name with static keys takes the account of the keys', async () => {
    const job = newJob();
    expectSuccess(await job.uses(base({ ...keys(), 'role-to-assume': 'Deploy' })));
    expect((await callerIdentity(job, servers.moto.endpoint)).Arn).toBe(sessionArn('Deploy'));
  });

  it('a token file, relative to GITHUB_WORKSPACE, as on EKS; no OIDC request is made', async () => {
    const job = newJob();
    mkdirSync(join(job.workspace, 'eks'));
    const jwt = `eyJhbGciOiJSUzI1NiJ9.${Buffer.from('{"sub":"system:serviceaccount:ci:runner"}').toString('base64url')}.${randomBytes(32).toString('base64url')}`;
    job.addSecret(jwt);
    writeFileSync(join(job.workspace, 'eks', 'token'), `${jwt}\n`);
    const requests = servers.issuer.requests;
    const step = await job.uses(
      base({ 'role-to-assume': roleArn('Runner'), 'web-identity-token-file': 'eks/token' }),
    );
    expectSuccess(step);
    expect((await callerIdentity(job, servers.moto.endpoint)).Arn).toBe(sessionArn('Runner'));
    expect(servers.issuer.requests).toBe(requests);
  });

  it('a token file link is followed, but one that ends at a directory is refused', async () => {
    const job = newJob();
    mkdirSync(join(job.runnerTemp, 'a-directory'));
    symlinkSync(join(job.runnerTemp, 'a-directory'), join(job.workspace, 'token'));
    const error = errorOf(
      await job.uses(base({ 'role-to-assume': roleArn('Runner'), 'web-identity-token-file': 'token' })),
    );
    expect(error.title).toBe('Token file is not a file');
    expect(error.message).toMatch(/after following symbolic links/);
    expect(job.env.AWS_ACCESS_KEY_ID).toBeUndefined();
  });

  it('role chaining: OIDC for a hub role, then a bare spoke role name from its credentials', async () => {
    const job = newJob();
    await assumeWithOidc(job, 'Hub');
    const requests = servers.issuer.requests;
    const step = await job.uses(base({ 'role-chaining': 'true', 'role-to-assume': 'Spoke' }));
    expectSuccess(step);
    expect((await callerIdentity(job, servers.moto.endpoint)).Arn).toBe(sessionArn('Spoke'));
    expect(servers.issuer.requests).toBe(requests);
  });
});

describe('what is exported', () => {
  it('output-credentials: step outputs the CLI can use, the expiry as plain ISO-8601', async () => {
    const job = newJob();
    const step = await assumeWithOidc(job, 'RoleA', { 'output-credentials': 'true' });
    const out = step.outputs;
    expect(out['aws-access-key-id']).toBe(job.env.AWS_ACCESS_KEY_ID);
    expect(out['aws-secret-access-key']).toBe(job.env.AWS_SECRET_ACCESS_KEY);
    expect(out['aws-session-token']).toBe(job.env.AWS_SESSION_TOKEN);
    expect(out['aws-expiration']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(Date.parse(out['aws-expiration'] ?? '')).toBeGreaterThan(Date.now());
  });

  it('output-env-credentials: false exports nothing, not even the region; the outputs still work', async () => {
    const job = newJob();
    const step = await assumeWithOidc(job, 'RoleA', {
      'output-env-credentials': 'false',
      'output-credentials': 'true',
    });
    expect(step.envWrites).toEqual({});
    await callerIdentityFails(job, servers.moto.endpoint);
    const identity = await callerIdentity(job, servers.moto.endpoint, {
      AWS_ACCESS_KEY_ID: step.outputs['aws-access-key-id'] ?? '',
      AWS_SECRET_ACCESS_KEY: step.outputs['aws-secret-access-key'] ?? '',
      AWS_SESSION_TOKEN: step.outputs['aws-session-token'] ?? '',
      AWS_DEFAULT_REGION: 'eu-west-1',
    });
    expect(identity.Arn).toBe(sessionArn('RoleA'));
  });

  it('unset-current-credentials blanks what earlier steps left', async () => {
    const job = newJob();
    await assumeWithOidc(job, 'RoleA');
    const step = await assumeWithOidc(job, 'RoleB', {
      'unset-current-credentials': 'true',
      'output-env-credentials': 'false',
    });
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_REGION']) {
      expect(step.envWrites[name], name).toBe('');
    }
    expect(await callerIdentityFails(job, servers.moto.endpoint)).toMatch(/credentials|region/i);
  });

  it('mask-aws-account-id: the account is masked in the log and in later steps', async () => {
    const job = newJob();
    const step = await assumeWithOidc(job, 'RoleA', { 'mask-aws-account-id': 'true' });
    expect(step.outputs['aws-account-id']).toBe(ACCOUNT);
    expect(step.stdout).not.toContain(ACCOUNT);
    expect(step.stdout).toContain('***');
    const later = await job.run('echo "account=$ACCOUNT_ID"', { env: { ACCOUNT_ID: ACCOUNT } });
    expect(later.stdout).toBe('account=***');
  });

  it('the post step blanks the credentials; AWS_SKIP_CLEANUP_STEP=true keeps them', async () => {
    const job = newJob();
    await assumeWithOidc(job, 'RoleA');
    const [post] = await job.post();
    expect(post?.envWrites.AWS_ACCESS_KEY_ID).toBe('');
    await callerIdentityFails(job, servers.moto.endpoint);

    const kept = newJob({ AWS_SKIP_CLEANUP_STEP: 'true' });
    await assumeWithOidc(kept, 'RoleA');
    const [skipped] = await kept.post();
    expect(skipped?.skipped).toBe(true);
    expect((await callerIdentity(kept, servers.moto.endpoint)).Arn).toBe(sessionArn('RoleA'));
  });
});

describe('inputs from the environment', () => {
  it('AWS_REGION, ROLE_TO_ASSUME and ROLE_SESSION_NAME stand in for inputs; an input wins', async () => {
    const job = newJob({
      AWS_REGION: 'ap-south-1',
      ROLE_TO_ASSUME: roleArn('FromEnv'),
      ROLE_SESSION_NAME: 'env-session',
    });
    expectSuccess(await job.uses({ 'sts-endpoint': servers.moto.endpoint }));
    expect((await callerIdentity(job, servers.moto.endpoint)).Arn).toBe(sessionArn('FromEnv', 'env-session'));
    expect(job.env.AWS_DEFAULT_REGION).toBe('ap-south-1');

    expectSuccess(
      await job.uses({ 'sts-endpoint': servers.moto.endpoint, 'role-to-assume': roleArn('Given') }),
    );
    expect((await callerIdentity(job, servers.moto.endpoint)).Arn).toBe(sessionArn('Given', 'env-session'));
  });

  it('exported AWS_ACCESS_KEY_ID is never read back as the aws-access-key-id input', async () => {
    const job = newJob();
    await assumeWithOidc(job, 'RoleA');
    const requests = servers.issuer.requests;
    // Were the exported keys read as inputs, this would be AssumeRole from RoleA, not OIDC.
    await assumeWithOidc(job, 'RoleB');
    expect(servers.issuer.requests).toBe(requests + 1);
    expect((await callerIdentity(job, servers.moto.endpoint)).Arn).toBe(sessionArn('RoleB'));
  });
});

describe('use-existing-credentials', () => {
  it('keeps valid credentials of the same role: no token, no STS assume, nothing re-exported', async () => {
    const job = newJob();
    await assumeWithOidc(job, 'RoleA');
    const keyBefore = job.env.AWS_ACCESS_KEY_ID;
    const requests = servers.issuer.requests;
    const step = await assumeWithOidc(job, 'RoleA', { 'use-existing-credentials': 'true' });
    expect(servers.issuer.requests).toBe(requests);
    expect(step.envWrites.AWS_ACCESS_KEY_ID).toBeUndefined();
    expect(job.env.AWS_ACCESS_KEY_ID).toBe(keyBefore);
    expect(step.outputs['authenticated-arn']).toBe(sessionArn('RoleA'));
    expect(step.stdout).toMatch(/keeping them/);
  });

  it("'false' means false (upstream treats any text as true)", async () => {
    const job = newJob();
    await assumeWithOidc(job, 'RoleA');
    const requests = servers.issuer.requests;
    const step = await assumeWithOidc(job, 'RoleA', { 'use-existing-credentials': 'false' });
    expect(servers.issuer.requests).toBe(requests + 1);
    expect(step.envWrites.AWS_ACCESS_KEY_ID).toMatch(/^ASIA/);
  });

  it('gets new credentials when there are none, or they are for another role', async () => {
    const job = newJob();
    const first = await assumeWithOidc(job, 'RoleA', { 'use-existing-credentials': 'true' });
    expect(first.stdout).toMatch(/no valid credentials in place/);
    expect((await callerIdentity(job, servers.moto.endpoint)).Arn).toBe(sessionArn('RoleA'));

    const second = await assumeWithOidc(job, 'RoleB', { 'use-existing-credentials': 'true' });
    expect(second.stdout).toMatch(/not a session of/);
    expect((await callerIdentity(job, servers.moto.endpoint)).Arn).toBe(sessionArn('RoleB'));
  });

  it('in a composite action used twice, the second use keeps what the first got', async () => {
    const job = newJob();
    const action = {
      inputs: { role: {} },
      steps: [
        {
          uses: 'self' as const,
          with: {
            'role-to-assume': expr('inputs.role'),
            'aws-region': 'eu-west-1',
            'sts-endpoint': servers.moto.endpoint,
            'use-existing-credentials': 'true',
          },
        },
        {
          run: 'aws sts get-caller-identity --endpoint-url "$EP" --query Arn --output text',
          env: { EP: servers.moto.endpoint },
        },
      ],
    };
    const requests = servers.issuer.requests;
    const first = await job.composite(action, { role: roleArn('RoleA') });
    const second = await job.composite(action, { role: roleArn('RoleA') });
    for (const results of [first, second]) {
      expect(
        results.map((r) => r.exitCode),
        `${results[0]?.stdout}|${results[0]?.stderr}`,
      ).toEqual([0, 0]);
      expect(results[1]?.stdout).toBe(sessionArn('RoleA'));
    }
    expect(servers.issuer.requests).toBe(requests + 1);
  });
});
