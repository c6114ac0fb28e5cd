// Self-tests of the e2e test bed: the runner emulator (against a fixture action), its parsers,
// the local OIDC issuer and moto + the real aws CLI.
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { evaluateCondition, interpolate } from '../support/expressions.js';
import { parseKeyValueFile, parseWorkflowCommand } from '../support/file-commands.js';
import { startMoto } from '../support/moto.js';
import { decodeJwt, startOidcIssuer, verifyJwt } from '../support/oidc-issuer.js';
import { type CompositeAction, Job, type JobOptions } from '../support/runner.js';
import { fingerprint } from '../support/secrets.js';
import { awsCli } from '../support/tools.js';

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), '..', 'support', 'fixtures', 'echo-action');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function newJob(opts: JobOptions = {}): Job {
  const job = new Job({ actionDir: FIXTURE, ...opts });
  cleanups.push(() => job.dispose());
  return job;
}

/** A copy of the fixture whose action.yml has another post-if (undefined: none). */
function fixtureWithPostIf(postIf: string | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), 'echo-action-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  for (const f of ['index.js', 'post.js']) copyFileSync(join(FIXTURE, f), join(dir, f));
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  const doc = parseYaml(readFileSync(join(FIXTURE, 'action.yml'), 'utf8'));
  if (postIf === undefined) delete doc.runs['post-if'];
  else doc.runs['post-if'] = postIf;
  writeFileSync(join(dir, 'action.yml'), stringifyYaml(doc));
  return dir;
}

/** `${{ e }}`, built so that linters don't mistake GitHub expressions for template slips. */
const ex = (e: string) => `\${{ ${e} }}`;
const fakeSecret = () => `fake-secret-${randomBytes(8).toString('hex')}`;

describe('file and workflow command parsing', () => {
  it('parses NAME=value and heredoc entries like the runner', () => {
    const text = 'A=1\n\nB=x=y<<z\r\nC<<EOF\nline 1\r\nD=inside\n\nEOF\nE<<X\nX\nF=\n';
    expect(parseKeyValueFile(text)).toEqual([
      ['A', '1'],
      ['B', 'x=y<<z'],
      ['C', 'line 1\r\nD=inside\n'],
      ['E', ''],
      ['F', ''],
    ]);
  });

  it("rejects what the runner rejects, with the runner's messages", () => {
    expect(() => parseKeyValueFile('M<<EOF\nvalue\n')).toThrow("Matching delimiter not found 'EOF'");
    expect(() => parseKeyValueFile('M<<EOF\nvalue\nEOF2')).toThrow('EOF marker missing new line');
    expect(parseKeyValueFile('M<<EOF\nvalue\nEOF')).toEqual([['M', 'value']]);
    expect(() => parseKeyValueFile('=v\n')).toThrow('Name must not be empty');
    expect(() => parseKeyValueFile('<<EOF\nEOF\n')).toThrow('Name must not be empty');
    expect(() => parseKeyValueFile('no separator\n')).toThrow("Invalid format 'no separator'");
  });

  it('unescapes command data and properties in the runner order', () => {
    const cmd = parseWorkflowCommand('::error title=a%3Ab%2Cc %25,file=x.ts::m%0An %25 %250A %3A%2C');
    expect(cmd).toEqual({
      command: 'error',
      properties: { title: 'a:b,c %', file: 'x.ts' },
      data: 'm\nn % %0A %3A%2C', // data keeps %3A and %2C
    });
    expect(parseWorkflowCommand('plain :: text')).toBeNull();
    expect(parseWorkflowCommand('  ::add-mask::v')?.data).toBe('v');
  });
});

describe('expressions', () => {
  const ctx = (env: Record<string, string>, failed = false) => ({ contexts: { env }, failed });
  it('compares strings case-insensitively and supports ! && || ( )', () => {
    const expr = "env.AWS_SKIP_CLEANUP_STEP == 'true'";
    expect(evaluateCondition(expr, ctx({ AWS_SKIP_CLEANUP_STEP: 'TRUE' }))).toBe(true);
    expect(evaluateCondition(expr, ctx({}))).toBe(false);
    expect(evaluateCondition(`!(${expr}) && (env.A == 'x' || env.B != 'y')`, ctx({ A: 'x' }))).toBe(true);
    expect(evaluateCondition(`!(${expr}) && (env.A == 'x' || env.B != 'y')`, ctx({ B: 'y' }))).toBe(false);
  });
  it('adds an implicit success() unless a status function is used', () => {
    expect(evaluateCondition("env.A != 'x'", ctx({}, true))).toBe(false);
    expect(evaluateCondition("always() && env.A != 'x'", ctx({}, true))).toBe(true);
    expect(evaluateCondition('failure()', ctx({}, true))).toBe(true);
    expect(evaluateCondition('success()', ctx({}, true))).toBe(false);
    expect(evaluateCondition(ex('always()'), ctx({}))).toBe(true);
  });
  it('interpolates expressions with hyphenated names', () => {
    const c = { contexts: { inputs: { 'role-to-assume': 'arn:r' }, env: { E: 'e' } } };
    expect(interpolate(`[${ex('inputs.role-to-assume')}|\${{env.E}}|${ex('env.MISSING')}]`, c)).toBe(
      '[arn:r|e|]',
    );
  });
});

describe('Job running the echo fixture', () => {
  it('passes INPUT_* with defaults and the GitHub context, and nothing of the host AWS_*', async () => {
    const saved = process.env.AWS_PROFILE;
    process.env.AWS_PROFILE = 'host-profile';
    cleanups.push(() => {
      if (saved === undefined) delete process.env.AWS_PROFILE;
      else process.env.AWS_PROFILE = saved;
    });
    const job = newJob({ env: { JOB_VAR: 'j', GITHUB_REPOSITORY: 'evil/override' } });
    const probe = 'AWS_PROFILE,JOB_VAR,GITHUB_REPOSITORY,GITHUB_ACTION,HOME,GITHUB_SHA,CI,GITHUB_WORKSPACE';
    const r = await job.uses(
      { 'role-to-assume': 'arn:aws:iam::111111111111:role/x', probe, bogus: '1' },
      { id: 'creds' },
    );
    expect(r.exitCode).toBe(0);
    const names: string[] = JSON.parse(r.outputs['input-names'] ?? '[]');
    expect(names).toEqual(
      expect.arrayContaining(['INPUT_ROLE-TO-ASSUME', 'INPUT_GREETING', 'INPUT_EXIT-CODE']),
    );
    expect(names).not.toContain('INPUT_MASK'); // no default, not given
    expect(r.outputs.greeting).toBe('hello');
    const seen = JSON.parse(r.outputs.probe ?? '{}');
    expect(seen).toMatchObject({ AWS_PROFILE: null, JOB_VAR: 'j', GITHUB_REPOSITORY: 'acme/app' });
    expect(seen).toMatchObject({
      GITHUB_ACTION: 'creds',
      HOME: job.home,
      CI: 'true',
      GITHUB_WORKSPACE: job.workspace,
    });
    expect(seen.GITHUB_SHA).toMatch(/^[0-9a-f]{40}$/);
    expect(r.annotations).toContainEqual(expect.objectContaining({ level: 'warning' }));
    expect(r.annotations.find((a) => a.level === 'warning')?.message).toContain(
      "Unexpected input(s) 'bogus'",
    );
  });

  it('parses file commands in both forms and applies env and path writes to later steps', async () => {
    const job = newJob();
    const r = await job.uses({ greeting: 'hi there' });
    expect(r.envWrites).toEqual({ ECHO_SIMPLE: 'hi there', ECHO_MULTI: 'first line\nsecond=line <<x' });
    expect(r.outputs.multi).toBe('out 1\nout 2');
    expect(r.state).toEqual({ label: 'one' });
    expect(r.summary).toContain('### echo one');
    expect(job.env.ECHO_MULTI).toBe('first line\nsecond=line <<x');
    const bin = join(job.runnerTemp, 'extra-bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'extra-tool'), '#!/bin/sh\necho extra-tool-ran\n', { mode: 0o755 });
    const r2 = await job.run(
      `printf '%s|%s\\n' "$ECHO_SIMPLE" "$(printf '%s' "$ECHO_MULTI" | tr '\\n' '/')"
       echo "LATER=x=y" >> "$GITHUB_ENV"
       { echo "HD<<END"; echo a; echo b; echo END; } >> "$GITHUB_ENV"
       echo "${bin}" >> "$GITHUB_PATH"`,
    );
    expect(r2.stdout).toBe('hi there|first line/second=line <<x');
    expect(r2.envWrites).toEqual({ LATER: 'x=y', HD: 'a\nb' });
    const r3 = await job.run('printf "%s" "$HD" | wc -l; extra-tool');
    expect(r3.stdout.split('\n').map((l) => l.trim())).toEqual(['1', 'extra-tool-ran']);
    const bad = await job.run('echo "BROKEN<<EOF" >> "$GITHUB_ENV"; echo value >> "$GITHUB_ENV"');
    expect(bad.exitCode).not.toBe(0);
    expect(bad.annotations.map((a) => a.message)).toContain(
      "Invalid value. Matching delimiter not found 'EOF'",
    );
    expect(job.env.BROKEN).toBeUndefined();
  });

  it('turns ::error/::notice into annotations and hides ::debug::', async () => {
    const job = newJob();
    const r = await job.uses({ 'error-title': 'Build: failed, badly' });
    const error = r.annotations.find((a) => a.level === 'error');
    expect(error).toEqual({
      level: 'error',
      title: 'Build: failed, badly',
      message: 'first line\nsecond: 100%',
      properties: { file: 'index.js', line: '3' },
    });
    expect(r.annotations.find((a) => a.level === 'notice')?.title).toBe('Note: fixture');
    expect(r.stdout).not.toContain('debugging');
    expect(r.stdout.split('\n')).toContain('done one');
  });

  it('masks registered values and reports no leak when masking comes first', async () => {
    const job = newJob();
    const secret = fakeSecret();
    const r = await job.uses({ mask: secret, print: secret });
    expect(r.stdout).toContain('print: ***');
    expect(r.stdout).not.toContain(secret);
    const later = await job.run('echo "again $S"', { env: { S: secret } });
    expect(later.stdout).toBe('again ***');
    expect(job.mask(`k=${secret};`)).toBe('k=***;');
    expect(job.leaks()).toEqual([]);
  });

  it('reports a value printed before its ::add-mask:: without revealing it', async () => {
    const job = newJob();
    const secret = fakeSecret();
    const r = await job.uses({ mask: secret, print: secret, 'print-first': 'true', label: 'early' });
    expect(r.stdout).toContain(`print: ${secret}`); // the raw log really showed it
    const leaks = job.leaks();
    expect(leaks).toHaveLength(1);
    expect(leaks[0]).toContain('stdout line 1');
    expect(leaks[0]).toContain(fingerprint(secret));
    expect(leaks.join('\n')).not.toContain(secret);
  });

  it('reports leaks of addSecret values, of secret-named env writes and of later-masked values', async () => {
    const job = newJob();
    const jwt = `eyJ${randomBytes(24).toString('base64url')}`;
    job.addSecret(jwt);
    await job.uses({ stderr: `token ${jwt}` });
    expect(job.leaks()).toHaveLength(1);
    expect(job.leaks()[0]).toMatch(/stderr line 1: .*\(addSecret\)/);

    const key = fakeSecret();
    await job.uses({ 'secret-env': key });
    expect(job.leaks()).toHaveLength(1); // written, not yet printed
    await job.run('echo "key=$ECHO_SECRET_ACCESS_KEY"');
    expect(job.leaks()).toHaveLength(2);
    expect(job.leaks()[1]).toContain('GITHUB_ENV ECHO_SECRET_ACCESS_KEY');

    const laterMasked = fakeSecret();
    await job.run(`echo "before ${laterMasked}"`);
    await job.uses({ mask: laterMasked, print: laterMasked });
    expect(job.leaks()).toHaveLength(3);
    expect(job.leaks().join('\n')).not.toMatch(new RegExp(`${jwt}|${key}|${laterMasked}`));
  });

  it('leak-checks every summary as written: masked in the upload, or too large to upload', async () => {
    const job = newJob();
    const secret = fakeSecret();
    await job.uses({ mask: secret });
    const masked = await job.run('echo "| key | $S |" >> "$GITHUB_STEP_SUMMARY"', { env: { S: secret } });
    expect(masked.summary).toContain('| key | *** |'); // the upload is masked...
    expect(job.leaks()).toHaveLength(1); // ...but the file held the secret
    expect(job.leaks()[0]).toContain('summary file');

    const other = fakeSecret();
    job.addSecret(other);
    const big = await job.run(
      'head -c 1100000 /dev/zero | tr "\\0" x >> "$GITHUB_STEP_SUMMARY"; echo "$S" >> "$GITHUB_STEP_SUMMARY"',
      {
        env: { S: other },
      },
    );
    expect(big.summary).toBe('');
    expect(job.leaks()).toHaveLength(2);
    expect(job.leaks().join('\n')).not.toMatch(new RegExp(`${secret}|${other}`));
  });

  it('runs post steps in reverse order with STATE_ and the same inputs', async () => {
    const job = newJob();
    await job.uses({ label: 'one' }, { id: 'a' });
    await job.uses({ label: 'two', greeting: 'yo' }, { id: 'b' });
    const posts = await job.post();
    expect(posts.map((p) => p.outputs.label)).toEqual(['two', 'one']);
    expect(posts.map((p) => p.outputs.action)).toEqual(['b', 'a']);
    expect(posts[0]?.stdout).toBe('post two greeting=yo');
    expect(await job.post()).toEqual([]);
    expect(job.summary().split('\n').filter(Boolean)).toEqual([
      '### echo one',
      '### echo two',
      'post two',
      'post one',
    ]);
  });

  it("skips the post step when its post-if is false (env.AWS_SKIP_CLEANUP_STEP == 'true')", async () => {
    const viaEnvFile = newJob();
    await viaEnvFile.uses({});
    await viaEnvFile.run('echo "AWS_SKIP_CLEANUP_STEP=true" >> "$GITHUB_ENV"');
    const [skipped] = await viaEnvFile.post();
    expect(skipped).toMatchObject({ skipped: true, exitCode: 0, stdout: '' });

    const viaStepEnv = newJob();
    await viaStepEnv.uses({}, { env: { AWS_SKIP_CLEANUP_STEP: 'TRUE' } });
    expect((await viaStepEnv.post())[0]?.skipped).toBe(true);

    const failedMain = newJob(); // always() in the fixture: post runs after a failed main step
    expect((await failedMain.uses({ 'exit-code': '3' })).exitCode).toBe(3);
    const [ran] = await failedMain.post();
    expect(ran?.skipped).toBeUndefined();
    expect(ran?.stdout).toBe('post one greeting=hello');
  });

  it.each([
    [undefined, true], // the runner's default post-if is always()
    ['success()', false],
    ["env.AWS_SKIP_CLEANUP_STEP != 'true'", false], // implicit success()
    ['failure()', true],
  ])('post-if %s after a failed step: runs=%s', async (postIf, runs) => {
    const job = newJob({ actionDir: fixtureWithPostIf(postIf) });
    await job.uses({});
    await job.run('exit 1');
    expect(job.failed).toBe(true);
    const [post] = await job.post();
    expect(post?.skipped !== true).toBe(runs);
  });

  it('applies composite env precedence: job env < caller env < child env', async () => {
    const job = newJob();
    await job.run('echo "REGION=from-github-env" >> "$GITHUB_ENV"');
    const action: CompositeAction = {
      inputs: { who: { default: 'world' }, tag: { default: 'dflt' } },
      steps: [
        { run: 'echo "LATER=from-child-1" >> "$GITHUB_ENV"; echo "REGION=child-write" >> "$GITHUB_ENV"' },
        { id: 'p', uses: 'self', with: { probe: 'REGION,LATER,CALLER', greeting: `hi ${ex('inputs.who')}` } },
        {
          id: 'c',
          uses: 'self',
          with: { probe: 'REGION', label: ex('env.CHILD') },
          env: { REGION: 'child', CHILD: 'c' },
        },
        {
          run: `echo "region=$REGION later=$LATER who=${ex('inputs.who')} tag=${ex('inputs.tag')} ${ex('steps.p.outputs.greeting')} e=${ex('env.REGION')}"`,
        },
      ],
    };
    const results = await job.composite(
      action,
      { who: 'tester' },
      { env: { REGION: 'from-caller', CALLER: 'k' } },
    );
    expect(results.map((r) => r.exitCode)).toEqual([0, 0, 0, 0]);
    expect(JSON.parse(results[1]?.outputs.probe ?? '')).toEqual({
      REGION: 'from-caller',
      LATER: 'from-child-1',
      CALLER: 'k',
    });
    expect(results[1]?.outputs.greeting).toBe('hi tester');
    expect(JSON.parse(results[2]?.outputs.probe ?? '')).toEqual({ REGION: 'child' });
    expect(results[2]?.outputs.label).toBe('c');
    expect(results[3]?.stdout).toBe(
      'region=from-caller later=from-child-1 who=tester tag=dflt hi tester e=from-caller',
    );
    expect(job.env.REGION).toBe('child-write'); // the write still lands in the job env

    // Without a caller key, a GITHUB_ENV write of an earlier child wins over the older job value.
    const again = await job.composite({ steps: [{ run: 'echo "R=$REGION"' }] });
    expect(again[0]?.stdout).toBe('R=child-write');
    // Post steps of `uses: self` children are registered too.
    expect((await job.post()).map((p) => p.outputs.label)).toEqual(['c', 'one']);
  });

  it('stops a composite at the first failing step and kills a step on timeout', async () => {
    const job = newJob();
    const results = await job.composite({ steps: [{ run: 'false' }, { run: 'echo never' }] });
    expect(results).toHaveLength(1);
    expect(results[0]?.annotations[0]?.message).toBe('Process completed with exit code 1.');
    const started = Date.now();
    const slow = await job.run('sleep 30 & wait', { timeoutMs: 500 });
    expect(slow).toMatchObject({ timedOut: true, exitCode: 124 });
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe('local services', () => {
  it('issues RS256 JWTs with the requested audience and rejects a bad bearer token', async () => {
    const issuer = await startOidcIssuer();
    cleanups.push(() => issuer.stop());
    const get = (url: string, token = issuer.requestToken) =>
      fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(5_000) });
    const res = await get(`${issuer.requestUrl}&audience=sts.amazonaws.com`);
    expect(res.status).toBe(200);
    const { value } = (await res.json()) as { value: string };
    const { payload } = decodeJwt(value);
    expect(payload).toMatchObject({ aud: 'sts.amazonaws.com', sub: 'repo:acme/app:ref:refs/heads/main' });
    expect(payload.iss).toBe('https://token.actions.githubusercontent.com');
    expect(Number(payload.exp) - Number(payload.iat)).toBe(300);
    expect(payload).not.toHaveProperty('environment');
    expect(verifyJwt(value, issuer.jwks())).toBe(true);
    const [h, , s] = value.split('.');
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...payload, sub: 'x' })).toString('base64url')}.${s}`;
    expect(verifyJwt(forged, issuer.jwks())).toBe(false);

    expect((await get(issuer.requestUrl, 'wrong')).status).toBe(401);
    issuer.failNext(1, 503);
    expect((await get(issuer.requestUrl)).status).toBe(503);
    issuer.setClaims({ environment: 'prod' });
    const envToken = decodeJwt(((await (await get(issuer.requestUrl)).json()) as { value: string }).value);
    expect(envToken.payload).toMatchObject({ aud: 'https://github.com/acme', environment: 'prod' });
    expect(envToken.payload.sub).toBe('repo:acme/app:environment:prod');
    expect(issuer.tokens).toHaveLength(2);
    expect(issuer.requests).toBe(4);
    expect(Object.keys(issuer.env()).sort()).toEqual([
      'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
      'ACTIONS_ID_TOKEN_REQUEST_URL',
    ]);
  });

  it('starts moto and the real aws CLI reaches it with dummy keys', async () => {
    const moto = await startMoto();
    cleanups.push(() => moto.stop());
    const keys = {
      AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/EXAMPLEKEY',
    };
    const job = newJob();
    const r = await job.run('aws sts get-caller-identity --endpoint-url "$MOTO" --output json', {
      env: { ...keys, AWS_DEFAULT_REGION: 'us-east-1', MOTO: moto.endpoint },
    });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout).Account).toBe('123456789012'); // moto's default account
    const direct = await awsCli(['sts', 'get-caller-identity', '--endpoint-url', moto.endpoint], {
      ...keys,
      AWS_DEFAULT_REGION: 'us-east-1',
    });
    expect(JSON.parse(direct.stdout).Arn).toMatch(/^arn:aws:sts::123456789012:/);
    // No credentials of the host reach the helper.
    const bare = await awsCli(['sts', 'get-caller-identity', '--endpoint-url', moto.endpoint], {
      AWS_DEFAULT_REGION: 'us-east-1',
    });
    expect(bare.exitCode).not.toBe(0);
    expect(bare.stderr).toContain('Unable to locate credentials');
    await moto.stop();
    expect(() => process.kill(moto.pid, 0)).toThrow();
  });
});
