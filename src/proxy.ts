import type { Agent } from 'node:http';
import { getProxyUrl, HttpClient } from '@actions/http-client';

/**
 * The agent that reaches `endpoint`, through a proxy when one applies, or undefined for a direct
 * connection. Proxy and no-proxy rules are @actions/http-client's, which reads them from the
 * environment; the inputs are applied to this process's environment only, so they win over the
 * job's HTTP(S)_PROXY / NO_PROXY without leaking into later steps.
 */
export function proxyAgent(endpoint: string, httpProxy?: string, noProxy?: string): Agent | undefined {
  if (httpProxy) {
    for (const name of ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY'])
      process.env[name] = httpProxy;
  }
  if (noProxy) {
    for (const name of ['no_proxy', 'NO_PROXY']) process.env[name] = noProxy;
  }
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
