import { jwtDecode } from 'jwt-decode';
import { accountOf } from '../aws/arn.js';
import { ActionError } from '../common/errors.js';
import { matchingCondition, type SubjectMatch } from '../report/trust-advice.js';
import { GITHUB_ISSUER, providerHost } from '../tokens/claims.js';
import type { CiName } from './ci.js';

/**
 * An AccessDenied from AssumeRoleWithWebIdentity, explained for the CI system that issued the token:
 * its claims, and the Condition in that system's `sub` format. (GitHub tokens get the action's own
 * explanation, report/diagnostics.ts.) Claims are not secrets; the token itself is never here.
 */

/** The string claims of a JWT (lists joined with commas), or undefined when it is not one. */
export function rawClaims(jwt: string): Record<string, string> | undefined {
  let payload: Record<string, unknown>;
  try {
    payload = jwtDecode<Record<string, unknown>>(jwt);
  } catch {
    return undefined;
  }
  const claims: Record<string, string> = {};
  for (const [key, value] of Object.entries(payload)) {
    if (typeof value === 'string') claims[key] = value;
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) claims[key] = value.join(',');
  }
  return claims;
}

/** Pure: which system issued a token, from its claims (a token given by flag may come from another). */
export function issuerOf(claims: Record<string, string>): CiName | undefined {
  const iss = claims.iss ?? '';
  if (iss === GITHUB_ISSUER || iss.startsWith(`${GITHUB_ISSUER}/`)) return 'github';
  if (/^https:\/\/api\.bitbucket\.org\//.test(iss)) return 'bitbucket';
  if (iss.startsWith('https://oidc.circleci.com/')) return 'circleci';
  if (claims.sub?.startsWith('project_path:')) return 'gitlab';
  return undefined;
}

interface SubjectFormat {
  /** The claims shown after sub, aud and iss, when present. */
  claims: string[];
  /** The condition's sub: a pattern over the per-run parts, or undefined for the token's own sub. */
  match(sub: string): SubjectMatch | undefined;
  notes: string[];
}

const FORMATS: Record<Exclude<CiName, 'github'>, SubjectFormat> = {
  bitbucket: {
    claims: [
      'repositoryUuid',
      'workspaceUuid',
      'pipelineUuid',
      'stepUuid',
      'deploymentEnvironmentUuid',
      'branchName',
    ],
    // {repositoryUuid}:{stepUuid}, or {repositoryUuid}:{deploymentEnvironmentUuid}:{stepUuid}: the step changes each run.
    match: (sub) =>
      sub.includes(':')
        ? { operator: 'StringLike', value: `${sub.slice(0, sub.lastIndexOf(':'))}:*` }
        : undefined,
    notes: [
      "Bitbucket's sub is {repositoryUuid}:{stepUuid} ({repositoryUuid}:{deploymentEnvironmentUuid}:{stepUuid} in a deployment step); the step UUID is new in every run, so match it with StringLike as above.",
      "The aud condition must equal the workspace's OIDC audience (Repository settings > OpenID Connect), which must also be a client ID (audience) of the provider.",
    ],
  },
  gitlab: {
    claims: [
      'project_path',
      'namespace_path',
      'ref',
      'ref_type',
      'ref_protected',
      'pipeline_source',
      'environment',
      'user_login',
    ],
    match: () => undefined,
    notes: [
      "GitLab's sub is project_path:GROUP/PROJECT:ref_type:branch|tag:ref:NAME, so a job for another branch or a tag has another sub; StringLike project_path:GROUP/PROJECT:ref_type:branch:ref:* trusts every branch.",
      "The aud is what the job's id_tokens: entry sets (aud:); the aud condition and the provider's client IDs must contain it.",
    ],
  },
  circleci: {
    claims: [
      'oidc.circleci.com/project-id',
      'oidc.circleci.com/vcs-origin',
      'oidc.circleci.com/vcs-ref',
      'oidc.circleci.com/context-ids',
    ],
    // org/{org}/project/{project}/user/{user}[/vcs-origin/…/vcs-ref/…]: the user is whoever started the pipeline.
    match: (sub) => {
      const at = sub.indexOf('/user/');
      return at >= 0 ? { operator: 'StringLike', value: `${sub.slice(0, at)}/user/*` } : undefined;
    },
    notes: [
      "CircleCI's sub is org/ORGANIZATION_ID/project/PROJECT_ID/user/USER_ID (CIRCLE_OIDC_TOKEN_V2 adds /vcs-origin/…/vcs-ref/…); the user is whoever started the pipeline, so match it with StringLike as above.",
      'The aud is the organization ID, and the provider URL is https://oidc.circleci.com/org/ORGANIZATION_ID.',
    ],
  },
};

/** Pure: the explanation of a trust-policy refusal of this token, or undefined for a GitHub token. */
export function trustRefusal(
  system: CiName | undefined,
  claims: Record<string, string> | undefined,
  roleArn: string,
  stsMessage: string,
): ActionError | undefined {
  if (system === 'github') return undefined;
  const format = system ? FORMATS[system] : undefined;
  const label = { bitbucket: 'Bitbucket Pipelines', gitlab: 'GitLab CI', circleci: 'CircleCI' };
  const what = [
    `${roleArn} refused the ${system ? `${label[system]} ` : ''}web identity token: ${stsMessage}`,
    "The role's trust policy does not match the token's claims, or the role does not exist.",
  ];
  const details = claims
    ? [
        "The token's claims (not secrets):",
        ...['sub', 'aud', 'iss'].map((key) => `  ${key}: ${claims[key] ?? '(not in the token)'}`),
        ...(format?.claims ?? []).flatMap((key) =>
          claims[key] !== undefined ? [`  ${key}: ${claims[key]}`] : [],
        ),
        'A trust policy condition that matches this pipeline:',
        ...matchingCondition(claims, claims.sub ? format?.match(claims.sub) : undefined).map(
          (line) => `  ${line}`,
        ),
      ]
    : ['The token could not be read, so its claims are unknown.'];
  const provider = `arn:aws:iam::${accountOf(roleArn) ?? 'ACCOUNT'}:oidc-provider/${claims?.iss ? providerHost(claims.iss) : 'ISSUER_HOST'}`;
  const fix = [
    claims
      ? "Compare the role's trust policy with the condition above."
      : "Compare the role's trust policy with the token's claims.",
    'Also check:',
    ...[
      ...(format?.notes ?? []),
      `The statement's Principal is {"Federated": "${provider}"} and its Action is sts:AssumeRoleWithWebIdentity.`,
      `A role that does not exist is refused the same way: check --role-arn (${roleArn}) for a typo and the right account.`,
    ].map((line) => `- ${line}`),
  ];
  return new ActionError(
    'Role trust policy does not match this job (AccessDenied)',
    [...what, ...details].join('\n'),
    fix.join('\n'),
  );
}
