// TransactGetItems on a dynalite store: every item is read while the
// transaction holds all their locks, so no transaction or single-item write
// can commit between two of the reads; the answers are one consistent
// snapshot, in request order.
import { NO_FAILURE, transactionCanceled, validationException } from './api-error.js';
import { loadTables, prepareAction, resolveTarget } from './action-targets.js';
import { transactionCapacity } from './capacity.js';
import { call, itemActions, type ConsumedCapacity, type DynaliteStore, type WireItem } from './internals.js';
import { lockItems } from './item-locks.js';
import { DUPLICATE_ITEM_MESSAGE, findDuplicateTarget, parseTransactGetRequest } from './transact-request.js';

export async function transactGetItems(store: DynaliteStore, body: Record<string, unknown>): Promise<Record<string, unknown>> {
  const request = parseTransactGetRequest(body);
  // Transactional reads are always strongly consistent.
  const gets = request.gets.map((get): Record<string, unknown> => ({
    ...prepareAction('Get', get, store),
    ConsistentRead: true,
    ...(request.returnConsumedCapacity ? { ReturnConsumedCapacity: request.returnConsumedCapacity } : {}),
  }));
  const tables = await loadTables(store, gets.map((g) => g.TableName as string));
  const resolved = gets.map((g) => resolveTarget('Get', g, tables.get(g.TableName as string)!));
  if (findDuplicateTarget(resolved.map((r) => r.target)) !== undefined) throw validationException(DUPLICATE_ITEM_MESSAGE);
  if (resolved.some((r) => r.failure)) throw transactionCanceled(resolved.map((r) => r.failure ?? NO_FAILURE));

  const unlock = await lockItems(store, resolved.map((r) => r.target));
  let results: Record<string, unknown>[];
  try {
    results = await Promise.all(gets.map((get) => call<Record<string, unknown>>((cb) => itemActions.getItem(store, get, cb))));
  } finally {
    unlock();
  }
  const consumed = transactionCapacity(results.map((r) => r.ConsumedCapacity as ConsumedCapacity | undefined), request.returnConsumedCapacity);
  return {
    Responses: results.map((r) => (r.Item ? { Item: r.Item as WireItem } : {})),
    ...(consumed ? { ConsumedCapacity: consumed } : {}),
  };
}
