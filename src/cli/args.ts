import { parseArgs } from 'node:util';
import { PROGRAM, UsageError } from './usage.js';

/** The flags of `assume`, as given (checked for shape here, for meaning in settings.ts's validators). */
export interface AssumeFlags {
  roleArn: string;
  region: string;
  durationSeconds?: string;
  sessionName?: string;
  audience?: string;
  stsEndpoint?: string;
  format: OutputFormat;
  profile?: string;
  tokenEnv?: string;
  tokenFile?: string;
  concurrentJobs?: string;
}

export const FORMATS = ['env', 'json', 'profile'] as const;
export type OutputFormat = (typeof FORMATS)[number];

export type Command = { kind: 'help' } | { kind: 'version' } | { kind: 'assume'; flags: AssumeFlags };

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
  'role-arn': { type: 'string' },
  region: { type: 'string' },
  'duration-seconds': { type: 'string' },
  'session-name': { type: 'string' },
  audience: { type: 'string' },
  'sts-endpoint': { type: 'string' },
  format: { type: 'string' },
  profile: { type: 'string' },
  'token-env': { type: 'string' },
  'token-file': { type: 'string' },
  'concurrent-jobs': { type: 'string' },
} as const;

function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    // node:util names the flag ("Unknown option '--rol'", "Option '--region <value>' argument missing").
    const message = error instanceof Error ? error.message : String(error);
    // Its hint about '--' for positionals does not apply: assume takes none.
    throw new UsageError(message.replace(/ To specify a positional argument.*$/s, ''));
  }
}

type Values = ReturnType<typeof parse>['values'];

/** Pure: the command the arguments ask for, or a UsageError. Nothing here reads the environment. */
export function parseCommand(argv: string[]): Command {
  const { values, positionals } = parse(argv);
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  const [command, ...extra] = positionals;
  if (command === undefined) throw new UsageError('No command given.', `Run \`${PROGRAM} assume --help\`.`);
  if (command !== 'assume') throw new UsageError(`Unknown command "${command}"; the command is assume.`);
  if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}".`);
  return { kind: 'assume', flags: assumeFlags(values) };
}

function assumeFlags(values: Values): AssumeFlags {
  const roleArn = required(values['role-arn'], '--role-arn', 'arn:aws:iam::123456789012:role/Deploy');
  const region = required(values.region, '--region', 'eu-west-1');
  if (!/^arn:[a-z0-9-]+:iam::\d{12}:role\//.test(roleArn)) {
    throw new UsageError(
      `--role-arn "${roleArn}" is not a role ARN.`,
      'Use arn:<partition>:iam::<12-digit account>:role/<path/name>, e.g. arn:aws:iam::123456789012:role/Deploy.',
    );
  }
  const format = values.format ?? (values.profile !== undefined ? 'profile' : 'env');
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format "${format}" is not one of ${FORMATS.join(', ')}.`);
  }
  if (values.profile !== undefined && format !== 'profile') {
    throw new UsageError(
      `--profile is given with --format ${format}.`,
      'Use --format profile (or leave --format out) to write a profile.',
    );
  }
  if (values['token-env'] !== undefined && values['token-file'] !== undefined) {
    throw new UsageError('--token-env and --token-file are both given.', 'Give one token source.');
  }
  if (values['token-env'] !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(values['token-env'])) {
    throw new UsageError(
      `--token-env "${values['token-env']}" is not a variable name.`,
      'Name the variable without $, e.g. --token-env AWS_ID_TOKEN.',
    );
  }
  if (values['token-file'] === '')
    throw new UsageError('--token-file is empty.', 'Give the path of the token file.');
  return {
    roleArn,
    region,
    durationSeconds: values['duration-seconds'],
    sessionName: values['session-name'],
    audience: values.audience,
    stsEndpoint: values['sts-endpoint'],
    format: format as OutputFormat,
    profile: values.profile,
    tokenEnv: values['token-env'],
    tokenFile: values['token-file'],
    concurrentJobs: values['concurrent-jobs'],
  };
}

function required(value: string | undefined, flag: string, example: string): string {
  if (value === undefined || value.trim() === '') {
    throw new UsageError(`${flag} is required.`, `Add ${flag}, e.g. ${flag} ${example}.`);
  }
  return value.trim();
}
