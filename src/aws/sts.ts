import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import {
  AssumeRoleCommand,
  type AssumeRoleCommandInput,
  AssumeRoleWithWebIdentityCommand,
  GetCallerIdentityCommand,
  STSClient,
} from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { callSignal, MAX_ANSWER_BYTES } from '../common/deadline.js';
import { BoundedHttpHandler } from './bounded-handler.js';
import { proxyAgent } from './proxy.js';

/** The audience STS expects in a web identity token by default (the `audience` input's default). */
export const STS_AUDIENCE = 'sts.amazonaws.com';

/** Temporary or static credentials, with what STS said about whose they are. */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
  /** The assumed-role or user ARN, when known. */
  arn?: string;
}

export interface StsClientOptions {
  region: string;
  endpoint?: string;
  /** Signing credentials; not needed for AssumeRoleWithWebIdentity. */
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
}

/**
 * Seconds allowed to open a connection and of silence before the answer. STS answers in well under
 * a second; without these a black-holed endpoint hangs each attempt for the OS's minutes instead of
 * failing into the retry loop. Each call also has a wall-clock bound (common/deadline.ts).
 */
export const CONNECT_TIMEOUT_MS = 3000;
export const RESPONSE_TIMEOUT_MS = 5000;

/**
 * The URL requests go to: sts-endpoint, else what the SDK resolves for the region (its partition's
 * domain: amazonaws.com.cn in aws-cn, c2s.ic.gov in aws-iso, …). The proxy decision (NO_PROXY) is
 * made on it.
 */
export function stsEndpointFor(options: Pick<StsClientOptions, 'region' | 'endpoint'>): string {
  if (options.endpoint) return options.endpoint;
  const probe = new STSClient({ region: options.region });
  try {
    return probe.config.endpointProvider({
      Region: options.region,
      UseDualStack: false,
      UseFIPS: process.env.AWS_USE_FIPS_ENDPOINT === 'true',
      UseGlobalEndpoint: false,
    }).url.href;
  } finally {
    probe.destroy();
  }
}

export function createStsClient(options: StsClientOptions): STSClient {
  const endpoint = stsEndpointFor(options);
  // No keep-alive: a retry waits seconds, by which time the server may have closed an idle socket,
  // and reusing it would fail the next attempt with ECONNRESET.
  const proxied = proxyAgent(endpoint);
  const httpAgent = proxied ?? new HttpAgent({ keepAlive: false });
  const httpsAgent = proxied ?? new HttpsAgent({ keepAlive: false });
  return new STSClient({
    region: options.region,
    endpoint: options.endpoint,
    credentials: options.credentials,
    // Retries are ours (retry.ts): the SDK's own would multiply them and retry what cannot succeed.
    maxAttempts: 1,
    requestHandler: new BoundedHttpHandler(
      {
        connectionTimeout: CONNECT_TIMEOUT_MS,
        requestTimeout: RESPONSE_TIMEOUT_MS,
        throwOnRequestTimeout: true,
        httpAgent,
        httpsAgent,
      },
      MAX_ANSWER_BYTES,
    ),
  });
}

function fromStsCredentials(
  result: {
    Credentials?: {
      AccessKeyId?: string;
      SecretAccessKey?: string;
      SessionToken?: string;
      Expiration?: Date;
    };
  },
  arn: string | undefined,
): Credentials {
  const c = result.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey) {
    throw new Error('STS answered without credentials.');
  }
  checkAnswerFields({ arn, accessKeyId: c.AccessKeyId, sessionToken: c.SessionToken });
  return {
    accessKeyId: c.AccessKeyId,
    secretAccessKey: c.SecretAccessKey,
    sessionToken: c.SessionToken,
    expiration: c.Expiration,
    arn,
  };
}

export interface WebIdentityRequest {
  roleArn: string;
  sessionName: string;
  durationSeconds: number;
  webIdentityToken: string;
  policy?: string;
  policyArns?: string[];
}

/** An answer field that would break a log line, an env file or an INI file: refused, never printed. */
export class BadStsAnswerError extends Error {
  readonly code = 'InvalidStsAnswer';

  constructor(field: string) {
    super(badFieldMessage(field));
    this.name = 'BadStsAnswerError';
  }
}

function badFieldMessage(field: string): string {
  return `STS answered with a ${field} holding a line break or control character; it was refused.`;
}

function checkAnswerFields(fields: Record<string, string | undefined>): void {
  for (const [field, value] of Object.entries(fields)) {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
    if (value !== undefined && /[\u0000-\u001f\u007f]/.test(value)) throw new BadStsAnswerError(field);
  }
}

/** One SDK call with its wall-clock bound: the call's own, or the step's deadline. */
async function bounded<T>(what: string, call: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
  const { signal, timedOut, done } = callSignal(what);
  try {
    return await call(signal);
  } catch (error) {
    throw timedOut(error) ?? error;
  } finally {
    done();
  }
}

export async function assumeRoleWithWebIdentity(
  client: STSClient,
  request: WebIdentityRequest,
): Promise<Credentials> {
  const command = new AssumeRoleWithWebIdentityCommand({
    RoleArn: request.roleArn,
    RoleSessionName: request.sessionName,
    DurationSeconds: request.durationSeconds,
    WebIdentityToken: request.webIdentityToken,
    Policy: request.policy,
    PolicyArns: request.policyArns?.map((arn) => ({ arn })),
  });
  const result = await bounded('AssumeRoleWithWebIdentity', (abortSignal) =>
    client.send(command, { abortSignal }),
  );
  return fromStsCredentials(result, result.AssumedRoleUser?.Arn);
}

export async function assumeRole(client: STSClient, input: AssumeRoleCommandInput): Promise<Credentials> {
  const result = await bounded('AssumeRole', (abortSignal) =>
    client.send(new AssumeRoleCommand(input), { abortSignal }),
  );
  return fromStsCredentials(result, result.AssumedRoleUser?.Arn);
}

export interface CallerIdentity {
  account: string;
  arn: string;
}

/**
 * The three STS calls the action makes, for one set of signing credentials. The pipeline gets them
 * through an StsFactory, so an in-process test can pass its own.
 */
export interface Sts {
  assumeRoleWithWebIdentity(request: WebIdentityRequest): Promise<Credentials>;
  assumeRole(input: AssumeRoleCommandInput): Promise<Credentials>;
  getCallerIdentity(): Promise<CallerIdentity>;
}

export type StsFactory = (options: StsClientOptions) => Sts;

/** The real STS, through the SDK's client with this action's timeouts and proxy. */
export const realSts: StsFactory = (options) => {
  const client = createStsClient(options);
  return {
    assumeRoleWithWebIdentity: (request) => assumeRoleWithWebIdentity(client, request),
    assumeRole: (input) => assumeRole(client, input),
    getCallerIdentity: () => getCallerIdentity(client),
  };
};

export async function getCallerIdentity(client: STSClient): Promise<CallerIdentity> {
  const result = await bounded('GetCallerIdentity', (abortSignal) =>
    client.send(new GetCallerIdentityCommand({}), { abortSignal }),
  );
  if (!result.Account || !result.Arn) throw new Error('GetCallerIdentity answered without an account.');
  checkAnswerFields({ arn: result.Arn, account: result.Account });
  return { account: result.Account, arn: result.Arn };
}
