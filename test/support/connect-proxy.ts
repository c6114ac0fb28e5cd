// A CONNECT proxy on 127.0.0.1 that records each tunnel's target and always connects to 127.0.0.1 at
// the target's port, whatever host was named: nothing leaves the machine. Given credentials, it
// requires them as Proxy-Authorization: Basic and refuses a tunnel without them (407).
import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';

export interface ConnectProxy {
  url: string;
  /** The targets of the tunnels (and of any plain forward request, which is answered 502). */
  targets: string[];
  /** Tunnels refused for missing or wrong credentials. */
  refused: () => number;
  stop(): Promise<void>;
}

export async function startProxy(auth?: { user: string; password: string }): Promise<ConnectProxy> {
  const targets: string[] = [];
  const sockets = new Set<Socket>();
  let refused = 0;
  const expected = auth && `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`;
  const server: Server = createServer((req, res) => {
    targets.push(`${req.method} ${req.url}`); // a plain forward request: not expected from the SDK
    res.writeHead(502).end();
  });
  server.on('connection', (socket) => sockets.add(socket));
  server.on('connect', (req, client: Socket, head: Buffer) => {
    const target = req.url ?? '';
    targets.push(target);
    if (expected && req.headers['proxy-authorization'] !== expected) {
      refused++;
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n');
      return;
    }
    const port = Number(target.slice(target.lastIndexOf(':') + 1));
    const upstream = connect(port, '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no TCP address');
  const base = `http://127.0.0.1:${address.port}`;
  return {
    url: auth
      ? base.replace('//', `//${encodeURIComponent(auth.user)}:${encodeURIComponent(auth.password)}@`)
      : base,
    targets,
    refused: () => refused,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
