// Writes the run, step and wait projections of committed events. Several
// commits are coalesced first: each entity is written once, in the state of
// the newest commit that touched it. Every write is conditioned on the
// projection's own `seq` being older, so writes are idempotent and a slow
// writer of an older state can never overwrite a newer one. A partial state
// (no creation fields) that finds no item to update is never dropped: the
// entity's full state is folded from the log and put instead.
import { WorkflowWorldError } from '@workflow/errors';
import { GetItemCommand, PutItemCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Step, Wait, WorkflowRun } from '@workflow/world';
import { awsErrorName, toWorldError } from '../aws-errors.js';
import { IMMUTABLE, type CommitRecord, type EntityEffect } from './commit-record.js';
import { runToItem, stepToItem, waitToItem, waitTombstone, type Item } from './item-mappers.js';
import type { EventStoreTables } from './tables.js';

interface Versioned<T> extends EntityEffect<T> {
  seq: number;
  expiresAt?: number;
}

export interface ProjectionBatch {
  run?: Versioned<WorkflowRun>;
  steps: Map<string, Versioned<Step>>;
  waits: Map<string, { wait: Wait; gone: boolean; seq: number; expiresAt?: number }>;
}

/** Optional fields a later state may no longer have (removed on a partial update). */
const RUN_OPTIONAL = ['output', 'error', 'startedAt', 'completedAt', 'expiredAt'];
const STEP_OPTIONAL = ['output', 'error', 'startedAt', 'completedAt', 'retryAfter'];

/** Newest state per entity of `records` (ascending by seq). */
export function coalesce(records: CommitRecord[]): ProjectionBatch {
  const batch: ProjectionBatch = { steps: new Map(), waits: new Map() };
  for (const record of records) {
    const { seq, expiresAt } = record;
    if (record.run) batch.run = { ...merge(batch.run, record.run, IMMUTABLE.run), seq, expiresAt };
    for (const step of record.steps) {
      batch.steps.set(step.entity.stepId, { ...merge(batch.steps.get(step.entity.stepId), step, IMMUTABLE.step), seq, expiresAt });
    }
    for (const wait of record.waits) batch.waits.set(wait.waitId, { wait, gone: false, seq, expiresAt });
    for (const wait of record.deletedWaits) batch.waits.set(wait.waitId, { wait, gone: true, seq, expiresAt });
  }
  return batch;
}

/** A later effect without the creation-time fields keeps those of an earlier full one. */
export function merge<T extends object>(earlier: EntityEffect<T> | undefined, later: EntityEffect<T>, immutable: readonly string[]): EntityEffect<T> {
  if (later.full || !earlier?.full) return later;
  const kept: Record<string, unknown> = {};
  for (const name of immutable) {
    const value = (earlier.entity as Record<string, unknown>)[name];
    if (value !== undefined) kept[name] = value;
  }
  return { entity: { ...later.entity, ...kept }, full: true };
}

/** Projection writes in flight per batch: background work must not take the client's sockets from commits. */
const PARALLEL_WRITES = 4;

/** The projections of a run's commits 1..upTo, coalesced: every entity in its full state as of `upTo`. */
export type FoldLog = (runId: string, upTo: number) => Promise<ProjectionBatch>;

export async function writeProjections(client: DynamoDBClient, tables: EventStoreTables, batch: ProjectionBatch, fold: FoldLog): Promise<void> {
  const writes: Array<() => Promise<void>> = [];
  if (batch.run) {
    const { entity, full, seq, expiresAt } = batch.run;
    const rebuild = async () => {
      const run = (await fold(entity.runId, seq)).run;
      return run?.full ? runToItem(run.entity, run.seq, run.expiresAt) : undefined;
    };
    writes.push(() => project(client, tables.runs, runToItem(entity, seq, expiresAt), full, RUN_OPTIONAL, rebuild));
  }
  for (const { entity, full, seq, expiresAt } of batch.steps.values()) {
    const rebuild = async () => {
      const step = (await fold(entity.runId, seq)).steps.get(entity.stepId);
      return step?.full ? stepToItem(step.entity, step.seq, step.expiresAt) : undefined;
    };
    writes.push(() => project(client, tables.steps, stepToItem(entity, seq, expiresAt), full, STEP_OPTIONAL, rebuild));
  }
  for (const { wait, gone, seq, expiresAt } of batch.waits.values()) {
    const item = gone ? waitTombstone(wait, seq, expiresAt) : waitToItem(wait, seq, expiresAt);
    writes.push(() => project(client, tables.steps, item, true, [], async () => item));
  }
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (next < writes.length) {
      const write = writes[next++]!;
      await write().catch((error: unknown) => (failure ??= error));
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_WRITES, writes.length) }, worker));
  if (failure !== undefined) throw failure;
}

/**
 * A full state replaces the item; a partial one (no `input`) updates every
 * other attribute and removes optional fields the state no longer has. A
 * partial one whose condition fails on a missing item (its creation is not
 * projected yet: another process's write-behind, or lost with it) puts the
 * full state `rebuild` folds from the log.
 */
async function project(
  client: DynamoDBClient,
  table: string,
  item: Item,
  full: boolean,
  optional: string[],
  rebuild: () => Promise<Item | undefined>,
): Promise<void> {
  const seq = Number(item.seq!.N);
  // A partial update can race an item's creation by another writer: try it again a few times.
  for (let attempt = 1; ; attempt++) {
    if (await conditionalWrite(client, table, item, full, optional)) return;
    // A full put's condition fails only on a state at least as new: nothing to do.
    if (full) return;
    const current = await projectedSeq(client, table, item);
    if (current !== undefined && current >= seq) return;
    if (current === undefined) break;
    if (attempt >= 3) throw new WorkflowWorldError(`Projection ${item.pk!.S} ${item.sk?.S ?? ''} keeps changing under its update`, { status: 503 });
  }
  const rebuilt = await rebuild();
  if (!rebuilt) {
    throw new WorkflowWorldError(`The log of run ${item.pk!.S} no longer holds the creation of ${item.sk?.S ?? 'the run'}: its projection cannot be rebuilt`, { status: 500 });
  }
  await conditionalWrite(client, table, rebuilt, true, optional);
}

/** Whether the write's condition held (false: ConditionalCheckFailed). */
async function conditionalWrite(client: DynamoDBClient, table: string, item: Item, full: boolean, optional: string[]): Promise<boolean> {
  const seq = item.seq!;
  try {
    if (full) {
      await client.send(
        new PutItemCommand({
          TableName: table,
          Item: item,
          ConditionExpression: 'attribute_not_exists(pk) OR #seq < :seq',
          ExpressionAttributeNames: { '#seq': 'seq' },
          ExpressionAttributeValues: { ':seq': seq },
        }),
      );
      return true;
    }
    const names: Record<string, string> = { '#seq': 'seq' };
    const values: Record<string, AttributeValue> = { ':seq': seq };
    const sets: string[] = [];
    let i = 0;
    for (const [name, value] of Object.entries(item)) {
      if (name === 'pk' || name === 'sk' || name === 'input') continue;
      names[`#a${i}`] = name;
      values[`:a${i}`] = value;
      sets.push(`#a${i} = :a${i}`);
      i++;
    }
    const removes = optional.filter((name) => item[name] === undefined).map((name, j) => ((names[`#r${j}`] = name), `#r${j}`));
    const key: Item = item.sk ? { pk: item.pk!, sk: item.sk } : { pk: item.pk! };
    await client.send(
      new UpdateItemCommand({
        TableName: table,
        Key: key,
        UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ConditionExpression: 'attribute_exists(pk) AND #seq < :seq',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
    return true;
  } catch (error) {
    if (awsErrorName(error) === 'ConditionalCheckFailedException') return false;
    throw toWorldError(error, full ? 'DynamoDB.PutItem' : 'DynamoDB.UpdateItem');
  }
}

/** The `seq` of a projection item, undefined when there is no item (strongly consistent). */
async function projectedSeq(client: DynamoDBClient, table: string, item: Item): Promise<number | undefined> {
  const Key: Item = item.sk ? { pk: item.pk!, sk: item.sk } : { pk: item.pk! };
  try {
    const output = await client.send(
      new GetItemCommand({ TableName: table, Key, ConsistentRead: true, ProjectionExpression: '#seq', ExpressionAttributeNames: { '#seq': 'seq' } }),
    );
    return output.Item ? Number(output.Item.seq?.N ?? 0) : undefined;
  } catch (error) {
    throw toWorldError(error, 'DynamoDB.GetItem');
  }
}
