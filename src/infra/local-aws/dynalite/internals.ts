// Typed access to the parts of dynalite@4 (CommonJS, untyped) the add-ons use:
// its store (per-table item sub-databases with per-key locks), key and
// condition helpers, request validations and item actions. Reusing them keeps
// the add-ons' semantics identical to dynalite's own single-item operations.
import { createRequire } from 'node:module';
import type { Server } from 'node:http';

const require = createRequire(import.meta.url);

/** An attribute value in DynamoDB's JSON wire format, e.g. `{ S: 'x' }`. */
export type WireValue = Record<string, unknown>;
export type WireItem = Record<string, WireValue>;

export interface KeySchemaElement {
  AttributeName: string;
  KeyType: 'HASH' | 'RANGE';
}

/** The table record dynalite keeps (the DescribeTable `Table` shape). */
export interface DynaliteTable {
  TableName: string;
  TableId?: string;
  TableStatus: string;
  KeySchema: KeySchemaElement[];
  AttributeDefinitions: { AttributeName: string; AttributeType: string }[];
}

/** What dynalite's operations fail with: an Error carrying the HTTP status and JSON body. */
export interface DynaliteError extends Error {
  statusCode: number;
  body: { __type: string; message?: string; Message?: string };
}

export type Callback<T = unknown> = (err?: Error | null, value?: T) => void;
/** `release(cb)` wraps cb so that calling the wrapper frees the key first. */
export type Release = (done?: Callback) => (...args: unknown[]) => void;
export type LockFn = (key: string, exec: (release: Release) => void) => void;

export interface SubDb {
  lock: LockFn;
  get(key: string, cb: Callback<WireItem | undefined>): void;
  put(key: string, value: unknown, cb: Callback): void;
  del(key: string, cb: Callback): void;
}

export interface BatchOp {
  type: 'put' | 'del';
  key: string;
  value?: unknown;
}

export interface ConsumedCapacity {
  TableName: string;
  CapacityUnits: number;
}

export interface DynaliteStore {
  options: { maxItemSize: number };
  /** The one level database every sub-database lives in, under a `<name>~` key prefix. */
  db: { batch(ops: BatchOp[], cb: Callback): void };
  getItemDb(tableName: string): SubDb;
  getIndexDb(indexType: string, tableName: string, indexName: string): SubDb;
  getTable(name: string, cb: Callback<DynaliteTable>): void;
  getTable(name: string, checkStatus: boolean, cb: Callback<DynaliteTable>): void;
}

export interface DynaliteDb {
  create(options: DynaliteOptions): DynaliteStore;
  createKey(item: WireItem, table: DynaliteTable): string;
  validateItem(item: WireItem, table: DynaliteTable): DynaliteError | undefined;
  validateKey(key: WireItem, table: DynaliteTable): DynaliteError | undefined;
  validateUpdates(attributeUpdates: unknown, updates: unknown, table: DynaliteTable): DynaliteError | undefined;
  validateKeyPaths(nestedPaths: unknown, table: DynaliteTable): DynaliteError | undefined;
  checkConditional(data: Record<string, unknown>, existing: WireItem | undefined): DynaliteError | null | undefined;
  addConsumedCapacity(data: Record<string, unknown>, isRead: boolean, newItem?: WireItem, oldItem?: WireItem): ConsumedCapacity | undefined;
  validationError(message: string): DynaliteError;
}

export interface ActionValidation {
  types: Record<string, unknown>;
  custom?: (data: Record<string, unknown>, store: DynaliteStore) => string | undefined;
}

export interface DynaliteValidations {
  checkTypes(data: Record<string, unknown>, types: Record<string, unknown>): Record<string, unknown>;
  checkValidations(
    data: Record<string, unknown>,
    types: Record<string, unknown>,
    custom: ActionValidation['custom'],
    store: DynaliteStore,
  ): void;
}

export type ItemAction = (store: DynaliteStore, data: Record<string, unknown>, cb: Callback<Record<string, unknown>>) => void;

export interface DynaliteOptions {
  path?: string;
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
  maxItemSizeKb?: number;
}

export const dynaliteDb = require('dynalite/db') as DynaliteDb;
export const dynaliteValidations = require('dynalite/validations') as DynaliteValidations;

export const itemActions = {
  putItem: require('dynalite/actions/putItem') as ItemAction,
  updateItem: require('dynalite/actions/updateItem') as ItemAction,
  deleteItem: require('dynalite/actions/deleteItem') as ItemAction,
  getItem: require('dynalite/actions/getItem') as ItemAction,
};

export const actionValidations = {
  putItem: require('dynalite/validations/putItem') as ActionValidation,
  updateItem: require('dynalite/validations/updateItem') as ActionValidation,
  deleteItem: require('dynalite/validations/deleteItem') as ActionValidation,
  getItem: require('dynalite/validations/getItem') as ActionValidation,
};

const createDynaliteServer = require('dynalite') as (options: DynaliteOptions) => Server;

/**
 * dynalite() builds its store internally and never exposes it, yet the
 * add-ons must share that store's per-key locks. dynalite calls
 * `require('./db').create(options)` synchronously while building the server,
 * so wrapping that export for the duration of the call captures the store
 * without patching dynalite's files.
 */
export function createDynaliteWithStore(options: DynaliteOptions): { server: Server; store: DynaliteStore } {
  const originalCreate = dynaliteDb.create;
  let store: DynaliteStore | undefined;
  dynaliteDb.create = (opts) => (store = originalCreate(opts));
  let server: Server;
  try {
    server = createDynaliteServer(options);
  } finally {
    dynaliteDb.create = originalCreate;
  }
  if (!store) throw new Error('dynalite did not create its store through db.create; this dynalite version is not supported');
  return { server, store };
}

/** Main-database keys of dynalite's sub-databases (db/index.js: getSubDb prefixes `<name>~`). */
export const storageKeys = {
  item: (tableName: string, key: string) => `item-${tableName}~${key}`,
  index: (indexType: string, tableName: string, indexName: string, key: string) =>
    `index-${indexType.toLowerCase()}~${tableName}~${indexName}~${key}`,
};

export function isDynaliteError(err: unknown): err is DynaliteError {
  return err instanceof Error && typeof (err as Partial<DynaliteError>).statusCode === 'number' && typeof (err as Partial<DynaliteError>).body === 'object';
}

/** Promise form of dynalite's callback APIs. */
export function call<T>(fn: (cb: Callback<T>) => void): Promise<T> {
  return new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value as T))));
}

/** Reads one item; dynalite's level store answers undefined for a missing key. */
export function readItem(store: DynaliteStore, tableName: string, key: string): Promise<WireItem | undefined> {
  return new Promise((resolve, reject) =>
    store.getItemDb(tableName).get(key, (err, item) => {
      if (err && err.name !== 'NotFoundError') reject(err);
      else resolve(err ? undefined : item);
    }),
  );
}
