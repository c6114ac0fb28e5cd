// HTTP front of the STS double: Query-protocol parsing, scripted faults, latency, lifecycle.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { StsError } from './model.js';
import type { SigV4Request } from './sigv4.js';
import { StsState } from './sts.js';
import type { Fault, RecordedCall, StsDouble } from './types.js';
import { errorXml, successXml, type XmlNode } from './xml.js';

const MAX_BODY_BYTES = 1024 * 1024;
const STOP_TIMEOUT_MS = 2000;
const API_VERSION = '2011-06-15';

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        req.pause();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function headerMap(rawHeaders: string[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] ?? '').toLowerCase();
    const list = map.get(name) ?? [];
    list.push(rawHeaders[i + 1] ?? '');
    map.set(name, list);
  }
  return map;
}

function queryParams(
  rawQuery: string,
  body: Buffer,
  contentType: string | undefined,
): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(rawQuery)) params[k] = v;
  const isForm =
    contentType === undefined || contentType.toLowerCase().startsWith('application/x-www-form-urlencoded');
  if (body.length > 0 && isForm) {
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params[k] = v;
  }
  return params;
}

export function startStsDouble(opts: { latencyMs?: number } = {}): Promise<StsDouble> {
  const state = new StsState();
  const calls: RecordedCall[] = [];
  const scripts = new Map<string, Fault[]>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let latencyMs = opts.latencyMs ?? 0;
  let stopped = false;
  let stopping: Promise<void> | undefined;

  const delay = (ms: number): Promise<void> =>
    ms <= 0
      ? Promise.resolve()
      : new Promise((resolve) => {
          const t = setTimeout(() => {
            timers.delete(t);
            resolve();
          }, ms);
          timers.add(t);
        });

  const takeFault = (action: string): Fault | undefined => {
    for (const key of [action, '*']) {
      const queue = scripts.get(key);
      const fault = queue?.shift();
      if (fault) return fault;
    }
    return undefined;
  };

  const send = async (
    res: ServerResponse,
    call: RecordedCall,
    status: number,
    xml: string,
  ): Promise<void> => {
    call.status = status;
    await delay(latencyMs);
    if (stopped || res.destroyed || res.headersSent) return;
    res.writeHead(status, {
      'Content-Type': 'text/xml',
      'Content-Length': Buffer.byteLength(xml),
      'x-amzn-RequestId': call.requestId,
    });
    res.end(xml);
  };

  const sendError = (res: ServerResponse, call: RecordedCall, err: StsError): Promise<void> => {
    call.errorCode = err.code;
    return send(res, call, err.status, errorXml(err.status, err.code, err.message, call.requestId));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const at = Date.now();
    const requestId = randomUUID();
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const headers = headerMap(req.rawHeaders);
    let body: Buffer;
    try {
      body = await readBody(req);
    } catch (e) {
      const call: RecordedCall = { action: '', params: {}, auth: 'none', status: 0, requestId, at };
      calls.push(call);
      if (e instanceof BodyTooLarge) {
        res.setHeader('Connection', 'close');
        await sendError(res, call, new StsError('RequestEntityTooLarge', 'Request body too large', 413));
      }
      return;
    }
    const params = queryParams(q < 0 ? '' : rawUrl.slice(q + 1), body, headers.get('content-type')?.[0]);
    const action = params.Action ?? '';
    const sigReq: SigV4Request = {
      method: req.method ?? 'GET',
      rawPath: q < 0 ? rawUrl : rawUrl.slice(0, q),
      rawQuery: q < 0 ? '' : rawUrl.slice(q + 1),
      headers,
      body,
    };
    const outcome = state.authenticate(sigReq);
    const call: RecordedCall = {
      action,
      params,
      auth: outcome.auth,
      region: outcome.region,
      signedBy: outcome.signedBy,
      signatureError: outcome.signatureError,
      status: 0,
      requestId,
      at,
    };
    calls.push(call);

    const fault = takeFault(action);
    if (fault && 'kind' in fault) {
      call.fault = fault.kind;
      // 'hang': never answer; stop() destroys the socket.
      if (fault.kind === 'reset') req.socket.resetAndDestroy();
      return;
    }
    if (fault) {
      call.fault = fault.code;
      // {Name} in the message is the request's parameter Name, as an STS echoing its request shows it.
      const message = fault.message.replace(/\{(\w+)\}/g, (all, name: string) => params[name] ?? all);
      return sendError(res, call, new StsError(fault.code, message, fault.status ?? 400));
    }

    try {
      if (params.Version !== undefined && params.Version !== API_VERSION) {
        throw new StsError(
          'InvalidAction',
          `Could not find operation ${action} for version ${params.Version}`,
        );
      }
      let result: XmlNode[];
      if (action === 'AssumeRoleWithWebIdentity') {
        result = state.assumeRoleWithWebIdentity(params);
      } else if (action === 'AssumeRole' || action === 'GetCallerIdentity') {
        if (outcome.error || !outcome.identity)
          throw outcome.error ?? new StsError('InternalFailure', 'no identity', 500);
        result =
          action === 'AssumeRole'
            ? state.assumeRole(params, outcome.identity)
            : state.getCallerIdentity(outcome.identity);
      } else {
        throw new StsError('InvalidAction', `Could not find operation ${action} for version ${API_VERSION}`);
      }
      return send(res, call, 200, successXml(action, result, requestId));
    } catch (e) {
      const err =
        e instanceof StsError
          ? e
          : new StsError('InternalFailure', 'The request processing has failed.', 500);
      return sendError(res, call, err);
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end('sts-double internal error');
      }
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const stop = (): Promise<void> => {
    stopping ??= new Promise<void>((resolve) => {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      const fallback = setTimeout(resolve, STOP_TIMEOUT_MS);
      server.close(() => {
        clearTimeout(fallback);
        resolve();
      });
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
    });
    return stopping;
  };

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      resolve({
        endpoint: `http://127.0.0.1:${port}/`,
        calls,
        issued: state.issued,
        addRole: (spec) => state.addRole(spec),
        addUser: (u) => state.addUser(u),
        script: (action, faults) => scripts.set(action, [...(scripts.get(action) ?? []), ...faults]),
        tokenBucket: (o) => state.setTokenBucket(o),
        setCredentialLifetime: (seconds) => {
          state.credentialLifetime = seconds;
        },
        setNoOidcProvider: (on) => {
          state.noOidcProvider = on;
        },
        setAudiences: (aud) => {
          state.audiences = aud ? [...aud] : null;
        },
        setIssuers: (issuers) => {
          state.issuers = issuers ? [...issuers] : null;
        },
        setLatency: (ms) => {
          latencyMs = ms;
        },
        checkCredentials: (c) => state.checkCredentials(c),
        stop,
      });
    });
  });
}
