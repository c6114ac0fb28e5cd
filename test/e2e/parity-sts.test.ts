// Issue 3, what moto cannot show: SigV4-signed AssumeRole with static keys, session tags, external
// id, session policies, role chaining from a hub role and allowed-account-ids, against the local
// STS double, which checks every signature and records every parameter it received.

import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { callerIdentity, errorOf, expectSuccess } from '../support/job-fixture.js';
import { GITHUB_SHA } from '../support/runner.js';
import { oidcJobs, useServers } from '../support/servers.js';
import { listParam, type RecordedCall, tagsOf } from '../support/sts-double.js';

const HUB_ACCOUNT = '111111111111';
const SPOKE_ACCOUNT = '222222222222';
const USER_ACCOUNT = '123456789012';
const ROLE_A = `arn:aws:iam::${HUB_ACCOUNT}:role/RoleA`;
const HUB = `arn:aws:iam::${HUB_ACCOUNT}:role/Hub`;
const SPOKE = `arn:aws:iam::${SPOKE_ACCOUNT}:role/Spoke`;
const DEPLOY = `arn:aws:iam::${USER_ACCOUNT}:role/Deploy`;
const PACKED = `arn:aws:iam::${USER_ACCOUNT}:role/Packed`;
const TINY = `arn:aws:iam::${USER_ACCOUNT}:role/Tiny`;
const USER = {
  accessKeyId: 'AKIAPARITYUSER000001',
  // '/' and '+' on purpose: the signing key must survive them.
  secretAccessKey: `ci/bot+${randomBytes(16).toString('hex')}`,
  arn: `arn:aws:iam::${USER_ACCOUNT}:user/ci-bot`,
};
const EXTERNAL_ID = 'partner-42';
const GITHUB_TRUST = { sub: ['repo:acme/app:*'], aud: ['sts.amazonaws.com'] };
/** What the runner emulator's job context holds (runner.ts), as upstream tags it. */
const CONTEXT_TAGS = {
  GitHub: 'Actions',
  Repository: 'acme/app',
  Workflow: 'ci',
  Actor: 'octocat',
  Commit: GITHUB_SHA,
  Branch: 'refs/heads/main',
};

const servers = useServers('sts', 'issuer');
beforeAll(() => {
  servers.sts.addUser(USER);
  servers.sts.addRole({ arn: ROLE_A, trust: GITHUB_TRUST, principals: [USER.arn] });
  servers.sts.addRole({ arn: HUB, trust: GITHUB_TRUST });
  servers.sts.addRole({ arn: SPOKE, principals: [HUB] });
  servers.sts.addRole({
    arn: DEPLOY,
    principals: [USER.arn],
    externalId: EXTERNAL_ID,
    maxSessionDuration: 7200,
  });
  servers.sts.addRole({ arn: PACKED, principals: [USER.arn], maxPackedTags: 4 });
  servers.sts.addRole({ arn: TINY, principals: [USER.arn], maxPackedTags: 2 });
});

const newJob = oidcJobs(servers, { secrets: () => [USER.secretAccessKey] });

const base = (extra: Record<string, string> = {}) => ({
  'aws-region': 'us-east-1',
  'sts-endpoint': servers.sts.endpoint,
  ...extra,
});
const keys = { 'aws-access-key-id': USER.accessKeyId, 'aws-secret-access-key': USER.secretAccessKey };
const sessionArn = (roleArn: string, session = 'GitHubActions') => {
  const [, , , , account, resource = ''] = roleArn.split(':');
  return `arn:aws:sts::${account}:assumed-role/${resource.split('/').pop()}/${session}`;
};

/** The STS calls made while `body` ran. */
async function callsDuring(body: () => Promise<unknown>): Promise<RecordedCall[]> {
  const from = servers.sts.calls.length;
  await body();
  return servers.sts.calls.slice(from);
}

const actions = (calls: RecordedCall[]) => calls.map((c) => c.action);

describe('AssumeRole from static keys', () => {
  it("is signed with the user's key and carries every input: tags, external id, policies, duration", async () => {
    const job = newJob();
    const policy =
      '{\n  "Version": "2012-10-17",\n  "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]\n}';
    const calls = await callsDuring(async () => {
      const step = await job.uses(
        base({
          ...keys,
          'role-to-assume': DEPLOY,
          'role-external-id': EXTERNAL_ID,
          'role-session-name': 'deploy-7',
          'role-duration-seconds': '7200',
          'inline-session-policy': policy,
          'managed-session-policies':
            'arn:aws:iam::aws:policy/ReadOnlyAccess\narn:aws:iam::123456789012:policy/Extra',
          'custom-tags': '{"Team":"payments","Cost Center":42}',
          'transitive-tag-keys': 'Repository\nTeam',
        }),
        { id: 'deploy' },
      );
      expectSuccess(step);
    });
    expect(actions(calls)).toEqual(['AssumeRole']);
    const call = calls[0] as RecordedCall;
    expect(call.signedBy).toBe(USER.accessKeyId);
    expect(call.params).toMatchObject({
      RoleArn: DEPLOY,
      RoleSessionName: 'deploy-7',
      DurationSeconds: '7200',
      ExternalId: EXTERNAL_ID,
      Policy: JSON.stringify(JSON.parse(policy)),
    });
    expect(listParam(call, 'PolicyArns.member', 'arn')).toEqual([
      'arn:aws:iam::aws:policy/ReadOnlyAccess',
      'arn:aws:iam::123456789012:policy/Extra',
    ]);
    expect(tagsOf(call)).toEqual({
      ...CONTEXT_TAGS,
      Action: 'deploy',
      Team: 'payments',
      'Cost Center': '42',
    });
    expect(listParam(call, 'TransitiveTagKeys.member')).toEqual(['Repository', 'Team']);
    expect((await callerIdentity(job, servers.sts.endpoint)).Arn).toBe(sessionArn(DEPLOY, 'deploy-7'));
  });

  it('masks the input keys before anything could print them', async () => {
    const job = newJob();
    const step = await job.uses(base({ ...keys, 'role-to-assume': DEPLOY, 'role-external-id': EXTERNAL_ID }));
    expect(step.exitCode, step.stdout).toBe(0);
    expect(job.mask(`key ${USER.secretAccessKey}`)).toBe('key ***');
    expect(job.mask(`id ${USER.accessKeyId}`)).toBe('id ***');
  });

  it('without the external id the role refuses, and nothing is exported', async () => {
    const job = newJob();
    const step = await job.uses(base({ ...keys, 'role-to-assume': DEPLOY }));
    expect(errorOf(step).title).toMatch(/AccessDenied/);
    expect(job.env.AWS_ACCESS_KEY_ID).toBeUndefined();
  });

  it('sanitizes tag values from the GitHub context as upstream does', async () => {
    const job = newJob(
      {},
      { github: { GITHUB_WORKFLOW: 'Deploy (prod) #1', GITHUB_REF: 'refs/heads/fix/a*b' } },
    );
    const [call] = await callsDuring(async () =>
      expectSuccess(await job.uses(base({ ...keys, 'role-to-assume': ROLE_A }))),
    );
    expect(tagsOf(call as RecordedCall)).toMatchObject({
      Workflow: 'Deploy _prod_ _1',
      Branch: 'refs/heads/fix/a_b',
    });
  });

  it('role-skip-session-tagging sends no tags at all', async () => {
    const job = newJob();
    const [call] = await callsDuring(async () =>
      expectSuccess(
        await job.uses(
          base({
            ...keys,
            'role-to-assume': ROLE_A,
            'role-skip-session-tagging': 'true',
            'custom-tags': '{"Team":"payments"}',
            'transitive-tag-keys': 'Team',
          }),
        ),
      ),
    );
    expect(
      Object.keys((call as RecordedCall).params).filter((k) => /^(Tags|TransitiveTagKeys)\./.test(k)),
    ).toEqual([]);
  });

  it('with mask-aws-account-id, the account looked up for a bare role name never shows', async () => {
    const job = newJob();
    // No external id: the role refuses, and STS's message names the account.
    const step = await job.uses(base({ ...keys, 'role-to-assume': 'Deploy', 'mask-aws-account-id': 'true' }));
    expect(step.exitCode).not.toBe(0);
    expect(step.annotations.filter((a) => a.level === 'error')).toHaveLength(1);
    expect(`${step.stdout}\n${step.stderr}`).not.toContain(USER_ACCOUNT);
    expect(job.mask(USER_ACCOUNT)).toBe('***');
  });

  it('a bare role name is resolved in the account of the keys', async () => {
    const job = newJob();
    const calls = await callsDuring(async () => {
      expectSuccess(
        await job.uses(base({ ...keys, 'role-to-assume': 'Deploy', 'role-external-id': EXTERNAL_ID })),
      );
    });
    expect(actions(calls)).toEqual(['GetCallerIdentity', 'AssumeRole']);
    expect(calls[1]?.params.RoleArn).toBe(DEPLOY);
  });

  it('PackedPolicyTooLarge: one more try without the droppable tags, with a warning', async () => {
    const job = newJob();
    let step = await job.uses(
      base({ ...keys, 'role-to-assume': PACKED, 'custom-tags': '{"Team":"payments"}' }),
    );
    const calls = servers.sts.calls.slice(-2);
    expectSuccess(step);
    expect(calls.map((c) => [c.action, c.errorCode])).toEqual([
      ['AssumeRole', 'PackedPolicyTooLarge'],
      ['AssumeRole', undefined],
    ]);
    expect(Object.keys(tagsOf(calls[0] as RecordedCall))).toHaveLength(8);
    expect(tagsOf(calls[1] as RecordedCall)).toEqual({
      GitHub: 'Actions',
      Repository: 'acme/app',
      Commit: GITHUB_SHA,
    });
    const warning = step.annotations.find((a) => a.level === 'warning');
    expect(warning?.message).toMatch(/PackedPolicyTooLarge/);
    expect(warning?.message).toContain('Team');

    // Still too large: exactly one more try, then the error.
    const tiny = await callsDuring(async () => {
      step = await job.uses(base({ ...keys, 'role-to-assume': TINY }));
    });
    expect(tiny.map((c) => c.errorCode)).toEqual(['PackedPolicyTooLarge', 'PackedPolicyTooLarge']);
    expect(errorOf(step).title).toMatch(/PackedPolicyTooLarge/);
  });
});

describe('temporary static keys (aws-session-token)', () => {
  it('are exported with their token, or sign AssumeRole with it', async () => {
    const first = newJob();
    const oidc = await first.uses(base({ 'role-to-assume': HUB, 'output-credentials': 'true' }));
    expectSuccess(oidc);
    const temporary = {
      'aws-access-key-id': oidc.outputs['aws-access-key-id'] ?? '',
      'aws-secret-access-key': oidc.outputs['aws-secret-access-key'] ?? '',
      'aws-session-token': oidc.outputs['aws-session-token'] ?? '',
    };

    const job = newJob();
    const calls = await callsDuring(async () => {
      expectSuccess(await job.uses(base(temporary)));
      expect(job.env.AWS_SESSION_TOKEN).toBe(temporary['aws-session-token']);
      expect((await callerIdentity(job, servers.sts.endpoint)).Arn).toBe(sessionArn(HUB));
      expectSuccess(await job.uses(base({ ...temporary, 'role-to-assume': SPOKE })));
    });
    expect(actions(calls)).toEqual(['GetCallerIdentity', 'GetCallerIdentity', 'AssumeRole']);
    expect(calls.map((c) => c.signedBy)).toEqual(Array(3).fill(temporary['aws-access-key-id']));
    expect((await callerIdentity(job, servers.sts.endpoint)).Arn).toBe(sessionArn(SPOKE));
  });
});

describe('web identity', () => {
  it('sends no session tags with OIDC or a token file, whatever the tag inputs say', async () => {
    const job = newJob();
    const tagInputs = { 'custom-tags': '{"Team":"payments"}', 'transitive-tag-keys': 'Team' };
    const tokenFile = join(job.workspace, 'token');
    const calls = await callsDuring(async () => {
      expectSuccess(await job.uses(base({ 'role-to-assume': ROLE_A, ...tagInputs })));
      const res = await fetch(`${servers.issuer.requestUrl}&audience=sts.amazonaws.com`, {
        headers: { authorization: `Bearer ${servers.issuer.requestToken}` },
        signal: AbortSignal.timeout(5_000),
      });
      writeFileSync(tokenFile, ((await res.json()) as { value: string }).value);
      expectSuccess(
        await job.uses(
          base({ 'role-to-assume': ROLE_A, 'web-identity-token-file': tokenFile, ...tagInputs }),
        ),
      );
    });
    expect(actions(calls)).toEqual(['AssumeRoleWithWebIdentity', 'AssumeRoleWithWebIdentity']);
    for (const call of calls) {
      expect(Object.keys(call.params).filter((k) => /^(Tags|TransitiveTagKeys)\./.test(k))).toEqual([]);
    }
  });

  it('special-characters-workaround: assumes again until the secret is letters and digits', async () => {
    const job = newJob();
    const issued = servers.sts.issued.length;
    const step = await job.uses(
      base({ 'role-to-assume': ROLE_A, 'special-characters-workaround': 'true', 'retry-max-attempts': '60' }),
    );
    expectSuccess(step);
    expect(job.env.AWS_SECRET_ACCESS_KEY).toMatch(/^[A-Za-z0-9]+$/);
    // The exported key is the last one issued; every earlier one had a special character.
    const mine = servers.sts.issued.slice(issued);
    expect(mine.at(-1)?.accessKeyId).toBe(job.env.AWS_ACCESS_KEY_ID);
    expect((await callerIdentity(job, servers.sts.endpoint)).Arn).toBe(sessionArn(ROLE_A));
  });
});

describe('role chaining from a hub role', () => {
  it('OIDC for the hub, then AssumeRole signed by the hub session, into another account', async () => {
    const job = newJob();
    expectSuccess(await job.uses(base({ 'role-to-assume': HUB })));
    const hubKey = job.env.AWS_ACCESS_KEY_ID;
    const calls = await callsDuring(async () => {
      expectSuccess(await job.uses(base({ 'role-to-assume': SPOKE, 'role-chaining': 'true' })));
    });
    expect(actions(calls)).toEqual(['AssumeRole']);
    expect(calls[0]?.signedBy).toBe(hubKey);
    expect(tagsOf(calls[0] as RecordedCall)).toMatchObject({ GitHub: 'Actions', Repository: 'acme/app' });
    const identity = await callerIdentity(job, servers.sts.endpoint);
    expect(identity).toMatchObject({ Arn: sessionArn(SPOKE), Account: SPOKE_ACCOUNT });
  });
});

describe('allowed-account-ids', () => {
  it('is checked after OIDC: another account fails and exports nothing', async () => {
    const job = newJob();
    const step = await job.uses(base({ 'role-to-assume': ROLE_A, 'allowed-account-ids': SPOKE_ACCOUNT }));
    const error = errorOf(step);
    expect(error.title).toBe('Account not allowed');
    expect(error.message).toContain(HUB_ACCOUNT);
    expect(Object.keys(step.envWrites).filter((k) => k.startsWith('AWS_'))).toEqual([]);
    expect(step.outputs).toEqual({});
  });

  it('is checked for static keys without a role, and after role chaining', async () => {
    const job = newJob();
    errorOf(await job.uses(base({ ...keys, 'allowed-account-ids': HUB_ACCOUNT })));
    expectSuccess(
      await job.uses(base({ ...keys, 'allowed-account-ids': `${HUB_ACCOUNT}, ${USER_ACCOUNT}` })),
    );

    expectSuccess(await job.uses(base({ 'role-to-assume': HUB })));
    const hubKey = job.env.AWS_ACCESS_KEY_ID;
    const chained = await job.uses(
      base({ 'role-to-assume': SPOKE, 'role-chaining': 'true', 'allowed-account-ids': HUB_ACCOUNT }),
    );
    expect(errorOf(chained).message).toContain(SPOKE_ACCOUNT);
    expect(job.env.AWS_ACCESS_KEY_ID).toBe(hubKey);
  });

  it('use-existing-credentials does not keep credentials of an account not allowed', async () => {
    const job = newJob();
    expectSuccess(await job.uses(base({ ...keys })));
    const calls = await callsDuring(async () => {
      expectSuccess(
        await job.uses(
          base({
            'role-to-assume': ROLE_A,
            'use-existing-credentials': 'true',
            'allowed-account-ids': HUB_ACCOUNT,
          }),
        ),
      );
    });
    expect(actions(calls)).toEqual(['GetCallerIdentity', 'AssumeRoleWithWebIdentity']);
    expect((await callerIdentity(job, servers.sts.endpoint)).Arn).toBe(sessionArn(ROLE_A));
  });
});

describe('use-existing-credentials without id-token: write', () => {
  const noToken = { ACTIONS_ID_TOKEN_REQUEST_URL: '', ACTIONS_ID_TOKEN_REQUEST_TOKEN: '' };

  it('keeps a valid session of the role before asking for a token it could not get', async () => {
    const job = newJob(noToken);
    // The role's session comes from the IAM user's keys, so no token is needed for it.
    expectSuccess(await job.uses(base({ ...keys, 'role-to-assume': ROLE_A })));
    const calls = await callsDuring(async () => {
      const step = await job.uses(base({ 'role-to-assume': ROLE_A, 'use-existing-credentials': 'true' }));
      expectSuccess(step);
      expect(step.stdout).toMatch(/keeping them/);
    });
    expect(actions(calls)).toEqual(['GetCallerIdentity']);
  });

  it('with nothing to keep, fails with the id-token explanation', async () => {
    const job = newJob(noToken);
    const error = errorOf(
      await job.uses(base({ 'role-to-assume': ROLE_A, 'use-existing-credentials': 'true' })),
    );
    expect(error.message).toContain('id-token: write');
  });
});

describe('several credential sources in one job', () => {
  it('OIDC for RoleA, then static IAM-user keys with no role: the CLI shows the IAM user', async () => {
    const job = newJob();
    expectSuccess(await job.uses(base({ 'role-to-assume': ROLE_A })));
    expect((await callerIdentity(job, servers.sts.endpoint)).Arn).toBe(sessionArn(ROLE_A));

    expectSuccess(await job.uses(base(keys)));
    // The double refuses a user key sent with a session token: a stale AWS_SESSION_TOKEN would fail here.
    expect((await callerIdentity(job, servers.sts.endpoint)).Arn).toBe(USER.arn);
    expect(
      servers.sts.checkCredentials({
        accessKeyId: job.env.AWS_ACCESS_KEY_ID ?? '',
        secretAccessKey: job.env.AWS_SECRET_ACCESS_KEY ?? '',
        sessionToken: job.env.AWS_SESSION_TOKEN,
      }),
    ).toBe('valid');
  });
});
