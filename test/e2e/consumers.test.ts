// Issue 10: every consumer gets working credentials from every hand-off. The consumers are real:
// the AWS CLI v2 (Debian's awscli) and v1, boto3, the JS SDK v3 default chain and the JS SDK v2,
// each signing GetCallerIdentity against the STS double in a later step of the job. The bundle runs
// on this Node and on Node 24 (what action.yml runs on).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectSuccess } from '../support/job-fixture.js';
import { type Job, REPO_ROOT } from '../support/runner.js';
import { GITHUB_HOSTED, knownSecrets, oidcJobs, useServers } from '../support/servers.js';
import {
  actionNode,
  actionNodes,
  awsCliV1Path,
  awsCliV2Path,
  pythonWithBoto3,
  runTool,
} from '../support/tools.js';

const ACCOUNT = '111111111111';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/Deploy`;
const SESSION_ARN = `arn:aws:sts::${ACCOUNT}:assumed-role/Deploy/GitHubActions`;
const HUB = `arn:aws:iam::${ACCOUNT}:role/Hub`;
const SPOKE = `arn:aws:iam::222222222222:role/Spoke`;
/** The runner's own IAM user, as a self-hosted runner's ~/.aws/credentials might hold it. */
const RUNNER_USER = {
  accessKeyId: 'AKIARUNNERUSER000001',
  secretAccessKey: 'runner-user-secret-0000000000000000000000',
  arn: `arn:aws:iam::${ACCOUNT}:user/runner`,
};
/** What other tools leave in a job: botocore prefers the first and applies the second to any keys. */
const LEFT_BY_OTHER_TOOLS = {
  AWS_SECURITY_TOKEN: 'stale-session-token-from-an-earlier-tool',
  AWS_CREDENTIAL_EXPIRATION: '2001-01-01T00:00:00Z',
};

const servers = useServers('sts', 'issuer');
const jobs = oidcJobs(servers, {
  env: () => GITHUB_HOSTED,
  secrets: () => [...knownSecrets(servers), RUNNER_USER.secretAccessKey],
});

let scripts: string;
const tools = { v2: '', v1: '', python: '' };

beforeAll(() => {
  servers.sts.addRole({ arn: ROLE });
  servers.sts.addRole({ arn: HUB });
  servers.sts.addRole({ arn: SPOKE, principals: [HUB] });
  servers.sts.addRole({
    arn: `arn:aws:iam::${ACCOUNT}:role/OnlyProd`,
    trust: { sub: ['repo:acme/app:environment:prod'] },
  });
  servers.sts.addUser(RUNNER_USER);
  tools.v2 = awsCliV2Path();
  tools.v1 = awsCliV1Path();
  tools.python = pythonWithBoto3();
  scripts = mkdtempSync(join(tmpdir(), 'consumers-'));
  const sdk = (body: string) =>
    [
      "const { createRequire } = require('node:module');",
      `const load = createRequire(${JSON.stringify(join(REPO_ROOT, 'package.json'))});`,
      body,
      'call().then((arn) => console.log(arn), (e) => { console.error(e.message); process.exit(1); });',
    ].join('\n');
  writeFileSync(
    join(scripts, 'v3.cjs'),
    sdk(`const { STSClient, GetCallerIdentityCommand } = load('@aws-sdk/client-sts');
const call = async () => (await new STSClient({ endpoint: process.env.STS }).send(new GetCallerIdentityCommand({}))).Arn;`),
  );
  writeFileSync(
    join(scripts, 'v2.cjs'),
    sdk(`const AWS = load('aws-sdk');
const call = async () => (await new AWS.STS({ endpoint: process.env.STS }).getCallerIdentity({}).promise()).Arn;`),
  );
  writeFileSync(
    join(scripts, 'boto3_consumer.py'),
    `import boto3, os, sys, time
sts = boto3.session.Session().client("sts", endpoint_url=os.environ["STS"])
print(sts.get_caller_identity()["Arn"])
# A long-lived process: it outlives its first credentials and must get new ones by itself.
for _ in range(int(os.environ.get("OUTLIVE", "0"))):
    time.sleep(float(os.environ["OUTLIVE_SLEEP"]))
    print(sts.get_caller_identity()["Arn"])
`,
  );
});
afterAll(() => {
  if (scripts) rmSync(scripts, { recursive: true, force: true });
});
afterEach(() => {
  servers.sts.setCredentialLifetime(null);
});

const CONSUMERS: Record<string, string> = {
  'AWS CLI v2': '"$AWS_V2" sts get-caller-identity --endpoint-url "$STS" --query Arn --output text',
  'AWS CLI v1': '"$AWS_V1" sts get-caller-identity --endpoint-url "$STS" --query Arn --output text',
  boto3: '"$PYTHON" "$SCRIPTS/boto3_consumer.py"',
  'JS SDK v3': '"$NODE" "$SCRIPTS/v3.cjs"',
  'JS SDK v2': '"$NODE" "$SCRIPTS/v2.cjs"',
};

function consumerEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    STS: servers.sts.endpoint,
    AWS_V2: tools.v2,
    AWS_V1: tools.v1,
    PYTHON: tools.python,
    NODE: process.execPath,
    SCRIPTS: scripts,
    AWS_PAGER: '',
    AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1',
    ...extra,
  };
}

/** Each consumer in its own later step: the ARN it acted as, or its error. */
async function whoEachConsumerIs(
  job: Job,
  env: Record<string, string> = {},
): Promise<Record<string, string>> {
  const seen: Record<string, string> = {};
  for (const [name, command] of Object.entries(CONSUMERS)) {
    const step = await job.run(command, { env: consumerEnv(env) });
    seen[name] =
      step.exitCode === 0 ? step.stdout.trim() : `failed: ${step.stderr.trim().split('\n').at(-1)}`;
  }
  return seen;
}

const everyone = (arn: string) => Object.fromEntries(Object.keys(CONSUMERS).map((name) => [name, arn]));

const inputs = (extra: Record<string, string> = {}) => ({
  'role-to-assume': ROLE,
  'aws-region': 'eu-west-1',
  'sts-endpoint': servers.sts.endpoint,
  ...extra,
});

const HAND_OFFS: Record<string, { with: Record<string, string>; consumerEnv: Record<string, string> }> = {
  environment: { with: {}, consumerEnv: {} },
  // As upstream documents it: later steps name the profile.
  profile: { with: { 'aws-profile': 'consumer' }, consumerEnv: { AWS_PROFILE: 'consumer' } },
  'refreshing profile': { with: { 'refresh-credentials': 'true' }, consumerEnv: {} },
  'named refreshing profile': {
    with: { 'refresh-credentials': 'true', 'aws-profile': 'consumer' },
    consumerEnv: {},
  },
};

describe.each(actionNodes())('the bundle on $name', ({ path: node }) => {
  describe.skipIf(!node)('every consumer, every hand-off', () => {
    it.each(Object.keys(HAND_OFFS))('%s', async (mode) => {
      const handOff = HAND_OFFS[mode] as (typeof HAND_OFFS)[string];
      // A job where other tools left AWS_SECURITY_TOKEN / AWS_CREDENTIAL_EXPIRATION behind.
      const job = jobs(LEFT_BY_OTHER_TOOLS, { node });
      expectSuccess(await job.uses(inputs(handOff.with)));
      expect(await whoEachConsumerIs(job, handOff.consumerEnv)).toEqual(everyone(SESSION_ARN));
    });

    it('boto3 in a long-lived process outlives its first credentials with a refreshing profile', async () => {
      const job = jobs({}, { node });
      expectSuccess(await job.uses(inputs({ 'refresh-credentials': 'true' })));
      servers.sts.setCredentialLifetime(2);
      const before = servers.sts.issued.length;
      const step = await job.run(CONSUMERS.boto3 as string, {
        env: consumerEnv({ OUTLIVE: '2', OUTLIVE_SLEEP: '2.5' }),
      });
      expectSuccess(step);
      expect(step.stdout.trim().split('\n')).toEqual([SESSION_ARN, SESSION_ARN, SESSION_ARN]);
      // Each call after an expiry ran the refresher again: three calls, three fresh sessions.
      const issued = servers.sts.issued.slice(before).map((c) => c.accessKeyId);
      const signers = servers.sts.calls
        .filter((c) => c.action === 'GetCallerIdentity')
        .slice(-3)
        .map((c) => c.signedBy);
      expect(new Set(signers).size).toBe(3);
      for (const signer of signers) expect(issued).toContain(signer);
    });
  });
});

describe('after the post step', () => {
  it.each([
    ['the default refreshing profile', {}],
    ['a named refreshing profile', { 'aws-profile': 'consumer' }],
  ])(
    '%s: a later post step with keys of its own still works in botocore and the JS SDK',
    async (_what, extra) => {
      const job = jobs();
      expectSuccess(await job.uses(inputs({ 'refresh-credentials': 'true', ...extra })));
      await job.post();
      expect(job.env.AWS_PROFILE).not.toBe('');
      const own = {
        AWS_ACCESS_KEY_ID: RUNNER_USER.accessKeyId,
        AWS_SECRET_ACCESS_KEY: RUNNER_USER.secretAccessKey,
        AWS_REGION: 'eu-west-1',
        AWS_DEFAULT_REGION: 'eu-west-1',
      };
      const seen = await whoEachConsumerIs(job, own);
      // The JS SDK v3 prefers a profile AWS_PROFILE names to keys; the stub it names has none.
      const { 'JS SDK v3': _v3, ...botocoreAndV2 } = seen;
      expect(botocoreAndV2).toEqual({
        'AWS CLI v2': RUNNER_USER.arn,
        'AWS CLI v1': RUNNER_USER.arn,
        boto3: RUNNER_USER.arn,
        'JS SDK v2': RUNNER_USER.arn,
      });
    },
  );
  it('the environment hand-off: the region stays, so a later post step with keys but no region still works', async () => {
    const job = jobs();
    expectSuccess(await job.uses(inputs({})));
    await job.post();
    // botocore takes an empty AWS_DEFAULT_REGION as a region, and fails on it.
    expect(job.env.AWS_REGION).toBe(inputs({})['aws-region']);
    expect(job.env.AWS_DEFAULT_REGION).toBe(inputs({})['aws-region']);
    const own = {
      AWS_ACCESS_KEY_ID: RUNNER_USER.accessKeyId,
      AWS_SECRET_ACCESS_KEY: RUNNER_USER.secretAccessKey,
    };
    expect(await whoEachConsumerIs(job, own)).toEqual(everyone(RUNNER_USER.arn));
  });
});

describe('shared files named on the action step only', () => {
  it('later steps use the refreshing profile, not the runner user of ~/.aws/credentials', async () => {
    const job = jobs();
    const elsewhere = join(job.runnerTemp, 'aws');
    mkdirSync(join(job.home, '.aws'));
    writeFileSync(
      join(job.home, '.aws', 'credentials'),
      `[default]\naws_access_key_id = ${RUNNER_USER.accessKeyId}\naws_secret_access_key = ${RUNNER_USER.secretAccessKey}\n`,
    );
    const stepEnv = {
      AWS_CONFIG_FILE: join(elsewhere, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(elsewhere, 'credentials'),
    };
    expectSuccess(await job.uses(inputs({ 'refresh-credentials': 'true' }), { env: stepEnv }));
    expect(job.env.AWS_SHARED_CREDENTIALS_FILE).toBe(stepEnv.AWS_SHARED_CREDENTIALS_FILE);
    expect(await whoEachConsumerIs(job)).toEqual(everyone(SESSION_ARN));
  });
});

describe('role chaining as upstream documents it with profiles', () => {
  it('step 1 aws-profile: first; step 2 role-chaining with env AWS_PROFILE: first', async () => {
    const job = jobs();
    expectSuccess(await job.uses(inputs({ 'role-to-assume': HUB, 'aws-profile': 'first' })));
    const second = await job.uses(
      inputs({ 'role-to-assume': SPOKE, 'role-chaining': 'true', 'aws-profile': 'second' }),
      { env: { AWS_PROFILE: 'first' } },
    );
    expectSuccess(second);
    const assumeRole = servers.sts.calls.filter((c) => c.action === 'AssumeRole').at(-1);
    // Signed by the hub session the first step wrote into profile "first".
    expect(assumeRole?.signedBy).toBe(
      servers.sts.issued.filter((c) => c.roleArn === HUB).at(-1)?.accessKeyId,
    );
    const seen = await whoEachConsumerIs(job, { AWS_PROFILE: 'second' });
    expect(seen['AWS CLI v2']).toBe('arn:aws:sts::222222222222:assumed-role/Spoke/GitHubActions');
  });
});

describe('a refresher that cannot succeed', () => {
  function refresherArgs(job: Job): string[] {
    const line = /^credential_process = (.*)$/m.exec(
      readFileSync(join(job.home, '.aws', 'config'), 'utf8'),
    )?.[1];
    const args = (line ?? '').split(' ');
    return args.slice(args.indexOf('--role-arn'));
  }
  const REFRESHER = join(REPO_ROOT, 'dist', 'refresh', 'index.js');

  it('without the request variables: fails at once, with one line on stderr', async () => {
    const job = jobs();
    expectSuccess(await job.uses(inputs({ 'refresh-credentials': 'true' })));
    const out = await runTool(actionNode(), [REFRESHER, ...refresherArgs(job)], {});
    expect(out.exitCode).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(out.stderr).toMatch(
      /^aws-credentials-action refresher: .*ACTIONS_ID_TOKEN_REQUEST_URL.*Fix: .*id-token: write/,
    );
  });

  it('AccessDenied: one STS call, one line on stderr, shown by the AWS CLI', async () => {
    const job = jobs();
    expectSuccess(await job.uses(inputs({ 'refresh-credentials': 'true' })));
    const args = refresherArgs(job);
    args[1] = `arn:aws:iam::${ACCOUNT}:role/OnlyProd`;
    const before = servers.sts.calls.length;
    const out = await runTool(actionNode(), [REFRESHER, ...args], servers.issuer.env());
    expect(out.exitCode).toBe(1);
    expect(servers.sts.calls.slice(before).map((c) => c.action)).toEqual(['AssumeRoleWithWebIdentity']);
    expect(out.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(out.stderr).toMatch(/AccessDenied.*repo:acme\/app:ref:refs\/heads\/main.*Fix: /);
    // The JS SDK v3 says only that no provider worked; the CLI shows the refresher's line (README).
    const cli = await job.run(CONSUMERS['AWS CLI v2'] as string, {
      env: consumerEnv({ ACTIONS_ID_TOKEN_REQUEST_URL: '' }),
    });
    expect(cli.exitCode).not.toBe(0);
    expect(cli.stderr).toContain('aws-credentials-action refresher: ');
  });
});
