import * as path from 'node:path';
import { STS_AUDIENCE } from '../aws/sts.js';
import { ActionError } from '../common/errors.js';
import {
  missingOidcPermissionError,
  oidcRequestAvailable,
  requestGitHubIdToken,
} from '../tokens/oidc-request.js';
import { readTokenFile, type TokenSource, tokenExpiry } from '../tokens/token.js';
import type { AssumeFlags } from './args.js';
import type { CiSystem } from './ci.js';
import { UsageError } from './usage.js';

/**
 * Where the web identity token comes from: a variable, a file, or GitHub's endpoint. Unlike the
 * action's sources, nothing here registers a mask (`::add-mask::` on stdout would carry the token
 * into the eval'd output, and outside GitHub into the log): the token is simply never printed.
 */
export type TokenPlan =
  | { kind: 'variable'; name: string; ci?: CiSystem }
  | { kind: 'file'; path: string }
  | { kind: 'github'; audience: string };

/** Pure: the token source the flags and the CI system give; a UsageError when they give none. */
export function planToken(flags: AssumeFlags, ci: CiSystem | undefined, env: NodeJS.ProcessEnv): TokenPlan {
  const plan = chooseToken(flags, ci, env);
  if (flags.audience !== undefined && plan.kind !== 'github') {
    throw new UsageError(
      '--audience applies only to a token this command requests from GitHub Actions.',
      `The audience of this token is set where it is issued${ci ? ` (${ci.label}'s configuration)` : ''}; drop --audience.`,
    );
  }
  return plan;
}

function chooseToken(flags: AssumeFlags, ci: CiSystem | undefined, env: NodeJS.ProcessEnv): TokenPlan {
  if (flags.tokenFile !== undefined) return { kind: 'file', path: path.resolve(flags.tokenFile) };
  if (flags.tokenEnv !== undefined) return { kind: 'variable', name: flags.tokenEnv, ci };
  if (!ci) {
    throw new UsageError(
      'No CI system detected (Bitbucket Pipelines, GitLab CI, CircleCI, GitHub Actions) and no token given.',
      'Pass the token with --token-env VAR or --token-file PATH.',
    );
  }
  if (ci.name === 'github') return { kind: 'github', audience: flags.audience ?? STS_AUDIENCE };
  const name = ci.tokenVariables.find((variable) => env[variable]) ?? ci.tokenVariables[0];
  if (name === undefined) {
    throw new UsageError(
      `In ${ci.label}, --token-env is required: the pipeline names the token.`,
      ci.noToken,
    );
  }
  return { kind: 'variable', name, ci };
}

/** Pure: how a plan's token is named in messages. */
export function describeToken(plan: TokenPlan): string {
  if (plan.kind === 'variable') return `the variable ${plan.name}`;
  if (plan.kind === 'file') return `the file ${plan.path}`;
  return "GitHub's OIDC endpoint";
}

/**
 * The plan's token source: each token checked to be an unexpired JWT before it is sent; `onToken`
 * is told each one (to record its claims). A variable cannot be refreshed: asked for a fresh token
 * after STS said it expired, it fails at once.
 */
export function tokenSource(
  plan: TokenPlan,
  env: NodeJS.ProcessEnv,
  onToken: (jwt: string) => void,
  now: () => number = Date.now,
): TokenSource {
  let cached: string | undefined;
  const read = async (fresh: boolean): Promise<string> => {
    if (plan.kind === 'file') return readToken(plan.path);
    if (plan.kind === 'variable') {
      if (fresh) throw expired(plan, undefined);
      return variableToken(plan, env);
    }
    if (!oidcRequestAvailable(env)) throw missingOidcPermissionError();
    if (fresh || cached === undefined) cached = await requestGitHubIdToken(plan.audience, { env });
    return cached;
  };
  return {
    async token(fresh = false) {
      const jwt = await read(fresh);
      const exp = tokenExpiry(jwt);
      if (exp === undefined && jwt.split('.').length !== 3) {
        throw new ActionError(
          'Not a web identity token',
          `${describeToken(plan)} does not hold a JWT (header.payload.signature).`,
          'Pass the OIDC token itself (three base64url parts separated by dots), not a file name or a quoted value.',
        );
      }
      if (exp !== undefined && exp <= now()) throw expired(plan, exp);
      onToken(jwt);
      return jwt;
    },
  };
}

function variableToken(plan: Extract<TokenPlan, { kind: 'variable' }>, env: NodeJS.ProcessEnv): string {
  const value = env[plan.name]?.trim();
  if (value) return value;
  const others = plan.ci?.tokenVariables.filter((name) => name !== plan.name) ?? [];
  throw new ActionError(
    'No OIDC token',
    `${describeToken(plan)}${others.length ? ` (nor ${others.join(', ')})` : ''} is not set or empty${plan.ci ? ` in this ${plan.ci.label} job` : ''}.`,
    plan.ci?.noToken ?? `Set ${plan.name} to the job's OIDC token, or pass --token-file.`,
  );
}

function expired(plan: TokenPlan, exp: number | undefined): ActionError {
  return new ActionError(
    'Web identity token expired',
    `The token from ${describeToken(plan)} ${exp ? `expired at ${new Date(exp).toISOString()}` : 'has expired, and cannot be refreshed from there'}.`,
    'CI systems issue the token for the step or job, and it lasts a limited time: run this command earlier ' +
      'in the job, or give it a fresh token (a file can be rewritten between attempts).',
  );
}

function readToken(file: string): string {
  // Links followed and size bounded, as the action reads web-identity-token-file.
  return readTokenFile(file, '--token-file').trim();
}
