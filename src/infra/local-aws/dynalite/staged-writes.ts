// Runs dynalite's own PutItem / UpdateItem / DeleteItem against a staging view
// of the store: reads see the item as read under the transaction's locks, and
// writes (the item and its index entries) are recorded instead of applied.
// The recorded writes of all actions are then committed as one batch on the
// level database every dynalite sub-database lives in, which is atomic: a
// concurrent GetItem, Query or Scan (they take no locks) sees all of a
// transaction's writes or none.
import { conditionFailed, NO_FAILURE, validationFailed, type CancellationReason } from './api-error.js';
import {
  call,
  dynaliteDb,
  isDynaliteError,
  itemActions,
  storageKeys,
  type BatchOp,
  type Callback,
  type ConsumedCapacity,
  type DynaliteStore,
  type DynaliteTable,
  type ItemAction,
  type Release,
  type SubDb,
  type WireItem,
} from './internals.js';
import type { WriteKind } from './transact-request.js';

export interface PreparedWrite {
  kind: WriteKind;
  data: Record<string, unknown>;
  returnOldOnFailure: boolean;
}

export interface WriteOutcome {
  reason: CancellationReason;
  ops: BatchOp[];
  capacity?: ConsumedCapacity;
}

const ACTIONS: Record<Exclude<WriteKind, 'ConditionCheck'>, ItemAction> = {
  Put: itemActions.putItem,
  Update: itemActions.updateItem,
  Delete: itemActions.deleteItem,
};

/** Evaluates one action against `existing`; nothing is written. */
export async function stageWrite(
  store: DynaliteStore,
  write: PreparedWrite,
  table: DynaliteTable,
  existing: WireItem | undefined,
): Promise<WriteOutcome> {
  if (write.kind === 'ConditionCheck') {
    if (dynaliteDb.checkConditional(write.data, existing)) return { reason: conditionFailed(existing, write.returnOldOnFailure), ops: [] };
    return { reason: NO_FAILURE, ops: [], capacity: dynaliteDb.addConsumedCapacity(write.data, false, existing) };
  }
  const ops: BatchOp[] = [];
  try {
    const result = await call<Record<string, unknown>>((cb) => ACTIONS[write.kind as keyof typeof ACTIONS](stagingStore(store, table, existing, ops), write.data, cb));
    return { reason: NO_FAILURE, ops, capacity: result.ConsumedCapacity as ConsumedCapacity | undefined };
  } catch (err) {
    if (!isDynaliteError(err)) throw err;
    if (err.body.__type.endsWith('#ConditionalCheckFailedException')) return { reason: conditionFailed(existing, write.returnOldOnFailure), ops: [] };
    if (err.body.__type.endsWith('#ValidationException')) return { reason: validationFailed(err.message), ops: [] };
    throw err;
  }
}

/** Applies every staged write at once. */
export async function commit(store: DynaliteStore, ops: BatchOp[]): Promise<void> {
  if (ops.length > 0) await call((cb) => store.db.batch(ops, cb));
}

function stagingStore(store: DynaliteStore, table: DynaliteTable, existing: WireItem | undefined, ops: BatchOp[]): DynaliteStore {
  // The real lock is already held, so the action's own lock is a pass-through.
  const heldLock = (_key: string, exec: (release: Release) => void) => exec((done) => (...args) => (done as ((...a: unknown[]) => void) | undefined)?.(...args));
  const recorder = (toStorageKey: (key: string) => string): SubDb => ({
    lock: heldLock,
    get: (_key, cb) => cb(null, existing),
    put: (key, value, cb) => {
      ops.push({ type: 'put', key: toStorageKey(key), value });
      cb(null);
    },
    del: (key, cb) => {
      ops.push({ type: 'del', key: toStorageKey(key) });
      cb(null);
    },
  });
  const itemDb = recorder((key) => storageKeys.item(table.TableName, key));
  function getTable(_name: string, checkStatusOrCb: boolean | Callback<DynaliteTable>, cb?: Callback<DynaliteTable>): void {
    (typeof checkStatusOrCb === 'function' ? checkStatusOrCb : cb!)(null, table);
  }
  return {
    options: store.options,
    db: { batch: (_ops, cb) => cb(new Error('a staged action must not write to the store')) },
    getItemDb: () => itemDb,
    getIndexDb: (indexType, tableName, indexName) => recorder((key) => storageKeys.index(indexType, tableName, indexName, key)),
    getTable,
  };
}
