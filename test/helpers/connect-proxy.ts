// A tiny forward proxy for tests: answers CONNECT host:port by opening a TCP tunnel (what a
// corporate proxy does for https), counts the tunnels per target, and refuses plain requests.
import { createServer, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

export interface ConnectProxy {
  url: string;
  /** CONNECT requests seen, by target host:port. */
  connects: Record<string, number>;
  /** Plain (non-CONNECT) requests, which this proxy refuses with 405. */
  plainRequests: number;
  total(): number;
  close(): Promise<void>;
}

export async function startConnectProxy(): Promise<ConnectProxy> {
  const connects: Record<string, number> = {};
  const sockets = new Set<Socket>();
  const state = { plainRequests: 0 };
  const server = createServer((_req, res) => {
    state.plainRequests++;
    res.writeHead(405, { 'Content-Type': 'text/plain' }).end('this proxy only tunnels (CONNECT)\n');
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const target = req.url ?? '';
    connects[target] = (connects[target] ?? 0) + 1;
    const m = /^([^:]+|\[[^\]]+\]):(\d+)$/.exec(target);
    if (!m) {
      client.end('HTTP/1.1 400 Bad Request\r\n\r\n');
      return;
    }
    const upstream = connect(Number(m[2]), m[1]!.replace(/^\[|\]$/g, ''), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connects,
    get plainRequests() {
      return state.plainRequests;
    },
    total: () => Object.values(connects).reduce((a, b) => a + b, 0),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
