// The exact DynamoDB requests of the streams store, against a mocked client.
import {
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { ThrottleError, WorkflowWorldError } from '@workflow/errors';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbStreamStore, HEAD_SK } from '../../../../src/adapters/aws/dynamodb-streams/index.js';
import { FakeClock } from '../../application/streamer/helpers.js';

const TABLE = 'wf-streams';
const HEAD = String(HEAD_SK);
const ddb = mockClient(DynamoDBClient);

type Item = Record<string, AttributeValue>;
const b = (...values: number[]) => new Uint8Array(values);
const chunk = (name: string, index: number, data: Uint8Array): Item => ({ pk: { S: name }, sk: { N: String(index) }, d: { B: data } });
const head = (name: string, fields: { next?: number; eof?: number; reservedAt?: number }): Item => ({
  pk: { S: name },
  sk: { N: HEAD },
  ...(fields.next !== undefined ? { next: { N: String(fields.next) } } : {}),
  ...(fields.eof !== undefined ? { eof: { N: String(fields.eof) } } : {}),
  ...(fields.reservedAt !== undefined ? { reservedAt: { N: String(fields.reservedAt) } } : {}),
});
const conditionFailed = () => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

function makeStore(clock = new FakeClock()) {
  const store = new DynamoDbStreamStore({
    client: new DynamoDBClient({ region: 'us-east-1' }),
    tableName: TABLE,
    clock,
    gapTimeoutMs: 1000,
    batchRetry: { attempts: 3, baseMs: 10, maxMs: 20 },
  });
  return { store, clock };
}

/** Resolves sleeps as soon as they are requested, for code paths that back off. */
class InstantClock extends FakeClock {
  override sleep(ms: number): Promise<void> {
    this.requested.push(ms);
    this.advance(ms);
    return Promise.resolve();
  }
}

beforeEach(() => ddb.reset());

describe('DynamoDbStreamStore.append', () => {
  it('reserves the range on the head with an atomic ADD, then writes the chunks at those indexes', async () => {
    const { store, clock } = makeStore();
    clock.advance(1234);
    ddb.on(UpdateItemCommand).resolves({ Attributes: { next: { N: '7' } } });
    ddb.on(BatchWriteItemCommand).resolves({});
    await store.append('s', 'wrun_1', [b(1), b(), b(3)]);

    expect(ddb.commandCalls(UpdateItemCommand)[0]!.args[0].input).toEqual({
      TableName: TABLE,
      Key: { pk: { S: 's' }, sk: { N: HEAD } },
      UpdateExpression: 'SET #runId = if_not_exists(#runId, :runId), #reservedAt = :now ADD #next :count',
      ConditionExpression: 'attribute_not_exists(#eof)',
      ExpressionAttributeNames: { '#runId': 'runId', '#reservedAt': 'reservedAt', '#next': 'next', '#eof': 'eof' },
      ExpressionAttributeValues: { ':runId': { S: 'wrun_1' }, ':now': { N: '1234' }, ':count': { N: '3' } },
      ReturnValues: 'UPDATED_NEW',
    });
    expect(ddb.commandCalls(BatchWriteItemCommand)[0]!.args[0].input).toEqual({
      RequestItems: {
        [TABLE]: [
          { PutRequest: { Item: chunk('s', 4, b(1)) } },
          // An empty chunk is stored without a data attribute.
          { PutRequest: { Item: { pk: { S: 's' }, sk: { N: '5' } } } },
          { PutRequest: { Item: chunk('s', 6, b(3)) } },
        ],
      },
    });
  });

  it('splits chunk writes into BatchWriteItem requests of 25', async () => {
    const { store } = makeStore();
    ddb.on(UpdateItemCommand).resolves({ Attributes: { next: { N: '30' } } });
    ddb.on(BatchWriteItemCommand).resolves({});
    await store.append('s', 'r', Array.from({ length: 30 }, (_, i) => b(i)));
    const sizes = ddb.commandCalls(BatchWriteItemCommand).map((c) => c.args[0].input.RequestItems![TABLE]!.length);
    expect(sizes.sort((x, y) => y - x)).toEqual([25, 5]);
  });

  it('re-sends unprocessed items, and only those', async () => {
    const { store } = makeStore(new InstantClock());
    ddb.on(UpdateItemCommand).resolves({ Attributes: { next: { N: '2' } } });
    ddb
      .on(BatchWriteItemCommand)
      .resolvesOnce({ UnprocessedItems: { [TABLE]: [{ PutRequest: { Item: chunk('s', 1, b(2)) } }] } })
      .resolves({});
    await store.append('s', 'r', [b(1), b(2)]);
    const calls = ddb.commandCalls(BatchWriteItemCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.args[0].input.RequestItems).toEqual({ [TABLE]: [{ PutRequest: { Item: chunk('s', 1, b(2)) } }] });
  });

  it('raises a ThrottleError when items stay unprocessed', async () => {
    const { store } = makeStore(new InstantClock());
    ddb.on(UpdateItemCommand).resolves({ Attributes: { next: { N: '1' } } });
    ddb.on(BatchWriteItemCommand).resolves({ UnprocessedItems: { [TABLE]: [{ PutRequest: { Item: chunk('s', 0, b(1)) } }] } });
    const error = await store.append('s', 'r', [b(1)]).catch((e: unknown) => e);
    expect(ThrottleError.is(error)).toBe(true);
    expect(ddb.commandCalls(BatchWriteItemCommand)).toHaveLength(3);
  });

  it('drops data once the stream is closed (the reservation is refused)', async () => {
    const { store } = makeStore();
    ddb.on(UpdateItemCommand).rejects(conditionFailed());
    await store.append('s', 'r', [b(1)]);
    expect(ddb.commandCalls(BatchWriteItemCommand)).toHaveLength(0);
  });

  it('sends nothing for an empty append', async () => {
    const { store } = makeStore();
    await store.append('s', 'r', []);
    expect(ddb.calls()).toHaveLength(0);
  });
});

describe('DynamoDbStreamStore.close', () => {
  it('copies the reserved count into eof, only if no EOF exists yet', async () => {
    const { store, clock } = makeStore();
    clock.advance(99);
    ddb.on(UpdateItemCommand).resolves({});
    await store.close('s', 'wrun_1');
    expect(ddb.commandCalls(UpdateItemCommand)[0]!.args[0].input).toEqual({
      TableName: TABLE,
      Key: { pk: { S: 's' }, sk: { N: HEAD } },
      UpdateExpression: 'SET #eof = if_not_exists(#next, :zero), #runId = if_not_exists(#runId, :runId), #closedAt = :now',
      ConditionExpression: 'attribute_not_exists(#eof)',
      ExpressionAttributeNames: { '#eof': 'eof', '#next': 'next', '#runId': 'runId', '#closedAt': 'closedAt' },
      ExpressionAttributeValues: { ':zero': { N: '0' }, ':runId': { S: 'wrun_1' }, ':now': { N: '99' } },
    });
  });

  it('treats a second close as done (the first EOF wins)', async () => {
    const { store } = makeStore();
    ddb.on(UpdateItemCommand).rejects(conditionFailed());
    await expect(store.close('s', 'r')).resolves.toBeUndefined();
  });
});

describe('DynamoDbStreamStore.read', () => {
  it('is one consistent Query from the index; the head at the end gives count and EOF', async () => {
    const { store } = makeStore();
    ddb.on(QueryCommand).resolves({ Items: [chunk('s', 2, b(2)), chunk('s', 3, b(3)), head('s', { next: 4, eof: 4 })] });
    expect(await store.read('s', 2, 10)).toEqual({
      chunks: [
        { index: 2, data: b(2) },
        { index: 3, data: b(3) },
      ],
      done: true,
      dataCount: 4,
    });
    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input).toEqual({
      TableName: TABLE,
      KeyConditionExpression: '#pk = :pk AND #sk >= :from',
      ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
      ExpressionAttributeValues: { ':pk': { S: 's' }, ':from': { N: '2' } },
      ConsistentRead: true,
      Limit: 11,
      ExclusiveStartKey: undefined,
    });
    expect(ddb.commandCalls(GetItemCommand)).toHaveLength(0);
  });

  it('reads an unknown stream with the one Query and no head lookup', async () => {
    const { store } = makeStore();
    ddb.on(QueryCommand).resolves({ Items: [] });
    expect(await store.read('none', 0, 100)).toEqual({ chunks: [], done: false, dataCount: 0 });
    expect(ddb.calls()).toHaveLength(1);
  });

  it('follows LastEvaluatedKey and fetches the head when the page limit stops the query first', async () => {
    const { store } = makeStore();
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [chunk('s', 0, b(0))], LastEvaluatedKey: { pk: { S: 's' }, sk: { N: '0' } } })
      .resolves({ Items: [chunk('s', 1, b(1)), chunk('s', 2, b(2))], LastEvaluatedKey: { pk: { S: 's' }, sk: { N: '2' } } });
    ddb.on(GetItemCommand).resolves({ Item: head('s', { next: 9 }) });
    const page = await store.read('s', 0, 2);
    expect(page).toEqual({ chunks: [{ index: 0, data: b(0) }, { index: 1, data: b(1) }], done: false, dataCount: 9 });
    const queries = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(queries.map((q) => [q.Limit, q.ExclusiveStartKey])).toEqual([
      [3, undefined],
      [2, { pk: { S: 's' }, sk: { N: '0' } }],
    ]);
    expect(ddb.commandCalls(GetItemCommand)[0]!.args[0].input).toMatchObject({
      TableName: TABLE,
      Key: { pk: { S: 's' }, sk: { N: HEAD } },
      ConsistentRead: true,
    });
  });

  it('stops before a reserved index that is not written yet, and waits for it', async () => {
    const { store, clock } = makeStore();
    clock.advance(10_000);
    ddb.on(QueryCommand).resolves({ Items: [chunk('s', 0, b(0)), chunk('s', 2, b(2)), head('s', { next: 3, reservedAt: 10_000 })] });
    ddb.on(GetItemCommand).resolves({ Item: head('s', { next: 3, reservedAt: 10_000 }) });
    expect(await store.read('s', 0, 10)).toEqual({ chunks: [{ index: 0, data: b(0) }], done: false, dataCount: 3 });
    clock.advance(999);
    expect((await store.read('s', 0, 10)).chunks).toHaveLength(1);
    expect(ddb.commandCalls(PutItemCommand)).toHaveLength(0);
  });

  it('records a reserved index as a gap once it is older than the timeout, then reads past it', async () => {
    const { store, clock } = makeStore();
    clock.advance(10_000);
    const before = { Items: [chunk('s', 0, b(0)), head('s', { next: 2, reservedAt: 10_000 })] };
    const after = { Items: [{ pk: { S: 's' }, sk: { N: '1' }, gap: { BOOL: true } }, head('s', { next: 2, reservedAt: 10_000 })] };
    ddb.on(QueryCommand).resolvesOnce(before).resolvesOnce(before).resolves(after);
    ddb.on(PutItemCommand).resolves({});
    await store.read('s', 0, 10); // first sight of the gap
    clock.advance(1000);
    expect(await store.read('s', 0, 10)).toEqual({
      chunks: [
        { index: 0, data: b(0) },
        { index: 1, data: b() },
      ],
      done: false,
      dataCount: 2,
    });
    expect(ddb.commandCalls(PutItemCommand)[0]!.args[0].input).toEqual({
      TableName: TABLE,
      Item: { pk: { S: 's' }, sk: { N: '1' }, gap: { BOOL: true } },
      ConditionExpression: 'attribute_not_exists(#sk)',
      ExpressionAttributeNames: { '#sk': 'sk' },
    });
    expect(ddb.commandCalls(QueryCommand)[2]!.args[0].input.ExpressionAttributeValues![':from']).toEqual({ N: '1' });
  });

  it('records the gap at once when the newest reservation is already older than the timeout', async () => {
    const { store, clock } = makeStore();
    clock.advance(50_000);
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [head('s', { next: 1, eof: 1, reservedAt: 1_000 })] })
      .resolves({ Items: [{ pk: { S: 's' }, sk: { N: '0' }, gap: { BOOL: true } }, head('s', { next: 1, eof: 1 })] });
    ddb.on(PutItemCommand).rejects(conditionFailed()); // another reader recorded it first: fine
    expect(await store.read('s', 0, 10)).toEqual({ chunks: [{ index: 0, data: b() }], done: true, dataCount: 1 });
  });
});

describe('DynamoDbStreamStore.info and listByRun', () => {
  it('info is one consistent GetItem of the head', async () => {
    const { store } = makeStore();
    ddb.on(GetItemCommand).resolvesOnce({ Item: head('s', { next: 5, eof: 3 }) }).resolvesOnce({ Item: head('s', { next: 5 }) }).resolves({});
    expect(await store.info('s')).toEqual({ dataCount: 3, done: true });
    expect(await store.info('s')).toEqual({ dataCount: 5, done: false });
    expect(await store.info('s')).toEqual({ dataCount: 0, done: false });
    expect(ddb.commandCalls(GetItemCommand)[0]!.args[0].input).toEqual({
      TableName: TABLE,
      Key: { pk: { S: 's' }, sk: { N: HEAD } },
      ConsistentRead: true,
      ProjectionExpression: '#next, #eof',
      ExpressionAttributeNames: { '#next': 'next', '#eof': 'eof' },
    });
  });

  it('listByRun pages through the byRun index', async () => {
    const { store } = makeStore();
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [{ pk: { S: 'a' }, sk: { N: HEAD }, runId: { S: 'r' } }], LastEvaluatedKey: { pk: { S: 'a' } } })
      .resolves({ Items: [{ pk: { S: 'b' }, sk: { N: HEAD }, runId: { S: 'r' } }] });
    expect(await store.listByRun('r')).toEqual(['a', 'b']);
    const inputs = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(inputs[0]).toEqual({
      TableName: TABLE,
      IndexName: 'byRun',
      KeyConditionExpression: '#runId = :runId',
      ExpressionAttributeNames: { '#runId': 'runId' },
      ExpressionAttributeValues: { ':runId': { S: 'r' } },
      ExclusiveStartKey: undefined,
    });
    expect(inputs[1]!.ExclusiveStartKey).toEqual({ pk: { S: 'a' } });
  });
});

describe('DynamoDbStreamStore errors', () => {
  it('maps throttling to ThrottleError and server faults to a retryable 503', async () => {
    const { store } = makeStore();
    const throttling = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    const fault = Object.assign(new Error('boom'), { name: 'InternalServerError', $fault: 'server', $metadata: { httpStatusCode: 500 } });
    ddb.on(QueryCommand).rejectsOnce(throttling).rejects(fault);
    const first = await store.read('s', 0, 1).catch((e: unknown) => e);
    expect(ThrottleError.is(first)).toBe(true);
    const second = await store.read('s', 0, 1).catch((e: unknown) => e);
    expect(WorkflowWorldError.is(second)).toBe(true);
    expect((second as WorkflowWorldError).status).toBe(503);
  });

  it('maps write failures too', async () => {
    const { store } = makeStore();
    ddb.on(UpdateItemCommand).rejects(Object.assign(new Error('x'), { name: 'ProvisionedThroughputExceededException', $metadata: {} }));
    expect(ThrottleError.is(await store.append('s', 'r', [b(1)]).catch((e: unknown) => e))).toBe(true);
    expect(ThrottleError.is(await store.close('s', 'r').catch((e: unknown) => e))).toBe(true);
  });
});
