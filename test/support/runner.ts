// A GitHub runner emulator: runs this repo's bundled action (or a fixture action) as the runner
// would, with the runner's env, file commands, masking, post steps and composite env precedence.
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type ActionMeta,
  GITHUB_SHA,
  githubContextEnv,
  inputEnvName,
  loadActionMeta,
} from './action-meta.js';
import { type ExprContext, evaluateCondition, interpolate } from './expressions.js';
import { SecretLog } from './secrets.js';
import { type Annotation, executeStep, type StepResult, skippedResult } from './step.js';
import { actionNode, baseEnv } from './tools.js';

export { GITHUB_SHA, inputEnvName } from './action-meta.js';
export type { Annotation, StepResult } from './step.js';

export interface CompositeStep {
  uses?: 'self';
  with?: Record<string, string>;
  run?: string;
  env?: Record<string, string>;
  id?: string;
}
export interface CompositeAction {
  inputs?: Record<string, { default?: string }>;
  steps: CompositeStep[];
}

export interface JobOptions {
  env?: Record<string, string>;
  /** Directory holding action.yml; default: the repo root. */
  actionDir?: string;
  /** Per-process timeout, default 60 s. */
  timeoutMs?: number;
  /** Overrides of the GITHUB_* / RUNNER_* context (e.g. GITHUB_REPOSITORY for a fork). */
  github?: Record<string, string>;
  /** The node that runs the action (the runner's node24 on GitHub); default actionNode(). */
  node?: string;
  /** The `strategy` context of a matrix job; default what GitHub gives a job without a matrix. */
  strategy?: Strategy;
}

export interface Strategy {
  'fail-fast': boolean;
  'job-index': number;
  'job-total': number;
  'max-parallel': number;
}

const NO_MATRIX: Strategy = { 'fail-fast': true, 'job-index': 0, 'job-total': 1, 'max-parallel': 1 };

export interface StepOptions {
  env?: Record<string, string>;
  id?: string;
  timeoutMs?: number;
}

interface PostStep {
  id: string;
  script: string;
  postIf: string;
  inputEnv: Record<string, string>;
  stepEnv: Record<string, string>;
  state: Record<string, string>;
  timeoutMs: number;
}

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DEFAULT_TIMEOUT_MS = 60_000;

export class Job {
  readonly workspace: string;
  readonly home: string;
  readonly runnerTemp: string;
  private readonly root: string;
  private readonly actionDir: string;
  private readonly timeoutMs: number;
  private readonly node: string;
  private readonly jobEnv: Record<string, string>;
  private readonly context: Record<string, string>;
  private readonly strategy: Strategy;
  private readonly log = new SecretLog();
  private readonly posts: PostStep[] = [];
  private readonly summaries: string[] = [];
  private readonly pathAdds: string[] = [];
  private readonly groups = new Set<number>();
  private readonly idCounts = new Map<string, number>();
  private meta: ActionMeta | undefined;
  private steps = 0;
  private jobFailed = false;

  constructor(opts: JobOptions = {}) {
    this.root = mkdtempSync(join(tmpdir(), 'e2e-job-'));
    this.workspace = join(this.root, 'work', 'app', 'app');
    this.home = join(this.root, 'home');
    this.runnerTemp = join(this.root, 'temp');
    const toolCache = join(this.root, 'toolcache');
    for (const d of [this.workspace, this.home, this.runnerTemp, toolCache])
      mkdirSync(d, { recursive: true });
    this.actionDir = resolve(opts.actionDir ?? REPO_ROOT);
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.node = opts.node ?? actionNode();
    this.jobEnv = { ...(opts.env ?? {}) };
    this.strategy = opts.strategy ?? NO_MATRIX;
    const eventPath = join(this.runnerTemp, '_github_workflow', 'event.json');
    mkdirSync(dirname(eventPath), { recursive: true });
    writeFileSync(
      eventPath,
      JSON.stringify({ ref: 'refs/heads/main', after: GITHUB_SHA, repository: { full_name: 'acme/app' } }),
    );
    this.context = githubContextEnv({
      workspace: this.workspace,
      runnerTemp: this.runnerTemp,
      toolCache,
      eventPath,
      overrides: opts.github,
    });
  }

  /** The job env: the workflow's `env:` plus every GITHUB_ENV write so far. */
  get env(): Record<string, string> {
    return { ...this.jobEnv };
  }

  /** True once any step (or post step) has failed; drives success()/failure() in post-if. */
  get failed(): boolean {
    return this.jobFailed;
  }

  addSecret(value: string): void {
    this.log.watch(value, 'addSecret');
  }

  /** `text` masked with the masks registered so far, as the runner would print it. */
  mask(text: string): string {
    return this.log.mask(text);
  }

  leaks(): string[] {
    return this.log.leaks();
  }

  summary(): string {
    return this.summaries.join('\n');
  }

  async uses(inputs: Record<string, string>, opts: StepOptions = {}): Promise<StepResult> {
    const meta = this.action();
    const id = this.stepId(opts.id, '__self');
    const given = new Map(Object.entries(inputs).map(([k, v]) => [k.toLowerCase(), v]));
    const declared = Object.keys(meta.inputs);
    const unexpected = [...given.keys()].filter((k) => !declared.some((d) => d.toLowerCase() === k));
    const annotations: Annotation[] = [];
    if (unexpected.length > 0) {
      annotations.push({
        level: 'warning',
        message: `Unexpected input(s) '${unexpected.join("', '")}', valid inputs are ['${declared.join("', '")}']`,
      });
    }
    const inputEnv: Record<string, string> = {};
    for (const [name, spec] of Object.entries(meta.inputs)) {
      if (spec.default !== undefined)
        inputEnv[inputEnvName(name)] = interpolate(spec.default, this.exprContext());
    }
    for (const [name, value] of Object.entries(inputs)) inputEnv[inputEnvName(name)] = value;
    const stepEnv = { ...(opts.env ?? {}) };
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    // The runner registers the post step before the main step runs, so it exists even if main fails.
    const post: PostStep | undefined = meta.post
      ? { id, script: meta.post, postIf: meta.postIf ?? 'always()', inputEnv, stepEnv, state: {}, timeoutMs }
      : undefined;
    if (post) this.posts.push(post);
    const result = await this.step(`uses(${id})`, [join(this.actionDir, meta.main)], {
      env: { ...stepEnv, ...inputEnv },
      id,
      timeoutMs,
      annotations,
    });
    if (post) post.state = result.state;
    return result;
  }

  async run(script: string, opts: StepOptions & { shell?: 'bash' } = {}): Promise<StepResult> {
    const id = this.stepId(opts.id, '__run');
    const file = join(this.runnerTemp, `${randomUUID()}.sh`);
    writeFileSync(file, script);
    // `shell: bash` is --noprofile --norc -eo pipefail; with no shell given, Linux runs `bash -e`.
    const args = opts.shell === 'bash' ? ['--noprofile', '--norc', '-eo', 'pipefail', file] : ['-e', file];
    return this.step(`run(${id})`, args, {
      env: opts.env ?? {},
      id,
      timeoutMs: opts.timeoutMs,
      script: true,
    });
  }

  async composite(
    action: CompositeAction,
    inputs: Record<string, string> = {},
    opts: { env?: Record<string, string> } = {},
  ): Promise<StepResult[]> {
    const values: Record<string, string> = {};
    for (const [name, spec] of Object.entries(action.inputs ?? {})) {
      if (spec.default !== undefined) values[name] = interpolate(spec.default, this.exprContext());
    }
    Object.assign(values, inputs);
    const callerEnv = opts.env ?? {};
    const steps: Record<string, { outputs: Record<string, string> }> = {};
    const results: StepResult[] = [];
    for (const child of action.steps) {
      // Precedence: job env (with GITHUB_ENV writes so far) < the caller's own env: < the child's env:.
      const ctx = (extra: Record<string, string>) =>
        this.exprContext({ ...this.jobEnv, ...callerEnv, ...extra }, { inputs: values, steps });
      const childEnv = mapValues(child.env ?? {}, (v) => interpolate(v, ctx({})));
      const stepEnv = { ...callerEnv, ...childEnv };
      let result: StepResult;
      if (child.uses === 'self' && child.run === undefined) {
        const withValues = mapValues(child.with ?? {}, (v) => interpolate(v, ctx(childEnv)));
        result = await this.uses(withValues, { env: stepEnv, id: child.id });
      } else if (child.run !== undefined && child.uses === undefined) {
        const script = interpolate(child.run, ctx(childEnv));
        result = await this.run(script, { env: stepEnv, id: child.id, shell: 'bash' });
      } else {
        throw new Error('A composite step needs exactly one of `uses: self` or `run`');
      }
      results.push(result);
      if (child.id) steps[child.id] = { outputs: result.outputs };
      if (result.exitCode !== 0) break;
    }
    return results;
  }

  async post(): Promise<StepResult[]> {
    const results: StepResult[] = [];
    for (let post = this.posts.pop(); post !== undefined; post = this.posts.pop()) {
      const ctx = this.exprContext({ ...this.jobEnv, ...post.stepEnv });
      if (!evaluateCondition(post.postIf, ctx)) {
        results.push(skippedResult(`#${++this.steps} post(${post.id})`));
        continue;
      }
      const stateEnv = Object.fromEntries(Object.entries(post.state).map(([k, v]) => [`STATE_${k}`, v]));
      const result = await this.step(`post(${post.id})`, [join(this.actionDir, post.script)], {
        env: { ...post.stepEnv, ...post.inputEnv, ...stateEnv },
        id: post.id,
        timeoutMs: post.timeoutMs,
      });
      results.push(result);
    }
    return results;
  }

  async dispose(): Promise<void> {
    // The runner kills orphaned processes at the end of a job; so do we, for our own groups only.
    for (const pgid of this.groups) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    this.groups.clear();
    rmSync(this.root, { recursive: true, force: true });
  }

  private async step(
    name: string,
    args: string[],
    o: {
      env: Record<string, string>;
      id: string;
      timeoutMs?: number;
      annotations?: Annotation[];
      script?: boolean;
    },
  ): Promise<StepResult> {
    const label = `#${++this.steps} ${name}`;
    const env: Record<string, string> = {
      ...baseEnv(),
      HOME: this.home,
      ...this.jobEnv,
      ...o.env,
      ...this.context, // the runner ignores attempts to override GITHUB_*/RUNNER_* defaults
      GITHUB_ACTION: o.id,
    };
    if (this.pathAdds.length > 0) env.PATH = [...this.pathAdds, env.PATH].join(':');
    const result = await executeStep(
      {
        label,
        command: o.script ? 'bash' : this.node,
        args,
        env,
        cwd: this.workspace,
        fileDir: join(this.runnerTemp, '_runner_file_commands'),
        timeoutMs: o.timeoutMs ?? this.timeoutMs,
        isScript: o.script === true,
        annotations: o.annotations,
      },
      this.log,
    );
    const { pid, ...stepResult } = result;
    this.groups.add(pid);
    Object.assign(this.jobEnv, stepResult.envWrites);
    this.pathAdds.unshift(...[...stepResult.pathAdds].reverse());
    if (stepResult.summary.trim() !== '') this.summaries.push(stepResult.summary);
    if (stepResult.exitCode !== 0) this.jobFailed = true;
    return stepResult;
  }

  private stepId(id: string | undefined, generated: string): string {
    if (id) return id;
    const n = (this.idCounts.get(generated) ?? 0) + 1;
    this.idCounts.set(generated, n);
    return n === 1 ? generated : `${generated}_${n}`;
  }

  private exprContext(
    env: Record<string, string> = this.jobEnv,
    extra: Record<string, unknown> = {},
  ): ExprContext {
    const github: Record<string, string> = { token: '' };
    for (const [k, v] of Object.entries(this.context)) {
      if (k.startsWith('GITHUB_')) github[k.slice('GITHUB_'.length).toLowerCase()] = v;
    }
    return { contexts: { env, github, strategy: this.strategy, ...extra }, failed: this.jobFailed };
  }

  private action(): ActionMeta {
    this.meta ??= loadActionMeta(this.actionDir);
    return this.meta;
  }
}

function mapValues(obj: Record<string, string>, fn: (v: string) => string): Record<string, string> {
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, fn(v)]));
}
