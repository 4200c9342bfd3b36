// ConsumedCapacity of a transaction: per table, twice what the same
// single-item operations would use (DynamoDB charges transactional reads and
// writes double: one unit to prepare, one to commit).
import type { ConsumedCapacity } from './internals.js';

export interface TableCapacity {
  TableName: string;
  CapacityUnits: number;
  Table?: { CapacityUnits: number };
}

export function transactionCapacity(items: readonly (ConsumedCapacity | undefined)[], mode: string | undefined): TableCapacity[] | undefined {
  if (mode !== 'TOTAL' && mode !== 'INDEXES') return undefined;
  const perTable = new Map<string, number>();
  for (const item of items) {
    if (item) perTable.set(item.TableName, (perTable.get(item.TableName) ?? 0) + 2 * item.CapacityUnits);
  }
  return [...perTable].map(([TableName, CapacityUnits]) => ({
    TableName,
    CapacityUnits,
    ...(mode === 'INDEXES' ? { Table: { CapacityUnits } } : {}),
  }));
}
