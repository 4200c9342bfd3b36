import type { TableRole } from '../../../config/resource-names.js';

/** Physical table names the event store uses (ResourceNames.tables fits). */
export type EventStoreTables = Pick<Record<TableRole, string>, 'runs' | 'steps' | 'events' | 'hooks'>;

/** Largest TransactWriteItems request DynamoDB accepts. */
export const MAX_TRANSACTION_ACTIONS = 100;
/** Largest BatchWriteItem request. */
export const MAX_BATCH_WRITE = 25;
/** Largest BatchGetItem request. */
export const MAX_BATCH_GET = 100;
