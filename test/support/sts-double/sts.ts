// STS semantics: identities, trust, validation and credential issue. No HTTP here.
import { randomBytes } from 'node:crypto';
import { authenticate, checkCredentials } from './auth.js';
import { audiencesOf, decodeJwt, GITHUB_ISSUER, stringLike } from './jwt.js';
import {
  ACCOUNT_IN_ARN,
  type AuthOutcome,
  type Identity,
  randomAlnum,
  type Session,
  StsError,
  stableId,
} from './model.js';
import { listParam, tagsOf, Validator } from './params.js';
import type { SigV4Request } from './sigv4.js';
import type { CredentialCheck, IssuedCredential, RoleSpec, UserSpec } from './types.js';
import { isoSeconds, type XmlNode } from './xml.js';

interface Role extends RoleSpec {
  account: string;
  name: string;
  roleId: string;
}

const ROLE_ARN = /^arn:aws[\w-]*:iam::(\d{12}):role\/(?:[\w+=,.@/-]*\/)?([\w+=,.@-]+)$/;
const SESSION_NAME = /[\w+=,.@-]*/;
const NOT_AUTHORIZED_WEB = 'Not authorized to perform sts:AssumeRoleWithWebIdentity';
const IDP_KEY_ERROR =
  "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements";

class TokenBucket {
  private tokens: number;
  private last = performance.now();
  constructor(
    private readonly capacity: number,
    private readonly refillPerSecond: number,
  ) {
    this.tokens = capacity;
  }
  take(): boolean {
    const now = performance.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.refillPerSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export class StsState {
  readonly roles = new Map<string, Role>();
  readonly users = new Map<string, UserSpec>();
  readonly sessions = new Map<string, Session>();
  readonly issued: IssuedCredential[] = [];
  credentialLifetime: number | null = null;
  noOidcProvider = false;
  audiences: string[] | null = null;
  issuers: string[] | null = null;
  bucket: TokenBucket | null = null;

  addRole(spec: RoleSpec): void {
    const m = ROLE_ARN.exec(spec.arn);
    if (!m?.[1] || !m[2]) throw new Error(`sts-double: not a role ARN: ${spec.arn}`);
    this.roles.set(spec.arn, { ...spec, account: m[1], name: m[2], roleId: stableId('AROA', spec.arn) });
  }

  addUser(u: UserSpec): void {
    if (!ACCOUNT_IN_ARN.test(u.arn)) throw new Error(`sts-double: not an IAM ARN: ${u.arn}`);
    this.users.set(u.accessKeyId, { ...u });
  }

  setTokenBucket(opts: { capacity: number; refillPerSecond: number } | null): void {
    this.bucket = opts ? new TokenBucket(opts.capacity, opts.refillPerSecond) : null;
  }

  checkCredentials(c: {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
  }): CredentialCheck {
    return checkCredentials(this, c);
  }

  authenticate(req: SigV4Request): AuthOutcome {
    return authenticate(this, req);
  }

  private issue(
    action: IssuedCredential['action'],
    role: Role,
    sessionName: string,
    durationSeconds: number,
    tags: Record<string, string>,
    transitiveTagKeys: string[],
    sourceIdentity: string | undefined,
  ): { nodes: XmlNode[]; arn: string } {
    const accessKeyId = `ASIA${randomAlnum(16)}`;
    const secretAccessKey = randomBytes(30).toString('base64'); // 40 chars, often with '+' or '/'
    const sessionToken = `IQoJb3JpZ2luX2VjE${randomBytes(720).toString('base64')}`;
    const lifetime = this.credentialLifetime ?? durationSeconds;
    const expiration = Math.floor((Date.now() + lifetime * 1000) / 1000) * 1000;
    const arn = `arn:aws:sts::${role.account}:assumed-role/${role.name}/${sessionName}`;
    const userId = `${role.roleId}:${sessionName}`;
    const transitiveTags = Object.fromEntries(
      Object.entries(tags).filter(([k]) => transitiveTagKeys.includes(k)),
    );
    this.sessions.set(accessKeyId, {
      secretAccessKey,
      sessionToken,
      expiration,
      identity: { arn, userId, account: role.account, roleArn: role.arn, transitiveTags },
    });
    this.issued.push({
      accessKeyId,
      action,
      arn,
      roleArn: role.arn,
      sessionName,
      expiration,
      tags,
      transitiveTagKeys,
      sourceIdentity,
    });
    return {
      arn,
      nodes: [
        [
          'Credentials',
          [
            ['AccessKeyId', accessKeyId],
            ['SecretAccessKey', secretAccessKey],
            ['SessionToken', sessionToken],
            ['Expiration', isoSeconds(expiration)],
          ],
        ],
        [
          'AssumedRoleUser',
          [
            ['Arn', arn],
            ['AssumedRoleId', userId],
          ],
        ],
      ],
    };
  }

  private validateCommon(v: Validator, params: Record<string, string>): number {
    v.str('RoleArn', { required: true, min: 20, max: 2048 });
    v.str('RoleSessionName', { required: true, min: 2, max: 64, pattern: SESSION_NAME });
    v.str('Policy', { min: 1, max: 2048 });
    v.count('policyArns', listParam(params, 'PolicyArns.member', 'arn').length, 10);
    return v.int('DurationSeconds', 900, 43200) ?? 3600;
  }

  private checkPolicy(params: Record<string, string>): void {
    const policy = params.Policy;
    if (policy === undefined) return;
    try {
      JSON.parse(policy);
    } catch {
      throw new StsError('MalformedPolicyDocument', 'The policy is not in the valid JSON format.');
    }
  }

  assumeRoleWithWebIdentity(params: Record<string, string>): XmlNode[] {
    const v = new Validator(params);
    const duration = this.validateCommon(v, params);
    v.str('WebIdentityToken', { required: true, min: 4, max: 20000 });
    const invalid = v.message();
    if (invalid) throw new StsError('ValidationError', invalid);

    const token = decodeJwt(params.WebIdentityToken ?? '');
    if (!token) {
      throw new StsError(
        'InvalidIdentityToken',
        'The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)',
      );
    }
    const claims = token.payload;
    const nowSeconds = Math.floor(Date.now() / 1000);
    if (typeof claims.exp === 'number' && claims.exp <= nowSeconds) {
      throw new StsError(
        'ExpiredTokenException',
        `Token expired: current date/time ${nowSeconds} must be before the expiration date/time ${claims.exp}`,
      );
    }
    const iss = typeof claims.iss === 'string' ? claims.iss : GITHUB_ISSUER;
    if (this.noOidcProvider || (this.issuers && !this.issuers.includes(iss))) {
      throw new StsError(
        'InvalidIdentityToken',
        `No OpenIDConnect provider found in your account for ${iss}`,
      );
    }
    const tokenAud = audiencesOf(claims);
    const audiences = this.audiences;
    const aud = audiences ? tokenAud.find((a) => audiences.includes(a)) : tokenAud[0];
    if (audiences && aud === undefined)
      throw new StsError('InvalidIdentityToken', 'Incorrect token audience');
    if (this.bucket && !this.bucket.take()) throw new StsError('IDPCommunicationError', IDP_KEY_ERROR);

    const role = this.roles.get(params.RoleArn ?? '');
    if (!role) throw new StsError('AccessDenied', NOT_AUTHORIZED_WEB, 403);
    const sub = typeof claims.sub === 'string' ? claims.sub : '';
    const subOk = !role.trust?.sub || role.trust.sub.some((p) => stringLike(p, sub));
    const trustAud = role.trust?.aud;
    const audOk = !trustAud || tokenAud.some((a) => trustAud.includes(a));
    if (!subOk || !audOk) throw new StsError('AccessDenied', NOT_AUTHORIZED_WEB, 403);
    if (duration > (role.maxSessionDuration ?? 3600)) {
      throw new StsError(
        'ValidationError',
        'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
      );
    }
    this.checkPolicy(params);

    const sessionName = params.RoleSessionName ?? '';
    const issued = this.issue('AssumeRoleWithWebIdentity', role, sessionName, duration, {}, [], undefined);
    const [credentials, assumedRoleUser] = issued.nodes;
    const providerHost = iss.replace(/^https:\/\//, '');
    return [
      ...(credentials ? [credentials] : []),
      ['SubjectFromWebIdentityToken', sub],
      ...(assumedRoleUser ? [assumedRoleUser] : []),
      ['Provider', `arn:aws:iam::${role.account}:oidc-provider/${providerHost}`],
      ['Audience', aud],
    ];
  }

  assumeRole(params: Record<string, string>, caller: Identity): XmlNode[] {
    const v = new Validator(params);
    const durationParam = params.DurationSeconds;
    const duration = this.validateCommon(v, params);
    v.str('ExternalId', { min: 2, max: 1224, pattern: /[\w+=,.@:/-]*/ });
    v.str('SourceIdentity', { min: 2, max: 64, pattern: /[\w+=,.@-]*/ });
    const ownTags = tagsOf(params);
    const tagKeys = listParam(params, 'Tags.member', 'Key');
    v.count('tags', tagKeys.length, 50);
    for (const key of tagKeys) {
      if (key.length < 1 || key.length > 128)
        v.errors.push(
          `Value '${key}' at 'tags' failed to satisfy constraint: Member must have length between 1 and 128`,
        );
    }
    for (const value of Object.values(ownTags)) {
      if (value.length > 256)
        v.errors.push(
          `Value '${value}' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 256`,
        );
    }
    const invalid = v.message();
    if (invalid) throw new StsError('ValidationError', invalid);

    const roleArn = params.RoleArn ?? '';
    const role = this.roles.get(roleArn);
    const denied = new StsError(
      'AccessDenied',
      `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
      403,
    );
    if (!role) throw denied;
    const principalOk =
      !role.principals ||
      role.principals.some(
        (p) =>
          p === '*' ||
          p === caller.arn ||
          p === caller.roleArn ||
          p === `arn:aws:iam::${caller.account}:root`,
      );
    if (!principalOk) throw denied;
    if (role.externalId !== undefined && params.ExternalId !== role.externalId) throw denied;
    if (caller.roleArn && durationParam !== undefined && duration > 3600) {
      throw new StsError(
        'ValidationError',
        'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
      );
    }
    if (duration > (role.maxSessionDuration ?? 3600)) {
      throw new StsError(
        'ValidationError',
        'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
      );
    }
    this.checkPolicy(params);

    // Transitive tags of a chained session carry over; the caller's keys win on conflict.
    const tags = { ...ownTags, ...caller.transitiveTags };
    const transitiveTagKeys = [
      ...new Set([...listParam(params, 'TransitiveTagKeys.member'), ...Object.keys(caller.transitiveTags)]),
    ];
    const tagCount = Object.keys(tags).length;
    const policyBytes =
      (params.Policy ?? '').length + 50 * listParam(params, 'PolicyArns.member', 'arn').length;
    const packed =
      Math.ceil((100 * tagCount) / (role.maxPackedTags ?? 50)) + Math.ceil((100 * policyBytes) / 2048);
    if (role.maxPackedTags !== undefined && tagCount > role.maxPackedTags) {
      throw new StsError(
        'PackedPolicyTooLarge',
        `Packed policy consumes ${packed}% of allotted space, please use smaller policy for this role.`,
      );
    }
    const sourceIdentity = params.SourceIdentity;
    const issued = this.issue(
      'AssumeRole',
      role,
      params.RoleSessionName ?? '',
      duration,
      tags,
      transitiveTagKeys,
      sourceIdentity,
    );
    return [...issued.nodes, ['PackedPolicySize', packed], ['SourceIdentity', sourceIdentity]];
  }

  getCallerIdentity(caller: Identity): XmlNode[] {
    return [
      ['UserId', caller.userId],
      ['Account', caller.account],
      ['Arn', caller.arn],
    ];
  }
}
