// What the runner reads from action.yml, and the default GITHUB_*/RUNNER_* variables of a job.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';

export interface ActionMeta {
  using: string;
  main: string;
  post?: string;
  postIf?: string;
  inputs: Record<string, { default?: string }>;
}

export const GITHUB_SHA = 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00';
const RUNTIMES = new Set(['node20', 'node24']);

/** INPUT_ names as the runner builds them: spaces → _, upper case, hyphens kept. */
export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

export function loadActionMeta(actionDir: string): ActionMeta {
  const doc = parseYaml(readFileSync(join(actionDir, 'action.yml'), 'utf8')) as {
    runs?: Record<string, unknown>;
    inputs?: Record<string, { default?: unknown } | null>;
  };
  const runs = doc.runs ?? {};
  const using = String(runs.using ?? '');
  if (!RUNTIMES.has(using)) throw new Error(`runs.using '${using}' is not a supported JavaScript runtime`);
  if (typeof runs.main !== 'string') throw new Error('action.yml has no runs.main');
  const inputs: ActionMeta['inputs'] = {};
  for (const [name, spec] of Object.entries(doc.inputs ?? {})) {
    // YAML may type a default as a boolean or number; the runner sees its string form.
    inputs[name] =
      spec?.default === undefined || spec.default === null ? {} : { default: String(spec.default) };
  }
  const postIf = runs['post-if'];
  return {
    using,
    main: runs.main,
    post: typeof runs.post === 'string' ? runs.post : undefined,
    postIf: postIf === undefined || postIf === null ? undefined : String(postIf),
    inputs,
  };
}

/** The default variables of a push-to-main job in acme/app; `overrides` replaces any of them. */
export function githubContextEnv(o: {
  workspace: string;
  runnerTemp: string;
  toolCache: string;
  eventPath: string;
  overrides?: Record<string, string>;
}): Record<string, string> {
  return {
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_REPOSITORY: 'acme/app',
    GITHUB_REPOSITORY_OWNER: 'acme',
    GITHUB_REPOSITORY_ID: '2000',
    GITHUB_REPOSITORY_OWNER_ID: '1000',
    GITHUB_WORKFLOW: 'ci',
    GITHUB_WORKFLOW_REF: 'acme/app/.github/workflows/ci.yml@refs/heads/main',
    GITHUB_WORKFLOW_SHA: GITHUB_SHA,
    GITHUB_JOB: 'test',
    GITHUB_ACTOR: 'octocat',
    GITHUB_ACTOR_ID: '583231',
    GITHUB_TRIGGERING_ACTOR: 'octocat',
    GITHUB_SHA,
    GITHUB_REF: 'refs/heads/main',
    GITHUB_REF_NAME: 'main',
    GITHUB_REF_TYPE: 'branch',
    GITHUB_REF_PROTECTED: 'false',
    GITHUB_HEAD_REF: '',
    GITHUB_BASE_REF: '',
    GITHUB_RUN_ID: '4242',
    GITHUB_RUN_NUMBER: '7',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_RETENTION_DAYS: '90',
    GITHUB_EVENT_NAME: 'push',
    GITHUB_EVENT_PATH: o.eventPath,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: 'https://api.github.com',
    GITHUB_GRAPHQL_URL: 'https://api.github.com/graphql',
    GITHUB_WORKSPACE: o.workspace,
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_NAME: 'GitHub Actions 1',
    RUNNER_ENVIRONMENT: 'github-hosted',
    RUNNER_TEMP: o.runnerTemp,
    RUNNER_TOOL_CACHE: o.toolCache,
    RUNNER_WORKSPACE: dirname(o.workspace),
    ...(o.overrides ?? {}),
  };
}
