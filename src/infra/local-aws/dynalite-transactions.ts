// The dynalite add-on: TransactWriteItems, TransactGetItems, UpdateTimeToLive
// and a DescribeTimeToLive that reflects it, on top of an unmodified
// dynalite@4 server.
//
// How it hooks in: dynalite's HTTP request listener answers any operation it
// does not list with UnknownOperationException, and it keeps its store (the
// per-key item locks, tables and indexes) private. So the add-on
//   - captures the store while dynalite builds it (dynalite/internals.ts), and
//   - wraps the server's request listener, sending the four operations above to
//     handlers that run on that same store, and everything else to dynalite.
// Transactions take the same per-key locks dynalite's single-item writes take,
// so they are isolated from those writes and from each other, and they commit
// through one atomic batch, so lock-free readers never see half a transaction.
import type { Server } from 'node:http';
import { IdempotencyTokens } from './dynalite/idempotency.js';
import { interceptOperations } from './dynalite/http-interceptor.js';
import { createDynaliteWithStore, type DynaliteOptions, type DynaliteStore } from './dynalite/internals.js';
import { TimeToLiveSettings } from './dynalite/time-to-live.js';
import { transactGetItems } from './dynalite/transact-get.js';
import { transactWriteItems } from './dynalite/transact-write.js';

export type { DynaliteOptions } from './dynalite/internals.js';

/** The operations the add-on serves in dynalite's place. */
export const ADDED_OPERATIONS = ['TransactWriteItems', 'TransactGetItems', 'UpdateTimeToLive', 'DescribeTimeToLive'] as const;

/** Adds the operations to a server built by dynalite() around `store`. */
export function addTransactions(server: Server, store: DynaliteStore): void {
  const tokens = new IdempotencyTokens();
  const ttl = new TimeToLiveSettings(store);
  interceptOperations(server, {
    TransactWriteItems: (body) => transactWriteItems(store, tokens, body),
    TransactGetItems: (body) => transactGetItems(store, body),
    UpdateTimeToLive: (body) => ttl.update(body),
    DescribeTimeToLive: (body) => ttl.describe(body),
  });
}

/** `require('dynalite')(options)` with the add-on installed; listen on it as usual. */
export function createDynaliteServer(options: DynaliteOptions = {}): Server {
  const { server, store } = createDynaliteWithStore(options);
  addTransactions(server, store);
  return server;
}
