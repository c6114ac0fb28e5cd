// A hostile HTTP endpoint on 127.0.0.1 for STS or GitHub's OIDC token endpoint: it drips, redirects,
// answers huge or HTML bodies, or puts line breaks (and workflow commands) into its fields. It
// counts requests and remembers every Authorization header it was sent.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export type Fault = 'drip' | 'redirect' | 'huge' | 'html' | 'line-breaks';
export type Role = 'sts' | 'oidc';

export interface Hostile {
  url: string;
  requests: () => number;
  /** Authorization headers received, in order. */
  authorizations: string[];
  stop(): Promise<void>;
}

/** What a line-break answer injects; no line of the step's output may carry it as a command. */
export const INJECTED = 'pwned-by-endpoint';
const INJECTION = `\n::warning::${INJECTED}\n::add-mask::${INJECTED}\n::stop-commands::${INJECTED}\n`;

/** The keys a line-break STS answer carries: the step must refuse them, and never print them. */
export const HOSTILE_KEYS = {
  accessKeyId: 'ASIAHOSTILE0000KEY1',
  secretAccessKey: 'hostileSecretKey0123456789abcdefghijklmn',
  sessionToken: 'hostileSessionToken0123456789',
};

function stsSuccessWithBadArn(): string {
  return `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
<AssumeRoleWithWebIdentityResult><Credentials>
<AccessKeyId>${HOSTILE_KEYS.accessKeyId}</AccessKeyId><SecretAccessKey>${HOSTILE_KEYS.secretAccessKey}</SecretAccessKey>
<SessionToken>${HOSTILE_KEYS.sessionToken}</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration>
</Credentials><AssumedRoleUser><Arn>arn:aws:sts::111111111111:assumed-role/R/s${INJECTION}x</Arn>
<AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser></AssumeRoleWithWebIdentityResult>
<ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>`;
}

function answer(fault: Fault, role: Role, res: ServerResponse, elsewhere: string): void {
  switch (fault) {
    case 'drip': {
      res.writeHead(200, { 'Content-Type': role === 'sts' ? 'text/xml' : 'application/json' });
      res.write(' ');
      const timer = setInterval(() => res.write(' '), 3000);
      res.on('close', () => clearInterval(timer));
      return;
    }
    case 'redirect':
      res.writeHead(302, { Location: elsewhere });
      res.end();
      return;
    case 'huge': {
      // 4 MB of error text, sent without a length: only a cap on what is read stops it.
      res.writeHead(400, { 'Content-Type': role === 'sts' ? 'text/xml' : 'application/json' });
      const head =
        role === 'sts' ? '<ErrorResponse><Error><Code>AccessDenied</Code><Message>' : '{"message":"';
      res.write(head);
      const block = 'A'.repeat(64 * 1024);
      let sent = 0;
      const more = (): void => {
        while (sent < 64 && res.write(block)) sent++;
        if (sent < 64) res.once('drain', more);
        else res.end(role === 'sts' ? '</Message></Error></ErrorResponse>' : '"}');
      };
      more();
      return;
    }
    case 'html':
      res.writeHead(502, { 'Content-Type': 'text/html' });
      res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
      return;
    case 'line-breaks':
      if (role === 'sts') {
        res.writeHead(200, { 'Content-Type': 'text/xml' });
        res.end(stsSuccessWithBadArn());
      } else {
        res.writeHead(400, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ message: `bad audience${INJECTION}` }));
      }
      return;
  }
}

export async function startHostile(
  fault: Fault,
  role: Role,
  elsewhere = 'http://127.0.0.1:9/',
): Promise<Hostile> {
  const sockets = new Set<Socket>();
  const authorizations: string[] = [];
  let requests = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests++;
    authorizations.push(req.headers.authorization ?? '');
    req.resume();
    req.on('end', () => answer(fault, role, res, elsewhere));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests: () => requests,
    authorizations,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
