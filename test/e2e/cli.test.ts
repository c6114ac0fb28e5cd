// Issue 17: the bundled command line (dist/cli/index.js, as `npm run build` makes it) in each CI
// system: that system's variables, a token from the local issuer carrying that system's claims, the
// local STS double, and the real AWS CLI using what the command hands over (eval'd environment,
// then the profile, and the JSON as a credential_process).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OidcIssuer, startOidcIssuer } from '../support/oidc-issuer.js';
import { Job, REPO_ROOT } from '../support/runner.js';
import { type StsDouble, startStsDouble } from '../support/sts-double.js';
import { awsCliEnv, awsCliPath, baseEnv } from '../support/tools.js';

const CLI = join(REPO_ROOT, 'dist', 'cli', 'index.js');
const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';

/** The issuer's GitHub claims, removed from tokens of the other systems. */
const GITHUB_ONLY = [
  'ref',
  'sha',
  'repository',
  'repository_owner',
  'repository_owner_id',
  'repository_id',
  'repository_visibility',
  'run_id',
  'run_number',
  'run_attempt',
  'actor',
  'actor_id',
  'workflow',
  'workflow_ref',
  'workflow_sha',
  'job_workflow_ref',
  'job_workflow_sha',
  'head_ref',
  'base_ref',
  'event_name',
  'ref_type',
  'ref_protected',
  'runner_environment',
];

interface CiCase {
  name: string;
  role: string;
  trustSub: string;
  claims: Record<string, string>;
  /** The job's environment, given the token. */
  env: (token: string) => Record<string, string>;
  flags: string[];
  session: string;
}

const BITBUCKET: CiCase = {
  name: 'Bitbucket Pipelines',
  role: `arn:aws:iam::${ACCOUNT}:role/BitbucketDeploy`,
  trustSub: '{7d3f0c1e-0000-4000-8000-000000000001}:*',
  claims: {
    sub: '{7d3f0c1e-0000-4000-8000-000000000001}:{5a9e2b44-0000-4000-8000-000000000002}',
    aud: 'ari:cloud:bitbucket::workspace/6c1b9a30-0000-4000-8000-000000000003',
    iss: 'https://api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc',
    repositoryUuid: '{7d3f0c1e-0000-4000-8000-000000000001}',
    stepUuid: '{5a9e2b44-0000-4000-8000-000000000002}',
    workspaceUuid: '{6c1b9a30-0000-4000-8000-000000000003}',
    branchName: 'main',
  },
  env: (token) => ({ BITBUCKET_BUILD_NUMBER: '42', BITBUCKET_STEP_OIDC_TOKEN: token, CI: 'true' }),
  flags: [],
  session: 'bitbucket-42',
};

const GITLAB: CiCase = {
  name: 'GitLab CI',
  role: `arn:aws:iam::${ACCOUNT}:role/GitLabDeploy`,
  trustSub: 'project_path:acme/app:ref_type:branch:ref:main',
  claims: {
    sub: 'project_path:acme/app:ref_type:branch:ref:main',
    aud: 'sts.amazonaws.com',
    iss: 'https://gitlab.com',
    project_path: 'acme/app',
    namespace_path: 'acme',
    ref: 'main',
    ref_type: 'branch',
  },
  env: (token) => ({
    GITLAB_CI: 'true',
    CI: 'true',
    CI_PIPELINE_ID: '9001',
    CI_JOB_ID: '77',
    AWS_ID_TOKEN: token,
  }),
  flags: ['--token-env', 'AWS_ID_TOKEN'],
  session: 'gitlab-9001-77',
};

const ORG = '0e1f2a3b-0000-4000-8000-00000000000a';
const PROJECT = '4c5d6e7f-0000-4000-8000-00000000000b';
const CIRCLECI: CiCase = {
  name: 'CircleCI',
  role: `arn:aws:iam::${ACCOUNT}:role/CircleDeploy`,
  trustSub: `org/${ORG}/project/${PROJECT}/user/*`,
  claims: {
    sub: `org/${ORG}/project/${PROJECT}/user/9a8b7c6d-0000-4000-8000-00000000000c/vcs-origin/github.com/acme/app/vcs-ref/refs/heads/main`,
    aud: ORG,
    iss: `https://oidc.circleci.com/org/${ORG}`,
    'oidc.circleci.com/project-id': PROJECT,
    'oidc.circleci.com/vcs-origin': 'github.com/acme/app',
    'oidc.circleci.com/vcs-ref': 'refs/heads/main',
  },
  // The V1 token is not trusted by the role: only the V2 one, taken first, gets in.
  env: (token) => ({
    CIRCLECI: 'true',
    CI: 'true',
    CIRCLE_BUILD_NUM: '314',
    CIRCLE_OIDC_TOKEN_V2: token,
    CIRCLE_OIDC_TOKEN: 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ2MSJ9.c2ln',
  }),
  flags: [],
  session: 'circleci-314',
};

let sts: StsDouble;
let issuer: OidcIssuer;
const dirs: string[] = [];

beforeAll(async () => {
  [sts, issuer] = await Promise.all([startStsDouble(), startOidcIssuer()]);
  for (const ci of [BITBUCKET, GITLAB, CIRCLECI]) {
    sts.addRole({ arn: ci.role, trust: { sub: [ci.trustSub], aud: [ci.claims.aud as string] } });
  }
  sts.addRole({
    arn: `arn:aws:iam::${ACCOUNT}:role/GitHubDeploy`,
    trust: { sub: ['repo:acme/app:*'], aud: ['sts.amazonaws.com'] },
  });
});
afterAll(async () => {
  await Promise.all([sts?.stop(), issuer?.stop()]);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A signed token from the local issuer with `claims` instead of GitHub's. */
async function ciToken(claims: Record<string, string>): Promise<string> {
  issuer.setClaims({ ...Object.fromEntries(GITHUB_ONLY.map((key) => [key, undefined])), ...claims });
  const url = `${issuer.requestUrl}&audience=${encodeURIComponent(claims.aud ?? '')}`;
  const res = await fetch(url, {
    headers: { authorization: `Bearer ${issuer.requestToken}` },
    signal: AbortSignal.timeout(5_000),
  });
  const body = (await res.json()) as { value: string };
  return body.value;
}

interface Run {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** `script` in /bin/sh with exactly `env` (plus PATH, a fresh HOME, the CLI and aws paths). */
function sh(script: string, env: Record<string, string>, home: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      '/bin/sh',
      ['-c', script],
      {
        env: { ...baseEnv(), ...awsCliEnv(), HOME: home, CLI, AWS: awsCliPath(), EP: sts.endpoint, ...env },
        timeout: 60_000,
        killSignal: 'SIGKILL',
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ exitCode: code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

function newHome(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cli-e2e-'));
  dirs.push(dir);
  return dir;
}

const assumeArgs = (ci: CiCase, extra: string[] = []) =>
  [
    'assume',
    '--role-arn',
    ci.role,
    '--region',
    REGION,
    '--sts-endpoint',
    '"$EP"',
    ...ci.flags,
    ...extra,
  ].join(' ');

/** Whatever an earlier run (or `aws configure export-credentials`) left in the shell. */
const STALE =
  'export AWS_ACCESS_KEY_ID=ASIASTALE0000000000 AWS_SECRET_ACCESS_KEY=stale AWS_SESSION_TOKEN=stale ' +
  'AWS_SECURITY_TOKEN=stale AWS_CREDENTIAL_EXPIRATION=2001-01-01T00:00:00Z AWS_PROFILE=gone';

const sessionArn = (ci: CiCase) =>
  `${ci.role.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/')}/${ci.session}`;
const webIdentityCalls = () => sts.calls.filter((c) => c.action === 'AssumeRoleWithWebIdentity');

function expectNoSecrets(text: string, secrets: string[]): void {
  for (const secret of secrets) if (secret) expect(text).not.toContain(secret);
}

describe.each([BITBUCKET, GITLAB, CIRCLECI])('in $name', (ci) => {
  it("hands the AWS CLI an eval'd environment that replaces an earlier run's", async () => {
    const token = await ciToken(ci.claims);
    const calls = webIdentityCalls().length;
    const run = await sh(
      `${STALE}; out=$(node "$CLI" ${assumeArgs(ci)}) || exit 9; eval "$out"; ` +
        `printf '%s\\n' "$out" > "$HOME/exports"; "$AWS" sts get-caller-identity --endpoint-url "$EP" --output json`,
      ci.env(token),
      newHome(),
    );
    expect(run.exitCode, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).Arn).toBe(sessionArn(ci));
    const sent = webIdentityCalls().slice(calls);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.params.WebIdentityToken).toBe(token);
    expect(sent[0]?.params.RoleSessionName).toBe(ci.session);
    expect(run.stderr).toContain(`assumed ${ci.role} as ${sessionArn(ci)} (1 STS attempt)`);
    expectNoSecrets(run.stderr, [
      token,
      ...(sts.issued.at(-1) ? [sts.issued.at(-1)?.accessKeyId ?? ''] : []),
    ]);
  });

  it('writes a profile the AWS CLI uses', async () => {
    const token = await ciToken(ci.claims);
    const home = newHome();
    const run = await sh(
      `node "$CLI" ${assumeArgs(ci, ['--profile', 'ci'])} > "$HOME/stdout" || exit 9; ` +
        `"$AWS" --profile ci sts get-caller-identity --endpoint-url "$EP" --output json`,
      ci.env(token),
      home,
    );
    expect(run.exitCode, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).Arn).toBe(sessionArn(ci));
    expect(statSync(join(home, '.aws', 'stdout'), { throwIfNoEntry: false })).toBeUndefined();
    expect(statSync(join(home, 'stdout')).size).toBe(0);
    expect(statSync(join(home, '.aws', 'credentials')).mode & 0o777).toBe(0o600);
    expect(run.stderr).toContain('wrote profile "ci"');
    expectNoSecrets(run.stderr, [token, sts.issued.at(-1)?.accessKeyId ?? '']);
  });

  it('explains an AccessDenied with the claims and a Condition in its sub format', async () => {
    // Another repository, project or organisation: no pattern of the role matches it.
    const sub = `x${ci.claims.sub}`;
    const token = await ciToken({ ...ci.claims, sub });
    const run = await sh(
      `${STALE}; out=$(node "$CLI" ${assumeArgs(ci)}); code=$?; eval "$out"; echo "code=$code key=$AWS_ACCESS_KEY_ID"`,
      ci.env(token),
      newHome(),
    );
    expect(run.stdout.trim()).toBe('code=1 key=ASIASTALE0000000000');
    expect(run.stderr).toContain('Role trust policy does not match this job (AccessDenied)');
    expect(run.stderr).toContain(`  sub: ${sub}`);
    expect(run.stderr).toContain(`  iss: ${ci.claims.iss}`);
    const host = ci.claims.iss?.replace('https://', '');
    expect(run.stderr).toContain(`"${host}:aud": ${JSON.stringify(ci.claims.aud)}`);
    expectNoSecrets(run.stderr, [token]);
  });
});

describe('the bundle', () => {
  it("spreads a first retry over GitLab's parallel instances (CI_NODE_TOTAL)", async () => {
    const token = await ciToken(GITLAB.claims);
    const calls = webIdentityCalls().length;
    sts.script('AssumeRoleWithWebIdentity', [
      {
        code: 'IDPCommunicationError',
        message: "Couldn't retrieve verification key from your identity provider",
      },
    ]);
    const env = { ...GITLAB.env(token), CI_NODE_TOTAL: '3' };
    const run = await sh(`node "$CLI" ${assumeArgs(GITLAB, ['--format', 'json'])}`, env, newHome());
    expect(run.exitCode, run.stderr).toBe(0);
    expect(webIdentityCalls().length - calls).toBe(2);
    expect(run.stderr).toContain('(the first retries of 3 concurrent jobs are spread over 0.75 s)');
    expect(JSON.parse(run.stdout).Version).toBe(1);
  });

  it('uses CircleCI JSON as a credential_process', async () => {
    const token = await ciToken(CIRCLECI.claims);
    const home = newHome();
    const config = join(home, 'config');
    writeFileSync(
      config,
      `[profile cp]\nregion = ${REGION}\ncredential_process = ${CLI} assume --role-arn ${CIRCLECI.role} --region ${REGION} --sts-endpoint ${sts.endpoint} --format json\n`,
    );
    const run = await sh(
      '"$AWS" --profile cp sts get-caller-identity --endpoint-url "$EP" --output json',
      { ...CIRCLECI.env(token), AWS_CONFIG_FILE: config },
      home,
    );
    expect(run.exitCode, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).Arn).toBe(sessionArn(CIRCLECI));
  });

  it('shows the StringLike conditions of Bitbucket and CircleCI', async () => {
    for (const [ci, like] of [
      [BITBUCKET, '{7d3f0c1e-0000-4000-8000-000000000001}:*'],
      [CIRCLECI, `org/${ORG}/project/${PROJECT}/user/*`],
    ] as const) {
      const token = await ciToken({ ...ci.claims, aud: `${ci.claims.aud}`, sub: ci.claims.sub ?? '' });
      const wrongRole = { ...ci, role: `arn:aws:iam::${ACCOUNT}:role/GitLabDeploy` };
      const run = await sh(`node "$CLI" ${assumeArgs(wrongRole)}`, ci.env(token), newHome());
      expect(run.exitCode).toBe(1);
      expect(run.stderr).toContain(`"StringLike": {`);
      expect(run.stderr).toContain(
        `"${ci.claims.iss?.replace('https://', '')}:sub": ${JSON.stringify(like)}`,
      );
    }
  });

  it('refuses bad usage with exit 2 before any call, and runs as an executable', async () => {
    const calls = sts.calls.length;
    const env = GITLAB.env('x.y.z');
    const home = newHome();
    const cases = [
      `node "$CLI" assume --role-arn ${GITLAB.role} --region ${REGION} --sts-endpoint "$EP"`,
      `node "$CLI" ${assumeArgs(GITLAB, ['--duration-seconds', '60'])}`,
      `node "$CLI" ${assumeArgs(GITLAB, ['--bogus'])}`,
      `node "$CLI" ${assumeArgs(GITLAB, ['--format', 'yaml'])}`,
    ];
    for (const script of cases) {
      const run = await sh(script, env, home);
      expect(run.exitCode, script).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^aws-credentials-action: Bad usage\n/);
    }
    expect(sts.calls.length).toBe(calls);
    const version = await sh('"$CLI" --version', {}, home);
    expect(version.exitCode, version.stderr).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('in GitHub Actions requests the token itself and prints no workflow command', async () => {
    // A fresh issuer: the shared one has had GitHub's claims taken out.
    const github = await startOidcIssuer();
    const job = new Job({ env: { ...github.env(), AWS_EC2_METADATA_DISABLED: 'true' } });
    try {
      const result = await job.run(
        `eval "$(node "${CLI}" assume --role-arn arn:aws:iam::${ACCOUNT}:role/GitHubDeploy --region ${REGION} --sts-endpoint ${sts.endpoint})"\n` +
          `"${awsCliPath()}" sts get-caller-identity --endpoint-url ${sts.endpoint} --query Arn --output text`,
        { env: awsCliEnv() },
      );
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stdout.trim()).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/GitHubDeploy/github-4242-1`);
      expect(github.tokens).toHaveLength(1);
      expect(result.annotations).toEqual([]);
      for (const jwt of github.tokens) job.addSecret(jwt);
      job.addSecret(github.requestToken);
      for (const issued of sts.issued) job.addSecret(issued.accessKeyId);
      expect(job.leaks()).toEqual([]);
    } finally {
      await job.dispose();
      await github.stop();
    }
  });
});
