// Serves `(req: Request) => Promise<Response>` route handlers over node:http on
// 127.0.0.1, the way a framework mounts the workflow routes.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Route = (req: Request) => Promise<Response>;

export interface RouteServer {
  baseUrl: string;
  port: number;
  close(): Promise<void>;
}

export async function serveRoutes(routes: Record<string, Route>): Promise<RouteServer> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const route = routes[url.pathname];
        if (!route) {
          res.writeHead(404).end();
          return;
        }
        const headers = new Headers();
        for (const [name, value] of Object.entries(req.headers)) if (typeof value === 'string') headers.set(name, value);
        const response = await route(new Request(url, { method: req.method, headers, body: Buffer.concat(chunks) }));
        const responseHeaders: Record<string, string> = {};
        response.headers.forEach((value, name) => (responseHeaders[name] = value));
        res.writeHead(response.status, responseHeaders);
        res.end(Buffer.from(await response.arrayBuffer()));
      })().catch(() => res.writeHead(500).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
