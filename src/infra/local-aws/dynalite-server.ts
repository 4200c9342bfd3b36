// dynalite with the transaction add-on, in memory, on loopback only.
import type { AddressInfo } from 'node:net';
import { createDynaliteServer } from './dynalite-transactions.js';
import type { RunningServer } from './running-server.js';

export async function startDynalite(port = 0): Promise<RunningServer> {
  // Tables become ACTIVE at once instead of after dynalite's default 500 ms.
  const server = createDynaliteServer({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actualPort = (server.address() as AddressInfo).port;
  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${actualPort}`,
    port: actualPort,
    stop: () =>
      (stopped ??= new Promise<void>((resolve, reject) => {
        // dynalite's close() waits for open connections; clients keep theirs alive.
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      })),
  };
}
