import type { Agent } from 'node:http';
import { getProxyUrl, HttpClient } from '@actions/http-client';

/**
 * Applies the http-proxy / no-proxy inputs to this process, once, before any request. The proxy
 * rules are @actions/http-client's, which reads them from the environment; setting them here (and
 * not through GITHUB_ENV) makes the inputs win over the job's HTTP(S)_PROXY / NO_PROXY for this
 * step's requests, STS and GitHub's OIDC endpoint alike, without leaking into later steps.
 */
export function applyProxySettings(httpProxy?: string, noProxy?: string): void {
  if (httpProxy) {
    for (const name of ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY'])
      process.env[name] = httpProxy;
  }
  if (noProxy) {
    for (const name of ['no_proxy', 'NO_PROXY']) process.env[name] = noProxy;
  }
}

/** The agent that reaches `endpoint` through the proxy that applies to it, or undefined for none. */
export function proxyAgent(endpoint: string): Agent | undefined {
  if (!getProxyUrl(endpoint)) return undefined;
  const agent = new HttpClient('aws-credentials-action').getAgent(endpoint);
  // The SDK keeps a given agent only if it is an http.Agent or has destroy(); the tunnelling agent
  // is neither, and would be swapped for a direct one without a word.
  const tunnel = agent as unknown as { destroy?: () => void; sockets?: Array<{ destroy?: () => void }> };
  tunnel.destroy ??= () => {
    for (const socket of tunnel.sockets ?? []) socket.destroy?.();
  };
  return agent;
}

/** The user name and password of a proxy URL, as written and decoded, with the Basic header's value. */
export function proxyUserInfo(value: string | undefined): string[] {
  if (!value) return [];
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return [];
  }
  if (!url.username && !url.password) return [];
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  const basic = Buffer.from(`${user}:${password}`).toString('base64');
  return [url.username, url.password, user, password, `${url.username}:${url.password}`, basic];
}
