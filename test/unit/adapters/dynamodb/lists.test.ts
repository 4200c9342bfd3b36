// Listings: key conditions per cursor and order, read-ahead for hasMore,
// bound items dropped, and the sharded merge for unfiltered listings.
import { BatchGetItemCommand, DynamoDBClient, QueryCommand, type QueryCommandInput } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbEventStore } from '../../../../src/adapters/aws/dynamodb/dynamodb-event-store.js';
import { eventToItem, hookToItem, runToItem, stepToItem, waitToItem, type Item } from '../../../../src/adapters/aws/dynamodb/item-mappers.js';
import { runShard } from '../../../../src/adapters/aws/dynamodb/keys.js';
import { event, eventId, hook, RUN_ID, run, step, T0, TABLES, wait } from './fixtures.js';

const ddb = mockClient(DynamoDBClient);
const store = new DynamoDbEventStore(new DynamoDBClient({ region: 'us-east-1' }), TABLES);
const queries = (): QueryCommandInput[] => ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
/** Queries other than the log-tail read (newest first on the events table). */
const listingQueries = (): QueryCommandInput[] => queries().filter((q) => !(q.TableName === 't-events' && q.ScanIndexForward === false && q.Limit === 8));
const seq = (n: number) => String(n).padStart(12, '0');
/** The newest event item of a run whose projections are all written: an empty tail. */
const projectedThrough = (n: number): Item => ({ ...eventToItem(event(n, 'step_completed'), n), v: { N: String(n) }, p: { N: String(n) } });
const emptyTail = () => ddb.on(QueryCommand, { TableName: 't-events', ScanIndexForward: false, Limit: 8 }).resolves({ Items: [projectedThrough(9)] });

beforeEach(() => ddb.reset());

describe('listEvents, a page with a cursor on a run whose log this process does not hold (run-log.test.ts: the held prefix)', () => {
  const events = [1, 2, 3].map((n) => eventToItem(event(n, 'step_created', { correlationId: `step_${n}` }), n));
  /** A store of its own: its log cache starts empty. */
  const fresh = () => new DynamoDbEventStore(new DynamoDBClient({ region: 'us-east-1' }), TABLES);

  it('asc after a cursor: exclusive start, one item read ahead; the last page keeps a non-null cursor', async () => {
    ddb.on(QueryCommand).resolves({ Items: [events[2]!] });
    const page = await fresh().listEvents(RUN_ID, { limit: 2, order: 'asc', after: seq(2) });
    expect(queries()).toEqual([
      {
        TableName: 't-events',
        ConsistentRead: true,
        KeyConditionExpression: 'pk = :partition AND sk > :after',
        ExpressionAttributeValues: { ':partition': { S: RUN_ID }, ':after': { S: seq(2) } },
        ScanIndexForward: true,
        Limit: 3,
      },
    ]);
    expect(page).toMatchObject({ lastKey: seq(3), hasMore: false });
    expect(page.items[0]!.createdAt).toEqual(new Date(T0 + 3));
  });

  it('desc from the newest: one item read ahead', async () => {
    ddb.on(QueryCommand).resolves({ Items: [events[2]!, events[1]!] });
    const page = await fresh().listEvents(RUN_ID, { limit: 1, order: 'desc' });
    expect(queries()).toEqual([
      {
        TableName: 't-events',
        ConsistentRead: true,
        KeyConditionExpression: 'pk = :partition',
        ExpressionAttributeValues: { ':partition': { S: RUN_ID } },
        ScanIndexForward: false,
        Limit: 2,
      },
    ]);
    expect(page).toMatchObject({ lastKey: seq(3), hasMore: true });
  });

  it('desc after a cursor: exclusive', async () => {
    ddb.on(QueryCommand).resolves({ Items: [events[1]!, events[0]!] });
    const page = await fresh().listEvents(RUN_ID, { limit: 5, order: 'desc', after: seq(3) });
    expect(queries()).toEqual([
      {
        TableName: 't-events',
        ConsistentRead: true,
        KeyConditionExpression: 'pk = :partition AND sk < :after',
        ExpressionAttributeValues: { ':partition': { S: RUN_ID }, ':after': { S: seq(3) } },
        ScanIndexForward: false,
        Limit: 6,
      },
    ]);
    expect(page.items.map((e) => e.eventId)).toEqual([eventId(2), eventId(1)]);
    expect(page).toMatchObject({ lastKey: seq(1), hasMore: false });
  });

  it('follows LastEvaluatedKey when DynamoDB returns a short page', async () => {
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [events[1]!], LastEvaluatedKey: { pk: { S: RUN_ID }, sk: { S: seq(2) } } })
      .resolves({ Items: [events[2]!] });
    const page = await fresh().listEvents(RUN_ID, { limit: 3, order: 'asc', after: seq(1) });
    expect(queries().map((q) => [q.Limit, q.ExclusiveStartKey])).toEqual([
      [4, undefined],
      [3, { pk: { S: RUN_ID }, sk: { S: seq(2) } }],
    ]);
    expect(page).toMatchObject({ lastKey: seq(3), hasMore: false });
    expect(page.items).toHaveLength(2);
  });
});

describe('listSteps', () => {
  it('asc after a cursor stays inside the S# range (after reading the log tail)', async () => {
    emptyTail();
    ddb.on(QueryCommand, { TableName: 't-steps' }).resolves({ Items: [stepToItem(step('step_2', 'pending'), 2)] });
    const page = await store.listSteps(RUN_ID, { limit: 10, order: 'asc', after: 'step_1' });
    expect(queries()[0]).toMatchObject({ TableName: 't-events', ScanIndexForward: false, ConsistentRead: true });
    expect(listingQueries()).toEqual([
      {
        TableName: 't-steps',
        ConsistentRead: true,
        KeyConditionExpression: 'pk = :partition AND sk BETWEEN :after AND :upper',
        ExpressionAttributeValues: { ':partition': { S: RUN_ID }, ':after': { S: 'S#step_1' }, ':upper': { S: 'S$' } },
        ScanIndexForward: true,
        Limit: 13,
      },
    ]);
    expect(page).toMatchObject({ lastKey: 'step_2', hasMore: false });
  });

  it('desc from the start uses begins_with and reports the stepId as cursor', async () => {
    emptyTail();
    ddb.on(QueryCommand, { TableName: 't-steps' }).resolves({ Items: [stepToItem(step('step_3', 'pending'), 3), stepToItem(step('step_2', 'pending'), 2)] });
    const page = await store.listSteps(RUN_ID, { limit: 1, order: 'desc' });
    expect(listingQueries()[0]).toMatchObject({
      KeyConditionExpression: 'pk = :partition AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':partition': { S: RUN_ID }, ':prefix': { S: 'S#' } },
      ScanIndexForward: false,
      Limit: 2,
    });
    expect(page).toMatchObject({ lastKey: 'step_3', hasMore: true });
    expect(page.items.map((s) => s.stepId)).toEqual(['step_3']);
  });
});

describe('listRuns', () => {
  const ids = ['wrun_01A', 'wrun_01B', 'wrun_01C', 'wrun_01D', 'wrun_01E', 'wrun_01F'];
  const runItem = (runId: string, status: 'running' | 'completed' = 'running') => runToItem({ ...run(status), runId } as ReturnType<typeof run>, 1);

  function byShard(status?: 'running') {
    ddb.on(QueryCommand).callsFake((input: QueryCommandInput) => {
      const partition = input.ExpressionAttributeValues![':partition']!.S!;
      const items = ids
        .map((id) => runItem(id))
        .filter((item) => (status ? `${status}#${item.shard!.S}` : item.shard!.S) === partition)
        .filter((item) => !input.ExpressionAttributeValues![':after'] || item.runId!.S! < input.ExpressionAttributeValues![':after']!.S!)
        .sort((a, b) => (a.runId!.S! < b.runId!.S! ? 1 : -1));
      return { Items: items.slice(0, input.Limit) };
    });
  }

  it('without a filter: queries all 8 shards of byShard and merges them by runId', async () => {
    byShard();
    const page = await store.listRuns({ limit: 4, order: 'desc' });
    expect(queries()).toHaveLength(8);
    expect(queries().map((q) => q.ExpressionAttributeValues![':partition']!.S).sort()).toEqual(['R#0', 'R#1', 'R#2', 'R#3', 'R#4', 'R#5', 'R#6', 'R#7']);
    expect(queries()[0]).toEqual({
      TableName: 't-runs',
      IndexName: 'byShard',
      ExpressionAttributeNames: { '#partition': 'shard' },
      KeyConditionExpression: '#partition = :partition',
      ExpressionAttributeValues: { ':partition': { S: 'R#0' } },
      ScanIndexForward: false,
      Limit: 5,
    });
    expect(page.items.map((r) => r.runId)).toEqual(['wrun_01F', 'wrun_01E', 'wrun_01D', 'wrun_01C']);
    expect(page).toMatchObject({ lastKey: 'wrun_01C', hasMore: true });
    expect(page.items[0]).toMatchObject({ runId: 'wrun_01F', status: 'running' });
    // A listing returns the run entities from the index: no extra reads.
    expect(ddb.commandCalls(BatchGetItemCommand)).toHaveLength(0);

    ddb.resetHistory();
    const next = await store.listRuns({ limit: 4, order: 'desc', after: 'wrun_01C' });
    expect(queries()[0]).toMatchObject({
      KeyConditionExpression: '#partition = :partition AND runId < :after',
      ExpressionAttributeValues: { ':partition': { S: 'R#0' }, ':after': { S: 'wrun_01C' } },
    });
    expect(next.items.map((r) => r.runId)).toEqual(['wrun_01B', 'wrun_01A']);
    expect(next).toMatchObject({ lastKey: 'wrun_01A', hasMore: false });
  });

  it('by status: the byStatus shards `<status>#R#n`', async () => {
    byShard('running');
    const page = await store.listRuns({ limit: 10, order: 'asc', status: 'running' });
    expect(queries().map((q) => [q.IndexName, q.ExpressionAttributeNames, q.ExpressionAttributeValues![':partition']!.S])).toEqual(
      Array.from({ length: 8 }, (_, i) => ['byStatus', { '#partition': 'statusShard' }, `running#R#${i}`]),
    );
    expect(page.items.map((r) => r.runId).sort()).toEqual(ids);
  });

  it('by workflow name and status: one partition, status filtered, paged until the page is full', async () => {
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [runItem('wrun_01A')], LastEvaluatedKey: { pk: { S: 'wrun_01B' } } }) // 01B filtered out by DynamoDB
      .resolvesOnce({ Items: [runItem('wrun_01C'), runItem('wrun_01D')] });
    const page = await store.listRuns({ limit: 2, order: 'asc', workflowName: 'wf//order', status: 'running' });
    expect(queries()[0]).toEqual({
      TableName: 't-runs',
      IndexName: 'byWorkflow',
      FilterExpression: '#status = :status',
      ExpressionAttributeNames: { '#status': 'status' },
      KeyConditionExpression: 'workflowName = :partition',
      ExpressionAttributeValues: { ':status': { S: 'running' }, ':partition': { S: 'wf//order' } },
      ScanIndexForward: true,
      Limit: 100,
    });
    expect(queries()[1]!.ExclusiveStartKey).toEqual({ pk: { S: 'wrun_01B' } });
    expect(page.items.map((r) => r.runId)).toEqual(['wrun_01A', 'wrun_01C']);
    expect(page).toMatchObject({ lastKey: 'wrun_01C', hasMore: true });
  });

  it('reads only the index: one Query page, no head reads', async () => {
    ddb.on(QueryCommand).resolves({ Items: [runItem('wrun_01A'), runItem('wrun_01B')] });
    const page = await store.listRuns({ limit: 5, order: 'asc', workflowName: 'wf//order' });
    expect(page.items.map((r) => r.runId)).toEqual(['wrun_01A', 'wrun_01B']);
    expect(page.lastKey).toBe('wrun_01B');
    expect(ddb.commandCalls(BatchGetItemCommand)).toHaveLength(0);
  });
});

describe('other listings', () => {
  it('listEventsByCorrelationId: the run log filtered (consistent); across runs, the runs found on the correlation index', async () => {
    const e1 = eventToItem(event(3, 'step_created', { correlationId: 'step_1' }), 3);
    const e2 = eventToItem(event(4, 'step_completed', { correlationId: 'step_1' }), 4);
    ddb.on(QueryCommand, { IndexName: 'byCorrelation' }).resolves({ Items: [{ pk: { S: RUN_ID }, sk: { S: 'S#step_1' }, cid: { S: 'step_1' } }] });
    ddb.on(QueryCommand, { TableName: 't-events' }).resolves({ Items: [e1, e2] });
    const across = await store.listEventsByCorrelationId('step_1', undefined, { limit: 1, order: 'asc' });
    expect(across).toEqual({ items: [expect.objectContaining({ eventId: eventId(3) })], lastKey: eventId(3), hasMore: true });
    const within = await store.listEventsByCorrelationId('step_1', RUN_ID, { limit: 10, order: 'asc', after: eventId(3) });
    expect(within.items.map((e) => e.eventId)).toEqual([eventId(4)]);
    const logQuery = {
      TableName: 't-events',
      ConsistentRead: true,
      KeyConditionExpression: 'pk = :runId',
      FilterExpression: 'correlationId = :cid',
      ExpressionAttributeValues: { ':runId': { S: RUN_ID }, ':cid': { S: 'step_1' } },
    };
    expect(queries()).toEqual([
      { TableName: 't-steps', IndexName: 'byCorrelation', KeyConditionExpression: 'cid = :cid', ExpressionAttributeValues: { ':cid': { S: 'step_1' } } },
      logQuery,
      logQuery,
    ]);
  });

  it('listHooks of a run uses byRun; of all runs merges the 8 hook shards', async () => {
    ddb.on(QueryCommand, { IndexName: 'byShard' }).resolves({ Items: [] });
    ddb.on(QueryCommand, { IndexName: 'byRun' }).resolves({ Items: [hookToItem(hook('hook_1', 't'))] });
    ddb.on(QueryCommand, { IndexName: 'byShard', ExpressionAttributeValues: { ':partition': { S: 'H#3' } } }).resolves({
      Items: [hookToItem(hook('hook_2', 't2')), hookToItem(hook('hook_5', 't5'))],
    });
    ddb.on(QueryCommand, { IndexName: 'byShard', ExpressionAttributeValues: { ':partition': { S: 'H#6' } } }).resolves({
      Items: [hookToItem(hook('hook_4', 't4'))],
    });

    const ofRun = await store.listHooks(RUN_ID, { limit: 10, order: 'asc' });
    expect(ofRun.items.map((h) => h.hookId)).toEqual(['hook_1']);
    expect(queries()[0]).toEqual({
      TableName: 't-hooks',
      IndexName: 'byRun',
      KeyConditionExpression: 'runId = :partition',
      ExpressionAttributeValues: { ':partition': { S: RUN_ID } },
      ScanIndexForward: true,
      Limit: 11,
    });

    ddb.resetHistory();
    const all = await store.listHooks(undefined, { limit: 2, order: 'asc' });
    expect(queries()).toHaveLength(8);
    expect(queries()[0]).toMatchObject({ IndexName: 'byShard', ExpressionAttributeNames: { '#shard': 'shard' }, KeyConditionExpression: '#shard = :partition' });
    expect(all.items.map((h) => h.hookId)).toEqual(['hook_2', 'hook_4']);
    expect(all).toMatchObject({ lastKey: 'hook_4', hasMore: true });
  });

  it('listRunChildren: hooks through their markers (consistent), read by key; every wait (consistent, W# prefix); all pages', async () => {
    emptyTail();
    const w1 = wait('wait_1');
    const w2 = wait('wait_2', 'completed');
    const marker = (hookId: string) => ({ pk: { S: RUN_ID }, sk: { S: `K#${hookId}` }, hookId: { S: hookId } });
    ddb
      .on(QueryCommand, { TableName: 't-steps', ExpressionAttributeValues: { ':prefix': { S: 'K#' } } })
      .resolvesOnce({ Items: [marker('hook_1')], LastEvaluatedKey: marker('hook_1') })
      .resolves({ Items: [marker('hook_2'), marker('hook_3')] });
    ddb
      .on(QueryCommand, { TableName: 't-steps', ExpressionAttributeValues: { ':prefix': { S: 'W#' } } })
      .resolvesOnce({ Items: [waitToItem(w1, 3)], LastEvaluatedKey: { pk: { S: RUN_ID }, sk: { S: `W#${w1.waitId}` } } })
      .resolves({ Items: [waitToItem(w2, 4)] });
    // Out of order, hook_2 already deleted, hook_3's id reused by another run's hook.
    ddb.on(BatchGetItemCommand).resolves({
      Responses: { 't-hooks': [hookToItem(hook('hook_3', 't3', 'wrun_other')), hookToItem(hook('hook_1', 't1'))] },
    });

    const children = await store.listRunChildren(RUN_ID);
    expect(children).toEqual({ hooks: [hook('hook_1', 't1')], waits: [w1, w2] });
    const query = (prefix: string, ExclusiveStartKey?: Item) => ({
      TableName: 't-steps',
      ConsistentRead: true,
      KeyConditionExpression: 'pk = :runId AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':runId': { S: RUN_ID }, ':prefix': { S: prefix } },
      ...(ExclusiveStartKey ? { ExclusiveStartKey } : {}),
    });
    expect(listingQueries()).toEqual(
      expect.arrayContaining([query('K#'), query('K#', marker('hook_1')), query('W#'), query('W#', { pk: { S: RUN_ID }, sk: { S: `W#${w1.waitId}` } })]),
    );
    expect(listingQueries()).toHaveLength(4);
    expect(queries().some((q) => q.IndexName !== undefined)).toBe(false);
    expect(ddb.commandCalls(BatchGetItemCommand).map((c) => c.args[0].input)).toEqual([
      { RequestItems: { 't-hooks': { Keys: ['hook_1', 'hook_2', 'hook_3'].map((id) => ({ pk: { S: `H#${id}` } })), ConsistentRead: true } } },
    ]);
  });

  it('listRunChildren: no markers, no BatchGetItem', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    expect(await store.listRunChildren(RUN_ID)).toEqual({ hooks: [], waits: [] });
    expect(listingQueries()).toHaveLength(2);
    expect(ddb.commandCalls(BatchGetItemCommand)).toHaveLength(0);
  });
});

it('run shards are spread over R#0..R#7', () => {
  expect(runShard(RUN_ID)).toMatch(/^R#[0-7]$/);
});
