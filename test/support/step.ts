// Executes one step (node action or bash script) the way the runner does: fresh file-command files,
// workflow commands on stdout/stderr, masking, and file-command parsing once the process ends.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Entry, parseKeyValueFile, parsePathFile, parseWorkflowCommand } from './file-commands.js';
import { runProcess, type Stream } from './process.js';
import type { SecretLog } from './secrets.js';

export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  title?: string;
  message: string;
  /** Every other ::command property (file, line, col, …), unescaped. */
  properties?: Record<string, string>;
}

export interface StepResult {
  /** Which step this was, e.g. "#2 uses(creds)" or "#5 post(creds)". */
  label: string;
  exitCode: number;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  envWrites: Record<string, string>;
  state: Record<string, string>;
  summary: string;
  annotations: Annotation[];
  durationMs: number;
  /** True when the step did not run (a false post-if). */
  skipped?: boolean;
  timedOut?: boolean;
  /** GITHUB_PATH additions of this step. */
  pathAdds: string[];
}

export interface StepSpec {
  label: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  /** Where the per-step file-command files go (RUNNER_TEMP/_runner_file_commands). */
  fileDir: string;
  timeoutMs: number;
  /** `run:` steps get the runner's "Process completed with exit code N." annotation. */
  isScript: boolean;
  annotations?: Annotation[];
}

// Values written under such names are secrets even if the step never masks them.
const SECRET_NAME = /SECRET|SESSION_TOKEN|ACCESS_KEY/i;
const SUMMARY_LIMIT = 1024 * 1024;

export function skippedResult(label: string): StepResult {
  return {
    label,
    exitCode: 0,
    stdout: '',
    stderr: '',
    outputs: {},
    envWrites: {},
    state: {},
    summary: '',
    annotations: [],
    durationMs: 0,
    skipped: true,
    pathAdds: [],
  };
}

export async function executeStep(spec: StepSpec, log: SecretLog): Promise<StepResult & { pid: number }> {
  mkdirSync(spec.fileDir, { recursive: true });
  const files = {
    env: join(spec.fileDir, `set_env_${randomUUID()}`),
    output: join(spec.fileDir, `set_output_${randomUUID()}`),
    state: join(spec.fileDir, `save_state_${randomUUID()}`),
    summary: join(spec.fileDir, `step_summary_${randomUUID()}`),
    path: join(spec.fileDir, `add_path_${randomUUID()}`),
  };
  for (const f of Object.values(files)) writeFileSync(f, '');
  const env = {
    ...spec.env,
    GITHUB_ENV: files.env,
    GITHUB_OUTPUT: files.output,
    GITHUB_STATE: files.state,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_PATH: files.path,
  };

  const annotations: Annotation[] = [...(spec.annotations ?? [])];
  const outputs: Record<string, string> = {};
  const state: Record<string, string> = {};
  const shown: Record<Stream, string[]> = { stdout: [], stderr: [] };
  const lineNo: Record<Stream, number> = { stdout: 0, stderr: 0 };
  let stopToken: string | null = null;

  const onLine = (line: string, stream: Stream) => {
    const where = `step ${spec.label} ${stream} line ${++lineNo[stream]}`;
    const show = () => shown[stream].push(log.print(where, line));
    if (stopToken !== null) {
      if (line.trim() === `::${stopToken}::`) stopToken = null;
      else show();
      return;
    }
    const cmd = parseWorkflowCommand(line);
    if (cmd === null) return show();
    const { title, ...properties } = cmd.properties;
    switch (cmd.command) {
      case 'add-mask':
        log.addMask(cmd.data); // the runner never echoes this line
        return;
      case 'debug': // only visible with step debug logging, which this runner never enables
        return;
      case 'stop-commands':
        stopToken = cmd.data;
        return;
      case 'error':
      case 'warning':
      case 'notice': {
        show();
        const message = cmd.data
          .split('\n')
          .map((l, i) => log.print(`${where} annotation part ${i + 1}`, l))
          .join('\n');
        const a: Annotation = { level: cmd.command, message };
        if (title !== undefined) a.title = log.print(`${where} annotation title`, title);
        if (Object.keys(properties).length > 0) a.properties = properties;
        annotations.push(a);
        return;
      }
      case 'set-output':
      case 'save-state': {
        // Deprecated but still honoured by the runner, with a warning.
        const name = properties.name ?? '';
        (cmd.command === 'set-output' ? outputs : state)[name] = cmd.data;
        if (cmd.command === 'set-output' && SECRET_NAME.test(name)) log.watch(cmd.data, `set-output ${name}`);
        annotations.push({
          level: 'warning',
          message: `The \`${cmd.command}\` command is deprecated and will be disabled soon. Please upgrade to using Environment Files.`,
        });
        return;
      }
      default:
        return show();
    }
  };

  const started = Date.now();
  const proc = await runProcess(spec.command, spec.args, {
    env,
    cwd: spec.cwd,
    timeoutMs: spec.timeoutMs,
    onLine,
  });
  let exitCode = proc.exitCode;
  if (proc.timedOut) {
    annotations.push({ level: 'error', message: `The step has timed out after ${spec.timeoutMs} ms.` });
  } else if (exitCode !== 0 && spec.isScript) {
    annotations.push({ level: 'error', message: `Process completed with exit code ${exitCode}.` });
  }

  const readEntries = (kind: string, file: string): Entry[] => {
    try {
      return parseKeyValueFile(readFileSync(file, 'utf8'));
    } catch (err) {
      annotations.push({ level: 'error', message: `Unable to process file command '${kind}' successfully.` });
      annotations.push({ level: 'error', message: log.mask((err as Error).message) });
      if (exitCode === 0) exitCode = 1;
      return [];
    }
  };
  const envWrites: Record<string, string> = {};
  for (const [name, value] of readEntries('env', files.env)) {
    envWrites[name] = value;
    if (SECRET_NAME.test(name)) log.watch(value, `GITHUB_ENV ${name}`);
  }
  for (const [name, value] of readEntries('output', files.output)) {
    outputs[name] = value;
    if (SECRET_NAME.test(name)) log.watch(value, `GITHUB_OUTPUT ${name}`);
  }
  for (const [name, value] of readEntries('state', files.state)) state[name] = value;
  const pathAdds = parsePathFile(readFileSync(files.path, 'utf8'));

  let summary = '';
  // Every summary is leak-checked as written, whatever its size and before any masking.
  log.record(`step ${spec.label} summary file`, readFileSync(files.summary, 'utf8'));
  if (statSync(files.summary).size > SUMMARY_LIMIT) {
    annotations.push({
      level: 'error',
      message: `$GITHUB_STEP_SUMMARY upload aborted, supports content up to a size of 1024k, got ${statSync(files.summary).size / 1024}k.`,
    });
  } else {
    // The runner scrubs the summary with the masker before uploading it.
    summary = readFileSync(files.summary, 'utf8')
      .split('\n')
      .map((l, i) => log.print(`step ${spec.label} summary line ${i + 1}`, l))
      .join('\n');
  }

  return {
    label: spec.label,
    exitCode,
    stdout: shown.stdout.join('\n'),
    stderr: shown.stderr.join('\n'),
    outputs,
    envWrites,
    state,
    summary,
    annotations,
    durationMs: Date.now() - started,
    ...(proc.timedOut ? { timedOut: true } : {}),
    pathAdds,
    pid: proc.pid,
  };
}
