// A run's log through the held prefix: one strongly consistent Query of the
// items after the last held sequence number, pages served from the prefix,
// own commits extending it.
import { ConditionalCheckFailedException, DynamoDBClient, PutItemCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbEventStore } from '../../../../src/adapters/aws/dynamodb/dynamodb-event-store.js';
import { eventToItem, type Item } from '../../../../src/adapters/aws/dynamodb/item-mappers.js';
import { RunLogCache } from '../../../../src/domain/run-log-cache.js';
import { CommitConflict } from '../../../../src/ports/event-store.js';
import { commit, event, eventId, record, RUN_ID, run, TABLES } from './fixtures.js';

const ddb = mockClient(DynamoDBClient);
const seq = (n: number) => String(n).padStart(12, '0');
const queries = (): QueryCommandInput[] => ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
/** The run's n-th event item, closing its own commit (version n). */
const item = (n: number, extra: Item = {}): Item => ({
  ...eventToItem(event(n, 'step_completed', { correlationId: `step_${n}`, eventData: { result: new Uint8Array([n]) } }), n),
  v: { N: String(n) },
  p: { N: '0' },
  ...extra,
});
const items = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => item(from + i));
const tailQuery = (after: number, start?: Item): QueryCommandInput => ({
  TableName: 't-events',
  KeyConditionExpression: 'pk = :runId AND sk > :after',
  ExpressionAttributeValues: { ':runId': { S: RUN_ID }, ':after': { S: seq(after) } },
  ConsistentRead: true,
  ...(start ? { ExclusiveStartKey: start } : {}),
});
const eventIds = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => eventId(from + i));

let now = Date.UTC(2025, 0, 1);
const newStore = (logs = new RunLogCache(() => now)) => new DynamoDbEventStore(new DynamoDBClient({ region: 'us-east-1' }), TABLES, { logs, clock: { now: () => now, sleep: async () => {} } });

beforeEach(() => {
  ddb.reset();
  now = Date.UTC(2025, 0, 1);
});

describe('readLog', () => {
  it('with nothing held: one consistent Query of every item after sequence 0 (all pages); the version is the newest commit’s', async () => {
    const store = newStore();
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: items(1, 2), LastEvaluatedKey: { pk: { S: RUN_ID }, sk: { S: seq(2) } } })
      .resolves({ Items: items(3, 3) });
    const log = await store.readLog(RUN_ID);
    expect(queries()).toEqual([tailQuery(0), tailQuery(0, { pk: { S: RUN_ID }, sk: { S: seq(2) } })]);
    expect(log!.events.map((e) => e.eventId)).toEqual(eventIds(1, 3));
    expect(log).toMatchObject({ lastKey: seq(3), version: 3 });
    expect(log!.events[0]!.createdAt).toBeInstanceOf(Date);
  });

  it('with a prefix held: one Query of the items after it, merged in order', async () => {
    const store = newStore();
    ddb.on(QueryCommand).resolvesOnce({ Items: items(1, 3) }).resolves({ Items: items(4, 5) });
    await store.readLog(RUN_ID);
    const log = await store.readLog(RUN_ID);
    expect(queries()).toEqual([tailQuery(0), tailQuery(3)]);
    expect(log!.events.map((e) => e.eventId)).toEqual(eventIds(1, 5));
    expect(log).toMatchObject({ lastKey: seq(5), version: 5 });
  });

  it('an empty tail answers from the prefix, with its version (the read still happens: it is what makes the answer current)', async () => {
    const store = newStore();
    ddb.on(QueryCommand).resolvesOnce({ Items: items(1, 2) }).resolves({ Items: [] });
    await store.readLog(RUN_ID);
    const log = await store.readLog(RUN_ID);
    expect(queries()).toEqual([tailQuery(0), tailQuery(2)]);
    expect(log).toMatchObject({ lastKey: seq(2), version: 2 });
    expect(log!.events).toHaveLength(2);
  });

  it('a run without events is undefined', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    expect(await newStore().readLog(RUN_ID)).toBeUndefined();
  });

  it('holds nothing of a log with items missing below its tail (TTL deletes item by item)', async () => {
    const store = newStore();
    ddb.on(QueryCommand).resolves({ Items: items(3, 4) });
    const log = await store.readLog(RUN_ID);
    expect(log!.events.map((e) => e.eventId)).toEqual(eventIds(3, 4));
    await store.readLog(RUN_ID);
    expect(queries()).toEqual([tailQuery(0), tailQuery(0)]);
  });

  it('drops the prefix when its first item expires, and reads the log again', async () => {
    const store = newStore();
    const expiring = [item(1), item(2, { expiresAt: { N: String(now / 1000 + 60) } })];
    ddb.on(QueryCommand).resolvesOnce({ Items: expiring }).resolves({ Items: [] });
    await store.readLog(RUN_ID);
    await store.readLog(RUN_ID);
    now += 60_000;
    await store.readLog(RUN_ID);
    expect(queries()).toEqual([tailQuery(0), tailQuery(2), tailQuery(0)]);
  });

  it('hands out copies: changing an answer does not change what is held', async () => {
    const store = newStore();
    ddb.on(QueryCommand).resolvesOnce({ Items: items(1, 1) }).resolves({ Items: [] });
    const first = await store.readLog(RUN_ID);
    (first!.events[0] as { eventData: Record<string, unknown> }).eventData.result = 'changed';
    first!.events.push(first!.events[0]!);
    const second = await store.readLog(RUN_ID);
    expect(second!.events).toHaveLength(1);
    expect((second!.events[0] as { eventData: { result: unknown } }).eventData.result).toEqual(new Uint8Array([1]));
  });

  it('stores of one installation share what they hold', async () => {
    const logs = new RunLogCache(() => now);
    ddb.on(QueryCommand).resolvesOnce({ Items: items(1, 4) }).resolves({ Items: [] });
    await newStore(logs).readLog(RUN_ID);
    await newStore(logs).readLog(RUN_ID);
    expect(queries()).toEqual([tailQuery(0), tailQuery(4)]);
  });
});

describe('own commits extend the held prefix', () => {
  const created = commit({
    expectRun: { kind: 'absent' },
    run: record(run('pending'), 1, eventId(1)),
    runChanged: true,
    events: [event(1, 'run_created', { eventData: { deploymentId: 'dpl_1', workflowName: 'wf//order', input: new Uint8Array([1]) } })],
  });
  const started = commit({
    expectRun: { kind: 'version', version: 1 },
    run: record(run('running'), 2, eventId(2)),
    runChanged: true,
    events: [event(2, 'run_started')],
  });

  it('the tail read starts after the events this process committed', async () => {
    const store = newStore();
    ddb.on(PutItemCommand).resolves({});
    ddb.on(QueryCommand).resolves({ Items: [] });
    await store.commit(created);
    await store.commit(started);
    const log = await store.readLog(RUN_ID);
    expect(queries()).toEqual([tailQuery(2)]);
    expect(log!.events.map((e) => e.eventType)).toEqual(['run_created', 'run_started']);
    expect(log).toMatchObject({ version: 2, lastKey: seq(2) });
    expect((log!.events[0] as { eventData: { input: unknown } }).eventData.input).toEqual(new Uint8Array([1]));
  });

  it('a lost commit adds nothing', async () => {
    const store = newStore();
    ddb.on(PutItemCommand).rejects(new ConditionalCheckFailedException({ message: 'taken', $metadata: {} }));
    ddb.on(QueryCommand).resolves({ Items: [] });
    await expect(store.commit(created)).rejects.toBeInstanceOf(CommitConflict);
    expect(await store.readLog(RUN_ID)).toBeUndefined();
    expect(queries()).toEqual([tailQuery(0)]);
  });

  it('a commit after a gap in what is held (another process appended in between) adds nothing until the tail is read', async () => {
    const store = newStore();
    ddb.on(PutItemCommand).resolves({});
    ddb.on(QueryCommand).resolves({ Items: [] });
    await store.commit(started);
    await store.readLog(RUN_ID);
    // (The commit's own Query reads the newest item's `p`, as for any run this process has not read.)
    expect(queries().filter((q) => q.KeyConditionExpression!.includes(':after'))).toEqual([tailQuery(0)]);
  });
});

describe('heldLog: the prefix alone, with no read', () => {
  it('is the log up to this process’s own last commit, as readLog would give it', async () => {
    const store = newStore();
    ddb.on(PutItemCommand).resolves({});
    expect(store.heldLog(RUN_ID)).toBeUndefined();
    await store.commit(commit({ expectRun: { kind: 'absent' }, run: record(run('pending'), 1, eventId(1)), runChanged: true, events: [event(1, 'run_created', { eventData: { deploymentId: 'dpl_1', workflowName: 'wf//order', input: new Uint8Array([1]) } })] }));
    await store.commit(commit({ expectRun: { kind: 'version', version: 1 }, run: record(run('running'), 2, eventId(2)), runChanged: true, events: [event(2, 'run_started')] }));
    ddb.resetHistory();
    const held = store.heldLog(RUN_ID)!;
    expect(ddb.calls()).toHaveLength(0);
    expect(held.events.map((e) => e.eventType)).toEqual(['run_created', 'run_started']);
    expect(held).toMatchObject({ version: 2, lastKey: seq(2) });
    // A copy: changing it does not change what is held.
    (held.events[0] as { eventData: { input: unknown } }).eventData.input = 'changed';
    expect((store.heldLog(RUN_ID)!.events[0] as { eventData: { input: unknown } }).eventData.input).toEqual(new Uint8Array([1]));
  });

  it('ends where the prefix ends, behind appends this process has not read', async () => {
    const store = newStore();
    ddb.on(QueryCommand).resolves({ Items: items(1, 3) });
    await store.readLog(RUN_ID);
    expect(store.heldLog(RUN_ID)).toMatchObject({ version: 3, lastKey: seq(3) });
  });
});

describe('listEvents through the held prefix', () => {
  it('asc from the start reads the whole log once; the next pages inside the prefix need no read; the last one reads the tail', async () => {
    const store = newStore();
    ddb.on(QueryCommand).resolvesOnce({ Items: items(1, 5) }).resolves({ Items: [] });
    const first = await store.listEvents(RUN_ID, { limit: 2, order: 'asc' });
    expect(first).toMatchObject({ lastKey: seq(2), hasMore: true });
    expect(first.items.map((e) => e.eventId)).toEqual(eventIds(1, 2));
    const second = await store.listEvents(RUN_ID, { limit: 2, order: 'asc', after: first.lastKey! });
    expect(second).toMatchObject({ lastKey: seq(4), hasMore: true });
    expect(queries()).toEqual([tailQuery(0)]);
    const last = await store.listEvents(RUN_ID, { limit: 2, order: 'asc', after: second.lastKey! });
    expect(last.items.map((e) => e.eventId)).toEqual(eventIds(5, 5));
    expect(last).toMatchObject({ lastKey: seq(5), hasMore: false });
    expect(queries()).toEqual([tailQuery(0), tailQuery(5)]);
  });

  it('sees another process’s appends: they come with the tail read', async () => {
    const store = newStore();
    ddb.on(QueryCommand).resolvesOnce({ Items: items(1, 2) }).resolves({ Items: items(3, 3) });
    await store.listEvents(RUN_ID, { limit: 10, order: 'asc' });
    const page = await store.listEvents(RUN_ID, { limit: 10, order: 'asc', after: seq(2) });
    expect(page.items.map((e) => e.eventId)).toEqual([eventId(3)]);
    expect(page).toMatchObject({ lastKey: seq(3), hasMore: false });
  });

  it('a cursor past the end is an empty page with a null cursor', async () => {
    const store = newStore();
    ddb.on(QueryCommand).resolves({ Items: items(1, 2) });
    await store.listEvents(RUN_ID, { limit: 10, order: 'asc' });
    ddb.on(QueryCommand).resolves({ Items: [] });
    expect(await store.listEvents(RUN_ID, { limit: 10, order: 'asc', after: seq(2) })).toEqual({ items: [], lastKey: null, hasMore: false });
  });

  it('an empty log is an empty page with a null cursor', async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });
    expect(await newStore().listEvents(RUN_ID, { limit: 10, order: 'asc' })).toEqual({ items: [], lastKey: null, hasMore: false });
  });

  it('desc from the newest reads the tail; desc after a cursor inside the prefix reads nothing', async () => {
    const store = newStore();
    ddb.on(QueryCommand).resolvesOnce({ Items: items(1, 4) }).resolves({ Items: items(5, 5) });
    await store.readLog(RUN_ID);
    const newest = await store.listEvents(RUN_ID, { limit: 2, order: 'desc' });
    expect(newest.items.map((e) => e.eventId)).toEqual([eventId(5), eventId(4)]);
    expect(newest).toMatchObject({ lastKey: seq(4), hasMore: true });
    const older = await store.listEvents(RUN_ID, { limit: 5, order: 'desc', after: newest.lastKey! });
    expect(older.items.map((e) => e.eventId)).toEqual([eventId(3), eventId(2), eventId(1)]);
    expect(older).toMatchObject({ lastKey: seq(1), hasMore: false });
    expect(queries()).toEqual([tailQuery(0), tailQuery(4)]);
    expect(await store.listEvents(RUN_ID, { limit: 5, order: 'desc', after: seq(1) })).toEqual({ items: [], lastKey: null, hasMore: false });
  });
});
