// The servers an e2e test file runs against, started once before its tests and stopped after:
// moto, the OIDC issuer and the STS double. Written once here instead of in every file.
import { afterAll, beforeAll } from 'vitest';
import { type JobFactory, jobFactory } from './job-fixture.js';
import { type Moto, startMoto } from './moto.js';
import { type OidcIssuer, startOidcIssuer } from './oidc-issuer.js';
import { type StsDouble, startStsDouble } from './sts-double.js';

/** A GitHub-hosted runner's environment: no instance metadata service to ask. */
export const GITHUB_HOSTED = { RUNNER_ENVIRONMENT: 'github-hosted' };

export interface Servers {
  moto: Moto;
  issuer: OidcIssuer;
  sts: StsDouble;
}

const START: { [K in keyof Servers]: () => Promise<Servers[K]> } = {
  moto: () => startMoto(),
  issuer: () => startOidcIssuer(),
  sts: () => startStsDouble(),
};

/**
 * Starts the named servers in a beforeAll and stops them in an afterAll. The object is filled in
 * when the beforeAll has run, so read its fields in tests and hooks (later hooks see them too).
 */
export function useServers<K extends keyof Servers>(...names: K[]): Pick<Servers, K> {
  const servers = {} as Pick<Servers, K>;
  beforeAll(async () => {
    const started = await Promise.all(names.map((name) => START[name]()));
    names.forEach((name, i) => {
      servers[name] = started[i] as Servers[K];
    });
  });
  afterAll(async () => {
    await Promise.all(names.map((name) => (servers[name] as Servers[K] | undefined)?.stop()));
  });
  return servers;
}

/** Every secret a test can know of: the issued JWTs, the request token, and the keys the double issued. */
export function knownSecrets(servers: Partial<Servers>): string[] {
  return [
    ...(servers.issuer?.tokens ?? []),
    ...(servers.issuer ? [servers.issuer.requestToken] : []),
    ...(servers.sts?.issued ?? []).map((issued) => issued.accessKeyId),
  ];
}

/**
 * Jobs that can ask the issuer for tokens (its request variables in their environment), each
 * leak-checked after its test against the issued tokens and `secrets()`.
 */
export function oidcJobs(
  servers: Pick<Servers, 'issuer'>,
  options: { env?: () => Record<string, string>; secrets?: () => string[] } = {},
): JobFactory {
  return jobFactory(
    () => ({ ...servers.issuer.env(), ...options.env?.() }),
    () => [...servers.issuer.tokens, ...(options.secrets?.() ?? [])],
  );
}
