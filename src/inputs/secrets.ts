import { proxyUserInfo } from '../aws/proxy.js';
import { secret } from '../common/log.js';
import { proxyFromEnvironment, type RawInputs } from './names.js';

/**
 * Pure: every secret among the raw inputs, to be masked before any check can print a value and
 * before the first call (NODE_DEBUG=http prints request headers): the source keys, a proxy's user
 * name and password, and with mask-aws-account-id every account id an input holds.
 */
export function earlySecrets(raw: RawInputs, env: NodeJS.ProcessEnv): string[] {
  const values = [raw['aws-access-key-id'], raw['aws-secret-access-key'], raw['aws-session-token']];
  for (const proxy of [raw['http-proxy'], proxyFromEnvironment(env)]) values.push(...proxyUserInfo(proxy));
  if (/^\s*true\s*$/i.test(raw['mask-aws-account-id'] ?? '')) {
    for (const name of ['role-to-assume', 'allowed-account-ids'] as const) {
      values.push(...(raw[name]?.match(/\d{12}/g) ?? []));
    }
  }
  return values.map((v) => v?.trim() ?? '').filter((v) => v !== '');
}

export function maskEarlySecrets(raw: RawInputs, env: NodeJS.ProcessEnv): void {
  for (const value of earlySecrets(raw, env)) secret(value);
}
