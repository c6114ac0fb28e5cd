import { accountOf, partitionOf, roleNameOf } from '../aws/arn.js';
import { STS_AUDIENCE } from '../aws/sts.js';
import { type ErrorFacts, errorFacts } from '../common/classify.js';
import { ActionError, type FailureDetails } from '../common/errors.js';
import { oneLine } from '../common/log.js';
import { RetriesExhaustedError } from '../common/retry.js';
import type { CredentialSource } from '../credentials/source.js';
import { GITHUB_ISSUER, PRINTED_CLAIMS, providerHost, type TokenClaims } from '../tokens/claims.js';
import { OidcRequestError } from '../tokens/oidc-request.js';
import { claimLines, matchingCondition, usualMismatches } from './trust-advice.js';

/** What the pipeline knew when it failed; every field is optional, and none is a secret. */
export interface FailureContext {
  /** The role being assumed, when known. */
  roleArn?: string;
  durationSeconds?: number;
  /** action-timeout-s, when set: a deadline reached is then the action's timeout. */
  actionTimeoutSeconds?: number;
  /** Who retried, so exhausted retries name only knobs that exist there (default: the action). */
  caller?: 'action' | 'refresher' | 'cli';
  source?: CredentialSource;
  /** The `audience` input. */
  audience?: string;
  /** Claims of the last web identity token sent (never the token). */
  claims?: TokenClaims;
}

interface Explanation {
  title: string;
  message: string;
  fix: string;
  details?: FailureDetails;
}

/** Turns any failure into one explained ActionError: what went wrong, and how to fix it. */
export function explain(error: unknown, context: FailureContext = {}): ActionError {
  if (error instanceof ActionError) return error;
  const explained =
    error instanceof RetriesExhaustedError
      ? retriesExhausted(error, context)
      : explainFacts(outside(errorFacts(error)), context);
  return new ActionError(explained.title, explained.message, explained.fix, {
    cause: error,
    details: explained.details,
  });
}

/** Pure: the explanation of one STS (or SDK, or network) error. */
export function explainFacts(facts: ErrorFacts, context: FailureContext): Explanation {
  const { code = '', message } = facts;
  const webIdentity =
    context.source?.kind === 'oidc' ||
    context.source?.kind === 'token-file' ||
    /AssumeRoleWithWebIdentity/.test(message);
  if (code === 'AccessDenied' && webIdentity) return trustRefused(facts, context);
  if (code === 'AccessDenied') return assumeRoleRefused(facts, context);
  if (code === 'InvalidIdentityToken' && /No OpenID ?Connect provider/i.test(message)) {
    return noProvider(facts, context);
  }
  if (code === 'InvalidIdentityToken' && /audience/i.test(message)) return wrongAudience(facts, context);
  if (code === 'InvalidIdentityToken') {
    return {
      title: 'Web identity token rejected',
      message: `AWS STS rejected the web identity token${forRole(context)}: ${message}`,
      fix:
        'With GitHub OIDC this is usually a passing fault: re-run the job. With web-identity-token-file, ' +
        "check that the file holds a current JWT from an issuer the role's account has a provider for.",
    };
  }
  if (code === 'ValidationError' && /DurationSeconds|MaxSessionDuration/i.test(message)) {
    return durationRefused(facts, context);
  }
  if (
    ['InvalidClientTokenId', 'SignatureDoesNotMatch', 'ExpiredToken', 'UnrecognizedClient'].includes(code)
  ) {
    return {
      title: `Source credentials rejected (${code})`,
      message: `AWS STS did not accept the credentials used to call it${forRole(context)}: ${message}`,
      fix:
        context.source?.kind === 'role-chaining'
          ? 'The credentials in the environment are expired or invalid: assume the first role again in this job before chaining.'
          : 'Check aws-access-key-id and aws-secret-access-key (and aws-session-token for temporary keys): ' +
            'the key may be deactivated or deleted, or the secret copied with extra characters.',
    };
  }
  return {
    title: code ? `AWS STS: ${code}` : 'Could not get AWS credentials',
    message: `Could not get credentials${forRole(context)}: ${code ? `${code}: ` : ''}${message}`,
    fix: 'Check the role ARN, its trust policy, and the inputs of this step.',
  };
}

/** Pure: the facts with their outside text (an STS code or message) kept on one line. */
function outside(facts: ErrorFacts): ErrorFacts {
  return { ...facts, message: oneLine(facts.message), ...(facts.code && { code: oneLine(facts.code) }) };
}

const forRole = (context: FailureContext): string => (context.roleArn ? ` for ${context.roleArn}` : '');

const bullets = (lines: string[]): string[] => lines.map((line) => `- ${line}`);

/** AccessDenied on AssumeRoleWithWebIdentity: the trust policy did not match the token. */
function trustRefused(facts: ErrorFacts, context: FailureContext): Explanation {
  const { claims, roleArn } = context;
  const what = [
    `${roleArn ?? 'The role'} refused this job's web identity token: ${facts.message}`,
    "The role's trust policy does not match the token's claims, or the role does not exist.",
  ];
  const details = claims
    ? [
        "The token's claims (not secrets):",
        ...claimLines(claims),
        'A trust policy condition that matches this job:',
        ...matchingCondition(claims).map((line) => `  ${line}`),
      ]
    : ['The token could not be read, so its claims are unknown.'];
  const { likely, others } = usualMismatches(claims, roleArn);
  const account = accountOf(roleArn);
  const provider = `arn:${partitionOf(roleArn)}:iam::${account ?? 'ACCOUNT'}:oidc-provider/${providerHost(claims?.iss)}`;
  const fix = [
    claims
      ? "Compare the role's trust policy with the condition above."
      : "Compare the role's trust policy with this job's token claims.",
    ...(likely.length ? ['Likely here:', ...bullets(likely)] : []),
    'Also check:',
    ...bullets([
      ...others,
      `The statement's Principal is {"Federated": "${provider}"} and its Action is sts:AssumeRoleWithWebIdentity.`,
    ]),
  ];
  return {
    title: 'Role trust policy does not match this job (AccessDenied)',
    message: [...what, ...details].join('\n'),
    fix: fix.join('\n'),
    details: {
      cause: (claims ? what : [...what, ...details]).join('\n'),
      ...(claims
        ? {
            facts: {
              heading: "The token's claims (not secrets)",
              rows: PRINTED_CLAIMS.map((key): [string, string] => [key, claims[key] ?? '(not in the token)']),
            },
            code: {
              heading: 'A trust policy condition that matches this job',
              language: 'json',
              lines: matchingCondition(claims),
            },
          }
        : {}),
    },
  };
}

/** AccessDenied on AssumeRole: the caller is not trusted, or may not tag, or the ExternalId differs. */
function assumeRoleRefused(facts: ErrorFacts, context: FailureContext): Explanation {
  if (/sts:TagSession/.test(facts.message)) {
    return {
      title: 'Role does not allow session tags (AccessDenied)',
      message: `${facts.message}\nThis action tags the session with the run's details unless told not to.`,
      fix:
        "Add sts:TagSession next to sts:AssumeRole in the role's trust policy, " +
        'or set `role-skip-session-tagging: true`.',
    };
  }
  return {
    title: 'Not allowed to assume the role (AccessDenied)',
    message: `${facts.message}${context.roleArn && !facts.message.includes(context.roleArn) ? ` (role ${context.roleArn})` : ''}`,
    fix: [
      "The role's trust policy must name the caller (the ARN above, its role, or its account root) as a Principal " +
        "allowed sts:AssumeRole and sts:TagSession, and the caller's own policies must allow sts:AssumeRole on the role.",
      'If the trust policy has an sts:ExternalId condition, role-external-id must equal it.',
      'Check role-to-assume for a typo and the right account.',
    ].join('\n'),
  };
}

function noProvider(facts: ErrorFacts, context: FailureContext): Explanation {
  const issuer = /for (https:\/\/\S+)/.exec(facts.message)?.[1] ?? context.claims?.iss ?? GITHUB_ISSUER;
  const account = accountOf(context.roleArn);
  const audience = context.claims?.aud ?? context.audience ?? STS_AUDIENCE;
  return {
    title: "No OIDC identity provider in the role's account",
    message:
      `${account ? `Account ${account}` : "The role's account"} has no IAM OIDC identity provider for ${issuer}, ` +
      `so it cannot accept this job's token: ${facts.message}`,
    fix:
      `Create the provider once in ${account ? `account ${account}` : "the role's account"} ` +
      `(IAM > Identity providers > Add provider > OpenID Connect, URL ${issuer}, audience ${audience}), ` +
      `or: aws iam create-open-id-connect-provider --url ${issuer} --client-id-list ${audience}`,
  };
}

function wrongAudience(facts: ErrorFacts, context: FailureContext): Explanation {
  const aud = context.claims?.aud ?? context.audience ?? STS_AUDIENCE;
  const account = accountOf(context.roleArn) ?? 'ACCOUNT';
  const host = providerHost(context.claims?.iss);
  return {
    title: 'Token audience not accepted (InvalidIdentityToken)',
    message:
      `The token's aud is "${aud}", which is not one of the client IDs (audiences) of the OIDC provider ` +
      `for ${host} in the role's account: ${facts.message}`,
    fix:
      `Set the \`audience\` input to one of the provider's client IDs (the default is ${STS_AUDIENCE}), ` +
      `or add "${aud}" to them: aws iam add-client-id-to-open-id-connect-provider ` +
      `--open-id-connect-provider-arn arn:${partitionOf(context.roleArn)}:iam::${account}:oidc-provider/${host} --client-id ${aud}. ` +
      `The trust policy's "${host}:aud" condition must name the same value.`,
  };
}

function durationRefused(facts: ErrorFacts, context: FailureContext): Explanation {
  const asked = context.durationSeconds;
  const value =
    asked === undefined ? 'The requested duration' : `role-duration-seconds ${asked} (${hours(asked)})`;
  if (/role chaining/i.test(facts.message)) {
    return {
      title: 'Session longer than 1 hour for role chaining',
      message:
        `${value} is over the 1 hour limit for a role assumed with another role's session (role chaining): ` +
        facts.message,
      fix: 'Set role-duration-seconds to 3600 or less for this step, or assume this role directly with OIDC instead of chaining.',
    };
  }
  if (/MaxSessionDuration/i.test(facts.message)) {
    const name = roleNameOf(context.roleArn) ?? 'ROLE';
    return {
      title: "Session longer than the role's MaxSessionDuration",
      message: `${value} is over the maximum session duration set on ${context.roleArn ?? 'the role'}: ${facts.message}`,
      fix:
        "Lower role-duration-seconds to the role's maximum (3600 unless raised), or raise the maximum " +
        `(up to 43200): aws iam update-role --role-name ${name} --max-session-duration ${asked ?? 'SECONDS'}`,
    };
  }
  return {
    title: 'Session duration not accepted',
    message: `${value} was refused: ${facts.message}`,
    fix: 'Use a role-duration-seconds from 900 to 43200, and no more than the role allows.',
  };
}

function hours(seconds: number): string {
  const h = seconds / 3600;
  return `${Number.isInteger(h) ? h : h.toFixed(2)} h`;
}

const THROTTLED = /Throttl|RequestLimitExceeded|TooManyRequests|HTTP 429/;
const UNREACHABLE = /^E[A-Z]+$|^UND_ERR|Timeout|network/;

/** What each caller can raise to retry for longer, and what its deadline is. */
const RETRY_BUDGET = {
  action: {
    raise: ' Raise retry-max-attempts or action-timeout-s to wait it out.',
    deadline: "the step's deadline (action-timeout-s, or 120 s without it)",
  },
  refresher: {
    raise: ' Raise retry-max-attempts in the step that wrote this profile to retry more often.',
    deadline:
      "the refresher's 40 s deadline (an AWS SDK stops waiting for credential_process after a minute)",
  },
  cli: { raise: '', deadline: 'the 120 s deadline' },
} as const;

/** Retries ran out: how many, over how long, the last error, and what usually causes that one. */
function retriesExhausted(error: RetriesExhaustedError, context: FailureContext): Explanation {
  const code = oneLine(error.lastCode);
  const tokenEndpoint = error.cause instanceof OidcRequestError;
  const budget = RETRY_BUDGET[context.caller ?? 'action'];
  let fix: string;
  if (tokenEndpoint) {
    fix =
      "GitHub's OIDC token endpoint kept failing; this is on GitHub's side and usually passes: re-run the job.";
  } else if (code === 'IDPCommunicationError' || code === 'InvalidIdentityToken') {
    fix = `AWS could not fetch the token issuer's signing keys (common when many jobs start at once). It passes: re-run the job.${budget.raise}`;
  } else if (THROTTLED.test(code)) {
    fix = `STS throttled this account: run fewer jobs at once (strategy.max-parallel on GitHub).${budget.raise}`;
  } else if (UNREACHABLE.test(code)) {
    fix = "STS could not be reached: check the runner's network, http-proxy / no-proxy and sts-endpoint.";
  } else {
    fix = `This is usually a passing AWS or GitHub fault: re-run the job.${budget.raise}`;
  }
  if (error.reason === 'deadline') fix = `The retries ran into ${budget.deadline}. ${fix}`;
  const attempts = `${error.attempts} attempt${error.attempts === 1 ? '' : 's'}`;
  const gaveUp = `Gave up${forRole(context)} after ${attempts} over ${(error.elapsedMs / 1000).toFixed(1)} s; the last error was ${code}: ${oneLine(error.message)}`;
  if (error.reason === 'deadline' && context.actionTimeoutSeconds) {
    return {
      title: 'Action timed out',
      message: `The action did not finish within action-timeout-s (${context.actionTimeoutSeconds} s). ${gaveUp}`,
      fix,
    };
  }
  return {
    title: tokenEndpoint
      ? `GitHub OIDC token endpoint retries exhausted (${code})`
      : `AWS STS retries exhausted (${code})`,
    message: gaveUp,
    fix,
  };
}
