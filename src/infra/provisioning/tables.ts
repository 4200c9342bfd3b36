// DynamoDB tables of an installation: created from TABLES when missing, then
// brought to ACTIVE with TTL (and optionally point-in-time recovery) on. A
// table that exists with other keys or without an index is an error rather
// than something to change silently: its data was written for another schema.
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  UpdateContinuousBackupsCommand,
  UpdateTimeToLiveCommand,
  type DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { TABLE_ROLES, type ResourceNames } from '../../config/resource-names.js';
import { TABLES, type TableDefinition } from '../../adapters/aws/resources.js';
import { hasErrorName, isMissingTable, unlessMissing } from '../../adapters/aws/aws-errors.js';
import { pollUntil, retryWhile } from '../retry.js';
import { DEFAULT_TABLE_WAIT_MS, RESOURCE_WAIT } from './poll.js';
import { allSettled } from './settle.js';
import { createTableInput, schemaMismatch } from './table-schema.js';
import type { ProvisionOptions, ResourceReport, ResourceState } from './types.js';

export async function provisionTables(client: DynamoDBClient, names: ResourceNames, options: ProvisionOptions = {}): Promise<ResourceReport[]> {
  return allSettled(
    TABLE_ROLES.map(async (role) => {
      const report: ResourceReport = { kind: 'table', name: names.tables[role], status: await provisionTable(client, TABLES[role], names.tables[role], options) };
      options.onProgress?.(report);
      return report;
    }),
  );
}

export async function deleteTables(
  client: DynamoDBClient,
  names: ResourceNames,
  options: Pick<ProvisionOptions, 'onProgress' | 'tableWaitMs'> = {},
): Promise<ResourceReport[]> {
  return allSettled(
    TABLE_ROLES.map(async (role) => {
      const name = names.tables[role];
      const report: ResourceReport = { kind: 'table', name, status: await deleteTable(client, name, options.tableWaitMs ?? DEFAULT_TABLE_WAIT_MS) };
      options.onProgress?.(report);
      return report;
    }),
  );
}

export async function inspectTables(client: DynamoDBClient, names: ResourceNames): Promise<ResourceState[]> {
  return Promise.all(TABLE_ROLES.map(async (role) => ({ kind: 'table' as const, name: names.tables[role], exists: (await describe(client, names.tables[role])) !== undefined })));
}

async function provisionTable(client: DynamoDBClient, definition: TableDefinition, name: string, options: ProvisionOptions): Promise<'created' | 'present' | 'updated'> {
  const waitMs = options.tableWaitMs ?? DEFAULT_TABLE_WAIT_MS;
  let created = false;
  const existing = await describe(client, name);
  if (existing) {
    const mismatch = schemaMismatch(definition, existing);
    if (mismatch) throw new Error(`Table ${name} exists but ${mismatch}; delete it or choose another installation name`);
  } else {
    created = await createTable(client, definition, name);
  }
  await waitUntilActive(client, name, waitMs);
  const ttlChanged = definition.ttlAttribute ? await ensureTimeToLive(client, name, definition.ttlAttribute) : false;
  const pitr = options.pointInTimeRecovery === true || (options.pointInTimeRecovery === 'events' && definition.role === 'events');
  const pitrChanged = pitr ? await ensurePointInTimeRecovery(client, name, options) : false;
  return created ? 'created' : ttlChanged || pitrChanged ? 'updated' : 'present';
}

/** False when another run created it first. */
async function createTable(client: DynamoDBClient, definition: TableDefinition, name: string): Promise<boolean> {
  try {
    await client.send(new CreateTableCommand(createTableInput(definition, name)));
    return true;
  } catch (err) {
    if (hasErrorName(err, 'ResourceInUseException')) return false;
    throw err;
  }
}

async function describe(client: DynamoDBClient, name: string): Promise<TableDescription | undefined> {
  return (await unlessMissing(() => client.send(new DescribeTableCommand({ TableName: name })), isMissingTable))?.Table;
}

/** ACTIVE means the table and every index: writes to a table whose index is still CREATING are not yet indexed. */
async function waitUntilActive(client: DynamoDBClient, name: string, timeoutMs: number): Promise<void> {
  await pollUntil(
    async () => {
      const table = await describe(client, name);
      if (!table) throw new Error(`Table ${name} disappeared while waiting for it to become ACTIVE`);
      const ready = table.TableStatus === 'ACTIVE' && (table.GlobalSecondaryIndexes ?? []).every((i) => i.IndexStatus === 'ACTIVE');
      return ready ? true : undefined;
    },
    `table ${name} to become ACTIVE`,
    { ...RESOURCE_WAIT, maxWaitMs: timeoutMs },
  );
}

/** True when TTL had to be switched on. */
async function ensureTimeToLive(client: DynamoDBClient, name: string, attribute: string): Promise<boolean> {
  const ttl = (await client.send(new DescribeTimeToLiveCommand({ TableName: name }))).TimeToLiveDescription;
  const status = ttl?.TimeToLiveStatus ?? 'DISABLED';
  if (status === 'ENABLED' || status === 'ENABLING') {
    if (ttl?.AttributeName === attribute) return false;
    throw new Error(`Table ${name} has TTL on attribute ${ttl?.AttributeName}, expected ${attribute}`);
  }
  if (status === 'DISABLING') throw new Error(`Table ${name} is disabling TTL; AWS allows enabling it again only once that finishes (up to an hour)`);
  await client.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { AttributeName: attribute, Enabled: true } }));
  return true;
}

/** Continuous backups of a new table are enabled asynchronously; until then UpdateContinuousBackups fails with this. */
const BACKUPS_UNAVAILABLE = 'ContinuousBackupsUnavailableException';
export const PITR_RETRY = { delayMs: 5_000, maxWaitMs: 5 * 60_000 };

/** True when point-in-time recovery had to be switched on. */
async function ensurePointInTimeRecovery(client: DynamoDBClient, name: string, options: ProvisionOptions): Promise<boolean> {
  const backups = await client.send(new DescribeContinuousBackupsCommand({ TableName: name })).catch((err: unknown) => {
    // Real DynamoDB always has the operation; an emulator may not.
    if (!hasErrorName(err, 'UnknownOperationException')) throw err;
    throw new Error(`Table ${name}: this endpoint does not support point-in-time recovery; bootstrap with --no-events-point-in-time-recovery`);
  });
  if (backups.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus === 'ENABLED') return false;
  await retryWhile(
    () => client.send(new UpdateContinuousBackupsCommand({ TableName: name, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })),
    (err) => hasErrorName(err, BACKUPS_UNAVAILABLE),
    {
      ...PITR_RETRY,
      sleep: options.sleep,
      onWait: (waited) =>
        options.onNote?.(`table ${name}: continuous backups not available yet (new table); retrying point-in-time recovery in ${PITR_RETRY.delayMs / 1000} s (waited ${Math.round(waited / 1000)} s)`),
    },
  );
  return true;
}

/** Waits until the table is gone, so a bootstrap right after teardown can create it again. */
async function deleteTable(client: DynamoDBClient, name: string, timeoutMs: number): Promise<'deleted' | 'absent'> {
  const table = await describe(client, name);
  if (!table) return 'absent';
  // A table still CREATING or UPDATING refuses deletion.
  if (table.TableStatus !== 'ACTIVE' && table.TableStatus !== 'DELETING') await waitUntilActive(client, name, timeoutMs);
  try {
    await client.send(new DeleteTableCommand({ TableName: name }));
  } catch (err) {
    if (isMissingTable(err)) return 'absent';
    if (!hasErrorName(err, 'ResourceInUseException')) throw err;
  }
  await pollUntil(async () => ((await describe(client, name)) ? undefined : true), `table ${name} to be deleted`, { ...RESOURCE_WAIT, maxWaitMs: timeoutMs });
  return 'deleted';
}
