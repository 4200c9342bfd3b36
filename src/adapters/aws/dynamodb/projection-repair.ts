// verify's view of a run's projections as stored (no log applied), and
// --repair's rewrite of them from the state folded from the log. A rewrite
// is stamped with the run's newest sequence number and conditioned on the
// item not being newer, so a commit projected meanwhile is never undone.
import { DeleteItemCommand, GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { StoredProjections } from '../../../ports/event-store.js';
import { toWorldError, awsErrorName } from '../aws-errors.js';
import { itemToRun, itemToStep, itemToWait, runToItem, stepToItem, waitTombstone, waitToItem, type Item } from './item-mappers.js';
import { runKey, STEP_PREFIX, WAIT_PREFIX } from './keys.js';
import { queryAll } from './query-pages.js';
import type { EventStoreTables } from './tables.js';

/** One consistent GetItem of the run and one consistent Query of its steps-table partition. */
export async function readStoredProjections(client: DynamoDBClient, tables: EventStoreTables, runId: string): Promise<StoredProjections & { waitItems: Item[]; stepItems: Item[] }> {
  const [runItem, items] = await Promise.all([
    client.send(new GetItemCommand({ TableName: tables.runs, Key: runKey(runId), ConsistentRead: true })).then(
      (output) => output.Item,
      (error: unknown) => {
        throw toWorldError(error, 'DynamoDB.GetItem');
      },
    ),
    queryAll(client, { TableName: tables.steps, ConsistentRead: true, KeyConditionExpression: 'pk = :runId', ExpressionAttributeValues: { ':runId': { S: runId } } }),
  ]);
  const stepItems = items.filter((item) => item.sk?.S?.startsWith(STEP_PREFIX));
  const waitItems = items.filter((item) => item.sk?.S?.startsWith(WAIT_PREFIX));
  return {
    ...(runItem ? { run: itemToRun(runItem) } : {}),
    steps: stepItems.map(itemToStep),
    waits: waitItems.filter((item) => item.gone?.BOOL !== true).map(itemToWait),
    stepItems,
    waitItems,
  };
}

export async function rewriteStoredProjections(
  client: DynamoDBClient,
  tables: EventStoreTables,
  runId: string,
  state: StoredProjections,
  eventCount: number,
): Promise<void> {
  const stored = await readStoredProjections(client, tables, runId);
  const puts: Array<[string, Item]> = [];
  if (state.run) puts.push([tables.runs, runToItem(state.run, eventCount)]);
  for (const step of state.steps) puts.push([tables.steps, stepToItem(step, eventCount)]);
  for (const wait of state.waits) puts.push([tables.steps, waitToItem(wait, eventCount)]);
  const kept = new Set(state.waits.map((w) => w.waitId));
  for (const wait of stored.waits) if (!kept.has(wait.waitId)) puts.push([tables.steps, waitTombstone(wait, eventCount)]);
  const steps = new Set(state.steps.map((s) => s.stepId));
  const strayKeys = stored.stepItems.filter((item) => !steps.has(itemToStep(item).stepId)).map((item) => ({ pk: item.pk!, sk: item.sk! }));
  const notNewer = { ConditionExpression: 'attribute_not_exists(pk) OR #seq <= :seq', ExpressionAttributeNames: { '#seq': 'seq' }, ExpressionAttributeValues: { ':seq': { N: String(eventCount) } } };
  for (const [table, item] of puts) {
    await client.send(new PutItemCommand({ TableName: table, Item: item, ...notNewer })).catch((error: unknown) => {
      // A commit projected meanwhile is newer than this repair: it stands.
      if (awsErrorName(error) !== 'ConditionalCheckFailedException') throw toWorldError(error, 'DynamoDB.PutItem');
    });
  }
  for (const Key of strayKeys) {
    await client.send(new DeleteItemCommand({ TableName: tables.steps, Key, ...notNewer })).catch((error: unknown) => {
      if (awsErrorName(error) !== 'ConditionalCheckFailedException') throw toWorldError(error, 'DynamoDB.DeleteItem');
    });
  }
}
