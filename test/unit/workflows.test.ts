// The repository's GitHub workflows, read as GitHub reads them: pinned actions, the runner and Node
// matrices, the guarded smoke job, the release and dependabot settings.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = new URL('../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');

interface Step {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}
interface Job {
  if?: string;
  'runs-on'?: string | string[];
  needs?: string | string[];
  uses?: string;
  permissions?: Record<string, string>;
  strategy?: { matrix?: Record<string, unknown[]> };
  steps?: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

const WORKFLOW_FILES = readdirSync(new URL('.github/workflows/', root)).filter((f) => /\.ya?ml$/.test(f));
const text = (file: string): string => read(`.github/workflows/${file}`);
const workflow = (file: string): Workflow => parse(text(file)) as Workflow;
const ci = workflow('ci.yml');
const release = workflow('release.yml');

/** A workflow expression as written in YAML: `${{ body }}`. */
const expr = (body: string): string => `$${'{{'} ${body} }}`;
const steps = (job: Job | undefined): Step[] => job?.steps ?? [];
const allUses = (wf: Workflow): string[] =>
  Object.values(wf.jobs).flatMap((job) => [
    ...(job.uses ? [job.uses] : []),
    ...steps(job).flatMap((step) => (step.uses ? [step.uses] : [])),
  ]);
const usesOf = (job: Job | undefined, action: string): Step[] =>
  steps(job).filter((step) => step.uses?.split('@')[0] === action);
const runs = (job: Job | undefined): string =>
  steps(job)
    .map((step) => step.run ?? '')
    .join('\n');

/** `uses:` lines as written, with their trailing comments, which the parsed YAML drops. */
function usesLines(source: string): { ref: string; comment: string }[] {
  return [...source.matchAll(/^\s*(?:-\s+)?uses:\s*["']?([^\s"'#]+)["']?[ \t]*(?:#[ \t]*(.*))?$/gm)].map(
    (m) => ({ ref: m[1] ?? '', comment: (m[2] ?? '').trim() }),
  );
}

/** Runner OSes and Node majors the project promises: every hosted OS; engines' floor and action.yml's runtime. */
const HOSTED_OSES = ['ubuntu-latest', 'windows-latest', 'macos-latest'];
const pkg = JSON.parse(read('package.json')) as { engines: { node: string } };
const action = parse(read('action.yml')) as { runs: { using: string } };
const OLDEST_NODE = Number(/>=\s*(\d+)/.exec(pkg.engines.node)?.[1]);
const ACTION_NODE = Number(/^node(\d+)$/.exec(action.runs.using)?.[1]);

describe('third-party actions', () => {
  it.each(WORKFLOW_FILES)('%s pins each one by full commit SHA, with its version in a comment', (file) => {
    const lines = usesLines(text(file));
    // The line scan sees every `uses:` the YAML has (nothing hides in flow style or odd quoting).
    expect(lines.map((l) => l.ref).sort()).toEqual(allUses(workflow(file)).sort());
    for (const { ref, comment } of lines) {
      if (ref.startsWith('./')) continue; // this repository's own action
      expect(ref, `${file}: ${ref} must not be a docker image`).not.toMatch(/^docker:/);
      expect(ref, `${file}: ${ref}`).toMatch(/^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@[0-9a-f]{40}$/);
      expect(comment, `${file}: ${ref} needs a "# vX.Y.Z" comment`).toMatch(/^v\d+\.\d+\.\d+$/);
    }
  });

  it('pins the same action to the same commit and version everywhere', () => {
    const pins = new Map<string, Set<string>>();
    for (const file of WORKFLOW_FILES) {
      for (const { ref, comment } of usesLines(text(file))) {
        if (ref.startsWith('./')) continue;
        const [name = ''] = ref.split('@');
        pins.set(name, (pins.get(name) ?? new Set()).add(`${ref} # ${comment}`));
      }
    }
    expect(pins.size).toBeGreaterThan(0);
    for (const [name, seen] of pins) expect([...seen], name).toHaveLength(1);
  });

  it('has the scanner refuse tags, short SHAs and missing comments', () => {
    const bad = usesLines(
      [
        '      - uses: actions/checkout@v4',
        '      - uses: actions/checkout@3d3c42e',
        '      - uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1',
        "        uses: 'actions/setup-node@820762786026740c76f36085b0efc47a31fe5020' # latest",
      ].join('\n'),
    );
    expect(bad).toHaveLength(4);
    const pinned = (l: { ref: string; comment: string }) =>
      /@[0-9a-f]{40}$/.test(l.ref) && /^v\d+\.\d+\.\d+$/.test(l.comment);
    expect(bad.filter(pinned)).toEqual([]);
  });
});

describe('ci.yml', () => {
  it('reads the promised Node versions from package.json and action.yml', () => {
    expect(OLDEST_NODE).toBeGreaterThanOrEqual(20);
    expect(ACTION_NODE).toBeGreaterThan(OLDEST_NODE);
  });

  it('runs the unit tests on every hosted OS', () => {
    const unit = ci.jobs.unit;
    expect(unit?.strategy?.matrix?.os).toEqual(HOSTED_OSES);
    expect(unit?.['runs-on']).toBe(expr('matrix.os'));
    expect(runs(unit)).toMatch(/npm run test:unit|vitest run --project unit/);
  });

  it("runs the end-to-end tests on ubuntu with the oldest supported Node and action.yml's", () => {
    const e2e = ci.jobs.e2e;
    expect(e2e?.['runs-on']).toBe('ubuntu-latest');
    expect(e2e?.strategy?.matrix?.node).toEqual([OLDEST_NODE, ACTION_NODE]);
    expect(usesOf(e2e, 'actions/setup-node')[0]?.with?.['node-version']).toBe(expr('matrix.node'));
    expect(runs(e2e)).toMatch(/npm run test:e2e|vitest run --project e2e/);
    expect(runs(e2e)).toMatch(/moto\[server\]==5\.2\.1/);
  });

  it('checks that dist/ is fresh and uploads the expected dist/ when it is not', () => {
    const job = ci.jobs.dist;
    const check = steps(job).find((step) => step.id === 'dist');
    const all = steps(job);
    expect(all.findIndex((s) => s.run === 'npm run build')).toBeLessThan(all.indexOf(check as Step));
    expect(check?.run).toMatch(/git diff .*--exit-code -- dist/);
    const upload = usesOf(job, 'actions/upload-artifact')[0];
    expect(upload?.if).toMatch(/failure\(\)/);
    expect(upload?.if).toContain('steps.dist.outcome');
    expect(upload?.with?.path).toMatch(/^dist\/?$/);
  });

  it('runs the smoke job only with the repository variable, on every hosted OS, with an OIDC token', () => {
    const smoke = ci.jobs.smoke;
    expect(smoke?.if).toContain("vars.SMOKE_ROLE_ARN != ''");
    expect(smoke?.strategy?.matrix?.os).toEqual(HOSTED_OSES);
    expect(smoke?.['runs-on']).toBe(expr('matrix.os'));
    expect(smoke?.permissions).toEqual({ 'id-token': 'write', contents: 'read' });
  });

  it('smoke-tests each hand-off (environment, profile, refreshing profile) with the AWS CLI', () => {
    const all = steps(ci.jobs.smoke);
    const invocations = all.filter((step) => step.uses === './');
    const kinds = invocations.map((step) =>
      step.with?.['refresh-credentials'] === true
        ? 'refresh'
        : step.with?.['aws-profile']
          ? 'profile'
          : 'environment',
    );
    expect(kinds.sort()).toEqual(['environment', 'profile', 'refresh']);
    for (const invocation of invocations) {
      expect(invocation.with?.['role-to-assume']).toBe(expr('vars.SMOKE_ROLE_ARN'));
      // The step right after checks the identity the CLI sees against the action's output.
      const check = all[all.indexOf(invocation) + 1];
      expect(check?.run, invocation.name).toContain('aws ');
      expect(check?.run, invocation.name).toContain('sts get-caller-identity');
      expect(JSON.stringify(check?.env), invocation.name).toContain(
        `steps.${invocation.id}.outputs.authenticated-arn`,
      );
    }
  });

  it('gives no job more than read access, except the smoke job its OIDC token', () => {
    expect(ci.permissions).toEqual({ contents: 'read' });
    for (const [name, job] of Object.entries(ci.jobs)) {
      if (name !== 'smoke') expect(job.permissions, name).toBeUndefined();
    }
  });
});

describe('release.yml', () => {
  it('runs on a version tag, or by hand with a tag', () => {
    expect(release.on.push).toEqual({ tags: ['v*.*.*'] });
    const dispatch = release.on.workflow_dispatch as { inputs: Record<string, { required?: boolean }> };
    expect(dispatch.inputs.tag?.required).toBe(true);
  });

  it('checks dist/, then releases from the CHANGELOG and moves the major tag', () => {
    const { verify, publish } = release.jobs;
    const check = steps(verify).find((step) => step.id === 'dist');
    expect(check?.run).toMatch(/git diff .*--exit-code -- dist/);
    expect(usesOf(verify, 'actions/upload-artifact')[0]?.if).toContain('steps.dist.outcome');
    expect(publish?.needs).toBe('verify');
    expect(runs(publish)).toContain('node scripts/changelog-section.mjs "$TAG"');
    expect(runs(publish)).toContain('gh release create "$TAG"');
    expect(runs(publish)).toMatch(/major="\$\{TAG%%\.\*\}"/);
  });

  it('gives write access only to the job that runs no dependency code', () => {
    expect(release.permissions).toEqual({ contents: 'read' });
    expect(release.jobs.verify?.permissions).toBeUndefined();
    expect(release.jobs.publish?.permissions).toEqual({ contents: 'write' });
    expect(runs(release.jobs.publish)).not.toMatch(/npm (ci|install|run)/);
    for (const checkout of usesOf(release.jobs.publish, 'actions/checkout')) {
      expect(checkout.with?.['persist-credentials']).toBe(false);
    }
  });
});

describe('dependabot.yml', () => {
  const config = parse(read('.github/dependabot.yml')) as {
    updates: { 'package-ecosystem': string; schedule: { interval: string }; groups?: object }[];
  };

  it('updates npm and the workflow actions weekly, in groups', () => {
    expect(config.updates.map((u) => u['package-ecosystem']).sort()).toEqual(['github-actions', 'npm']);
    for (const update of config.updates) {
      expect(update.schedule.interval, update['package-ecosystem']).toBe('weekly');
      expect(Object.keys(update.groups ?? {}).length, update['package-ecosystem']).toBeGreaterThan(0);
    }
  });
});
