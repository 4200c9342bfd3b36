// The request-level rules of TransactWriteItems and TransactGetItems, with no
// storage involved: member constraints (reported together, as AWS does), the
// one-action-per-element rule, the one-operation-per-item rule and the order
// in which item locks are taken.
import { serializationException, validationException } from './api-error.js';

export const MAX_TRANSACT_ITEMS = 100;
export const DUPLICATE_ITEM_MESSAGE = 'Transaction request cannot include multiple operations on one item';
export const ONE_ACTION_MESSAGE = 'TransactItems can only contain one of Check, Put, Update or Delete';

export type WriteKind = 'ConditionCheck' | 'Put' | 'Update' | 'Delete';
const WRITE_KINDS: readonly WriteKind[] = ['ConditionCheck', 'Put', 'Update', 'Delete'];

/** Members each action must carry (AWS reports their absence with the other member constraints). */
const REQUIRED_MEMBERS: Record<WriteKind | 'Get', readonly string[]> = {
  ConditionCheck: ['Key', 'TableName', 'ConditionExpression'],
  Put: ['Item', 'TableName'],
  Update: ['Key', 'UpdateExpression', 'TableName'],
  Delete: ['Key', 'TableName'],
  Get: ['Key', 'TableName'],
};

export interface WriteActionRequest {
  kind: WriteKind;
  /** The action's members as sent (TableName, Key or Item, expressions). */
  params: Record<string, unknown>;
  /** ReturnValuesOnConditionCheckFailure=ALL_OLD: a failed condition reports the item. */
  returnOldOnFailure: boolean;
}

export interface TransactWriteRequest {
  actions: WriteActionRequest[];
  clientRequestToken?: string;
  returnConsumedCapacity?: string;
}

export interface TransactGetRequest {
  gets: Record<string, unknown>[];
  returnConsumedCapacity?: string;
}

/** One item: its table and dynalite's key string for it. */
export interface ItemTarget {
  tableName: string;
  key: string;
}

export function parseTransactWriteRequest(body: Record<string, unknown>): TransactWriteRequest {
  const items = transactItems(body);
  const errors: string[] = [];
  const token = optionalString(body, 'ClientRequestToken');
  if (token !== undefined && (token.length < 1 || token.length > 36)) {
    errors.push(constraint(token, 'clientRequestToken', `Member must have length ${token.length < 1 ? 'greater than or equal to 1' : 'less than or equal to 36'}`));
  }
  enumMember(body, 'ReturnConsumedCapacity', ['INDEXES', 'TOTAL', 'NONE'], 'returnConsumedCapacity', errors);
  enumMember(body, 'ReturnItemCollectionMetrics', ['SIZE', 'NONE'], 'returnItemCollectionMetrics', errors);
  itemCount(items, errors);
  items?.forEach((item, i) => {
    for (const kind of WRITE_KINDS) {
      const params = item[kind];
      if (isObject(params)) {
        const path = `transactItems.${i + 1}.member.${lowerFirst(kind)}`;
        requiredMembers(params, REQUIRED_MEMBERS[kind], path, errors);
        enumMember(params, 'ReturnValuesOnConditionCheckFailure', ['ALL_OLD', 'NONE'], `${path}.returnValuesOnConditionCheckFailure`, errors);
      }
    }
  });
  throwIfAny(errors);

  // itemCount() reported a missing list above, so items is set from here on.
  const actions = items!.map((item, i): WriteActionRequest => {
    const present = WRITE_KINDS.filter((kind) => item[kind] !== undefined && item[kind] !== null);
    if (present.length !== 1) throw validationException(ONE_ACTION_MESSAGE);
    const kind = present[0]!;
    const params = item[kind];
    if (!isObject(params)) throw serializationException(`Unexpected value type in payload at transactItems.${i + 1}.member.${lowerFirst(kind)}`);
    return { kind, params, returnOldOnFailure: params.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' };
  });
  return {
    actions,
    ...(token !== undefined ? { clientRequestToken: token } : {}),
    ...(typeof body.ReturnConsumedCapacity === 'string' ? { returnConsumedCapacity: body.ReturnConsumedCapacity } : {}),
  };
}

export function parseTransactGetRequest(body: Record<string, unknown>): TransactGetRequest {
  const items = transactItems(body);
  const errors: string[] = [];
  enumMember(body, 'ReturnConsumedCapacity', ['INDEXES', 'TOTAL', 'NONE'], 'returnConsumedCapacity', errors);
  itemCount(items, errors);
  items?.forEach((item, i) => {
    const path = `transactItems.${i + 1}.member.get`;
    if (item.Get === undefined || item.Get === null) errors.push(notNull(path));
    else if (isObject(item.Get)) requiredMembers(item.Get, REQUIRED_MEMBERS.Get, path, errors);
  });
  throwIfAny(errors);

  // itemCount() reported a missing list above, so items is set from here on.
  const gets = items!.map((item, i) => {
    if (!isObject(item.Get)) throw serializationException(`Unexpected value type in payload at transactItems.${i + 1}.member.get`);
    return item.Get;
  });
  return {
    gets,
    ...(typeof body.ReturnConsumedCapacity === 'string' ? { returnConsumedCapacity: body.ReturnConsumedCapacity } : {}),
  };
}

/** Index of the first action that targets an item an earlier action already targets. */
export function findDuplicateTarget(targets: readonly (ItemTarget | undefined)[]): number | undefined {
  const seen = new Set<string>();
  for (const [i, target] of targets.entries()) {
    if (!target) continue;
    const id = JSON.stringify([target.tableName, target.key]);
    if (seen.has(id)) return i;
    seen.add(id);
  }
  return undefined;
}

/**
 * The order locks are taken in: by table name, then key, compared by code
 * unit. Every transaction taking its locks in this one global order is what
 * rules out deadlock between transactions; single-item writes hold one lock
 * at a time, so they cannot take part in a cycle.
 */
export function lockOrder(targets: readonly (ItemTarget | undefined)[]): ItemTarget[] {
  const unique = new Map<string, ItemTarget>();
  for (const target of targets) if (target) unique.set(JSON.stringify([target.tableName, target.key]), target);
  return [...unique.values()].sort((a, b) => compare(a.tableName, b.tableName) || compare(a.key, b.key));
}

function transactItems(body: Record<string, unknown>): Record<string, unknown>[] | undefined {
  const items = body.TransactItems;
  if (items === undefined || items === null) return undefined;
  if (!Array.isArray(items)) throw serializationException('Unexpected field type');
  for (const item of items) {
    if (!isObject(item)) throw serializationException('Unexpected value type in payload');
  }
  return items as Record<string, unknown>[];
}

function itemCount(items: unknown[] | undefined, errors: string[]): void {
  // AWS's newer validation framework names the member instead of echoing the whole list.
  if (!items) errors.push(notNull('transactItems'));
  else if (items.length < 1) errors.push(`Value at 'TransactItems' failed to satisfy constraint: Member must have length greater than or equal to 1`);
  else if (items.length > MAX_TRANSACT_ITEMS) {
    errors.push(`Value at 'TransactItems' failed to satisfy constraint: Member must have length less than or equal to ${MAX_TRANSACT_ITEMS}`);
  }
}

function enumMember(obj: Record<string, unknown>, member: string, allowed: readonly string[], path: string, errors: string[]): void {
  const value = optionalString(obj, member);
  if (value !== undefined && !allowed.includes(value)) {
    errors.push(constraint(value, path, `Member must satisfy enum value set: [${allowed.join(', ')}]`));
  }
}

function requiredMembers(obj: Record<string, unknown>, members: readonly string[], path: string, errors: string[]): void {
  for (const member of members) if (obj[member] === undefined || obj[member] === null) errors.push(notNull(`${path}.${lowerFirst(member)}`));
}

function notNull(path: string): string {
  return `Value null at '${path}' failed to satisfy constraint: Member must not be null`;
}

function optionalString(obj: Record<string, unknown>, member: string): string | undefined {
  const value = obj[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw serializationException(`${member} must be a string`);
  return value;
}

function constraint(value: string, path: string, rule: string): string {
  return `Value '${value}' at '${path}' failed to satisfy constraint: ${rule}`;
}

function throwIfAny(errors: string[]): void {
  if (errors.length === 0) return;
  const shown = errors.slice(0, 10);
  throw validationException(`${shown.length} validation error${shown.length > 1 ? 's' : ''} detected: ${shown.join('; ')}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function lowerFirst(s: string): string {
  return s[0]!.toLowerCase() + s.slice(1);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
