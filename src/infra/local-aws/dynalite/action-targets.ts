// Turns each transaction action into a request dynalite's own single-item
// validation accepts, then finds the item it targets. dynalite's validators
// parse the expressions (`_condition`, `_updates`, `_projection`) exactly as
// they do for PutItem, UpdateItem, DeleteItem and GetItem.
import { validationFailed, type CancellationReason } from './api-error.js';
import {
  actionValidations,
  call,
  dynaliteDb,
  dynaliteValidations,
  type ActionValidation,
  type DynaliteStore,
  type DynaliteTable,
  type WireItem,
} from './internals.js';
import type { ItemTarget, WriteKind } from './transact-request.js';

export type ActionKind = WriteKind | 'Get';

/** A ConditionCheck is validated like a DeleteItem: a key, a condition and expression maps. */
const VALIDATION: Record<ActionKind, ActionValidation> = {
  ConditionCheck: actionValidations.deleteItem,
  Put: actionValidations.putItem,
  Update: actionValidations.updateItem,
  Delete: actionValidations.deleteItem,
  Get: actionValidations.getItem,
};

/** Validates one action's members; throws the same ValidationException the single-item call would. */
export function prepareAction(kind: ActionKind, params: Record<string, unknown>, store: DynaliteStore): Record<string, unknown> {
  const { types, custom } = VALIDATION[kind];
  // checkTypes drops members the single-item call does not know (ReturnValuesOnConditionCheckFailure).
  const data = dynaliteValidations.checkTypes({ ...params }, types);
  dynaliteValidations.checkValidations(data, types, custom, store);
  return data;
}

/** Looks tables up once each, in request order; a missing or not yet ACTIVE table is ResourceNotFoundException. */
export async function loadTables(store: DynaliteStore, names: readonly string[]): Promise<Map<string, DynaliteTable>> {
  const tables = new Map<string, DynaliteTable>();
  for (const name of names) {
    if (!tables.has(name)) tables.set(name, await call<DynaliteTable>((cb) => store.getTable(name, cb)));
  }
  return tables;
}

export interface ResolvedTarget {
  /** Absent when the key does not fit the table's schema. */
  target?: ItemTarget;
  /** Why the action cannot run; AWS reports it as the action's ValidationError reason. */
  failure?: CancellationReason;
}

/**
 * Real DynamoDB refuses an empty key value for the whole request, but reports
 * a key of the wrong type (or an invalid update of a key attribute) as that
 * action's cancellation reason.
 */
export function resolveTarget(kind: ActionKind, data: Record<string, unknown>, table: DynaliteTable): ResolvedTarget {
  const keySource = (kind === 'Put' ? data.Item : data.Key) as WireItem;
  const invalidKey = kind === 'Put' ? dynaliteDb.validateItem(keySource, table) : dynaliteDb.validateKey(keySource, table);
  if (invalidKey) {
    if (/cannot contain an empty/.test(invalidKey.message)) throw invalidKey;
    return { failure: validationFailed(invalidKey.message) };
  }
  const target = { tableName: table.TableName, key: dynaliteDb.createKey(keySource, table) };
  const invalidUpdate = kind === 'Update' ? dynaliteDb.validateUpdates(undefined, data._updates, table) : undefined;
  return invalidUpdate ? { target, failure: validationFailed(invalidUpdate.message) } : { target };
}
