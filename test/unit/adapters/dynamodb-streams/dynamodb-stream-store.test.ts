// The exact DynamoDB requests of the streams store, against a mocked client.
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  TransactionCanceledException,
  TransactionConflictException,
  TransactWriteItemsCommand,
  type AttributeValue,
  type CancellationReason,
} from '@aws-sdk/client-dynamodb';
import { ThrottleError, WorkflowWorldError } from '@workflow/errors';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbStreamStore, HEAD_SK, MAX_WRITE_ATTEMPTS } from '../../../../src/adapters/aws/dynamodb-streams/index.js';
import { FakeClock } from '../../application/streamer/helpers.js';

const TABLE = 'wf-streams';
const HEAD = String(HEAD_SK);
const ddb = mockClient(DynamoDBClient);

type Item = Record<string, AttributeValue>;
const b = (...values: number[]) => new Uint8Array(values);
const key = (name: string, sk: number | string): Item => ({ pk: { S: name }, sk: { N: String(sk) } });
const chunk = (name: string, index: number, data: Uint8Array): Item => ({ ...key(name, index), d: { B: data } });
const end = (name: string, sk: number, eof: number): Item => ({ ...key(name, sk), end: { N: String(eof) } });
const head = (name: string, eof: number): Item => ({ ...key(name, HEAD), eof: { N: String(eof) }, runId: { S: 'r' } });
const IF_NEW = { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': 'pk' } };

const conditionFailed = (Item?: Item) => new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {}, Item });
const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code): CancellationReason => ({ Code })),
  });

function makeStore() {
  const clock = new FakeClock();
  const store = new DynamoDbStreamStore({ client: new DynamoDBClient({ region: 'us-east-1' }), tableName: TABLE, clock });
  return { store, clock };
}

const LOCATE = {
  TableName: TABLE,
  ConsistentRead: true,
  KeyConditionExpression: '#pk = :pk',
  ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk', '#eof': 'eof', '#end': 'end' },
  ExpressionAttributeValues: { ':pk': { S: 's' } },
  ProjectionExpression: '#sk, #eof, #end',
  ScanIndexForward: false,
  Limit: 1,
};

const putIndexes = () => ddb.commandCalls(PutItemCommand).map((c) => Number(c.args[0].input.Item!.sk!.N));
const transactions = () => ddb.commandCalls(TransactWriteItemsCommand).map((c) => c.args[0].input.TransactItems!.map((a) => a.Put!.Item!));

beforeEach(() => ddb.reset());

describe('DynamoDbStreamStore.append', () => {
  it('finds the end of a stream it has not written, then puts the chunk there with one conditional PutItem', async () => {
    const { store } = makeStore();
    ddb.on(QueryCommand).resolves({ Items: [key('s', 6)] });
    ddb.on(PutItemCommand).resolves({});
    await store.append('s', 'wrun_1', [b(1)]);

    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input).toEqual(LOCATE);
    expect(ddb.commandCalls(PutItemCommand)[0]!.args[0].input).toEqual({
      TableName: TABLE,
      Item: { ...chunk('s', 7, b(1)), w: { S: expect.any(String) } },
      ...IF_NEW,
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });

  it('then appends with one request per call at the end it knows', async () => {
    const { store } = makeStore();
    ddb.on(QueryCommand).resolves({ Items: [key('s', 6)] });
    ddb.on(PutItemCommand).resolves({});
    for (let i = 0; i < 4; i++) await store.append('s', 'r', [b(i)]);
    expect(putIndexes()).toEqual([7, 8, 9, 10]);
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(1);
    const tokens = ddb.commandCalls(PutItemCommand).map((c) => c.args[0].input.Item!.w!.S);
    expect(new Set(tokens).size).toBe(4);
  });

  it('puts runId on chunk 0 for the byRun index, and no data attribute on an empty chunk', async () => {
    const { store } = makeStore();
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb.on(PutItemCommand).resolves({});
    await store.append('s', 'wrun_1', [b()]);
    await store.append('s', 'wrun_1', [b()]);
    const items = ddb.commandCalls(PutItemCommand).map((c) => c.args[0].input.Item);
    expect(items).toEqual([
      { ...key('s', 0), runId: { S: 'wrun_1' }, w: { S: expect.any(String) } },
      { ...key('s', 1), w: { S: expect.any(String) } },
    ]);
  });

  it('writes several chunks as one transaction of conditional Puts, so they land together and in order', async () => {
    const { store } = makeStore();
    ddb.on(QueryCommand).resolves({ Items: [key('s', 1)] });
    ddb.on(TransactWriteItemsCommand).resolves({});
    ddb.on(PutItemCommand).resolves({});
    await store.append('s', 'r', [b(1), b(), b(3)]);
    await store.append('s', 'r', [b(4)]);

    const input = ddb.commandCalls(TransactWriteItemsCommand)[0]!.args[0].input;
    expect(input).toEqual({
      TransactItems: [chunk('s', 2, b(1)), key('s', 3), chunk('s', 4, b(3))].map((Item) => ({ Put: { TableName: TABLE, Item, ...IF_NEW } })),
      ClientRequestToken: expect.any(String),
    });
    expect(putIndexes()).toEqual([5]);
  });

  it('splits a large append into transactions of at most 100 items and 4 MB, sent in order', async () => {
    const { store } = makeStore();
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb.on(TransactWriteItemsCommand).resolves({});
    await store.append('s', 'r', Array.from({ length: 150 }, (_, i) => b(i % 256)));
    await store.append('s', 'r', Array.from({ length: 12 }, () => new Uint8Array(380 * 1024)));
    expect(transactions().map((items) => [Number(items[0]!.sk!.N), items.length])).toEqual([
      [0, 100],
      [100, 50],
      [150, 10],
      [160, 2],
    ]);
  });

  it('after losing its index, races for the next one at once, then looks the end up', async () => {
    const { store } = makeStore();
    ddb.on(QueryCommand).resolvesOnce({ Items: [key('s', 4)] }).resolves({ Items: [key('s', 9)] });
    ddb.on(PutItemCommand).rejectsOnce(conditionFailed(chunk('s', 5, b(9)))).rejectsOnce(conditionFailed()).resolves({});
    await store.append('s', 'r', [b(1)]);
    await store.append('s', 'r', [b(2)]);
    expect(putIndexes()).toEqual([5, 6, 10, 11]);
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(2);
  });

  it('takes a resend of its own put that had landed as written', async () => {
    const { store } = makeStore();
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb
      .on(PutItemCommand)
      // The SDK resent a put whose response was lost: DynamoDB reports the item it wrote the first time.
      .callsFakeOnce((input: { Item: Item }) => Promise.reject(conditionFailed(input.Item)))
      .resolves({});
    await store.append('s', 'r', [b(1)]);
    await store.append('s', 'r', [b(2)]);
    expect(putIndexes()).toEqual([0, 1]);
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(1);
  });

  it('looks the end up, without guessing, when a transaction was writing the index', async () => {
    const { store } = makeStore();
    ddb.on(QueryCommand).resolvesOnce({ Items: [key('s', 0)] }).resolvesOnce({ Items: [key('s', 2)] }).resolves({ Items: [key('s', 3)] });
    ddb.on(PutItemCommand).rejectsOnce(new TransactionConflictException({ message: 'conflict', $metadata: {} })).resolves({});
    ddb.on(TransactWriteItemsCommand).rejectsOnce(cancelled('None', 'TransactionConflict')).resolves({});
    await store.append('s', 'r', [b(1)]);
    await store.append('s', 'r', [b(2), b(3)]);
    expect(putIndexes()).toEqual([1, 3]);
    expect(transactions().map((items) => Number(items[0]!.sk!.N))).toEqual([4, 4]);
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(3);
  });

  it('drops data once the stream is closed, and then sends nothing more for it', async () => {
    const { store } = makeStore();
    ddb.on(QueryCommand).resolves({ Items: [head('s', 2)] });
    await store.append('s', 'r', [b(1)]);
    await store.append('s', 'r', [b(2), b(3)]);
    expect(ddb.calls()).toHaveLength(1);
  });

  it('finds the EOF after a lost race and drops the rest of a large append', async () => {
    const { store } = makeStore();
    ddb.on(QueryCommand).resolvesOnce({ Items: [key('s', 3)] }).resolves({ Items: [end('s', 5, 4)] }); // half of a close is visible
    ddb.on(TransactWriteItemsCommand).rejects(cancelled('ConditionalCheckFailed', 'None'));
    await store.append('s', 'r', Array.from({ length: 150 }, () => b(1)));
    expect(transactions().map((items) => [Number(items[0]!.sk!.N), items.length])).toEqual([
      [4, 100],
      [5, 100],
    ]);
    expect(await store.info('s')).toEqual({ dataCount: 4, done: true });
  });

  it(`gives up with a ThrottleError after ${MAX_WRITE_ATTEMPTS} lost races`, async () => {
    const { store } = makeStore();
    ddb.on(QueryCommand).resolves({ Items: [key('s', 0)] });
    ddb.on(PutItemCommand).rejects(conditionFailed());
    const error = await store.append('s', 'r', [b(1)]).catch((e: unknown) => e);
    expect(ThrottleError.is(error)).toBe(true);
    expect(ddb.commandCalls(PutItemCommand)).toHaveLength(MAX_WRITE_ATTEMPTS);
  });

  it('maps other cancellations: throttled actions to ThrottleError, a validation error to 400, anything else to 503', async () => {
    const { store } = makeStore();
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb
      .on(TransactWriteItemsCommand)
      .rejectsOnce(cancelled('ThrottlingError', 'None'))
      .rejectsOnce(cancelled('ValidationError', 'None'))
      .rejectsOnce(cancelled());
    const errors = [];
    for (let i = 0; i < 3; i++) errors.push(await store.append('s', 'r', [b(1), b(2)]).catch((e: unknown) => e));
    expect(ThrottleError.is(errors[0])).toBe(true);
    expect(errors.slice(1).map((e) => (e as WorkflowWorldError).status)).toEqual([400, 503]);
  });

  it('sends nothing for an empty append', async () => {
    const { store } = makeStore();
    await store.append('s', 'r', []);
    expect(ddb.calls()).toHaveLength(0);
  });
});

describe('DynamoDbStreamStore.close', () => {
  it('puts the end items at the two indexes after the last chunk and the head, in one transaction', async () => {
    const { store, clock } = makeStore();
    clock.advance(99);
    ddb.on(QueryCommand).resolves({ Items: [key('s', 2)] });
    ddb.on(TransactWriteItemsCommand).resolves({});
    await store.close('s', 'wrun_1');
    expect(ddb.commandCalls(TransactWriteItemsCommand)[0]!.args[0].input).toEqual({
      TransactItems: [
        end('s', 3, 3),
        end('s', 4, 3),
        { ...key('s', HEAD), eof: { N: '3' }, runId: { S: 'wrun_1' }, closedAt: { N: '99' } },
      ].map((Item) => ({ Put: { TableName: TABLE, Item, ...IF_NEW } })),
      ClientRequestToken: expect.any(String),
    });
    await store.append('s', 'r', [b(1)]); // this process closed it: nothing to send
    await store.close('s', 'r');
    expect(ddb.calls()).toHaveLength(2);
  });

  it('closes an empty stream at 0', async () => {
    const { store } = makeStore();
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb.on(TransactWriteItemsCommand).resolves({});
    await store.close('s', 'r');
    expect(transactions()[0]!.map((item) => item.sk!.N)).toEqual(['0', '1', HEAD]);
  });

  it('does nothing when the stream is closed already: the first EOF wins', async () => {
    const { store } = makeStore();
    ddb.on(QueryCommand).resolves({ Items: [head('s', 5)] });
    await store.close('s', 'r');
    expect(ddb.commandCalls(TransactWriteItemsCommand)).toHaveLength(0);
  });

  it('after losing the index to a chunk, closes after it', async () => {
    const { store } = makeStore();
    ddb.on(QueryCommand).resolves({ Items: [key('s', 2)] });
    ddb.on(TransactWriteItemsCommand).rejectsOnce(cancelled('ConditionalCheckFailed', 'None', 'None')).resolves({});
    await store.close('s', 'r');
    expect(transactions().map((items) => items[2]!.eof!.N)).toEqual(['3', '4']);
  });

  it('after losing to another close, finds its EOF and stops', async () => {
    const { store } = makeStore();
    ddb.on(QueryCommand).resolvesOnce({ Items: [key('s', 2)] }).resolves({ Items: [head('s', 3)] });
    ddb
      .on(TransactWriteItemsCommand)
      .rejectsOnce(cancelled('ConditionalCheckFailed', 'ConditionalCheckFailed', 'ConditionalCheckFailed'))
      .rejectsOnce(cancelled('ConditionalCheckFailed', 'None', 'ConditionalCheckFailed'));
    await store.close('s', 'r');
    expect(ddb.commandCalls(TransactWriteItemsCommand)).toHaveLength(2);
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(2);
  });
});

describe('DynamoDbStreamStore.read', () => {
  const READ = {
    TableName: TABLE,
    ConsistentRead: true,
    KeyConditionExpression: '#pk = :pk AND #sk >= :from',
    ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
  };

  it('is one consistent Query from the index; the end item after the chunks gives the count and EOF', async () => {
    const { store } = makeStore();
    ddb.on(QueryCommand).resolves({ Items: [chunk('s', 2, b(2)), key('s', 3), end('s', 4, 4)] });
    expect(await store.read('s', 2, 10)).toEqual({
      chunks: [
        { index: 2, data: b(2) },
        { index: 3, data: b() },
      ],
      done: true,
      dataCount: 4,
    });
    expect(ddb.calls()).toHaveLength(1);
    expect(ddb.commandCalls(QueryCommand)[0]!.args[0].input).toEqual({
      ...READ,
      ExpressionAttributeValues: { ':pk': { S: 's' }, ':from': { N: '2' } },
      Limit: 11,
      ExclusiveStartKey: undefined,
    });
  });

  it('past the EOF, finds the head, which sorts after everything', async () => {
    const { store } = makeStore();
    ddb.on(QueryCommand).resolves({ Items: [head('s', 2)] });
    expect(await store.read('s', 9, 10)).toEqual({ chunks: [], done: true, dataCount: 2 });
    expect(ddb.calls()).toHaveLength(1);
  });

  it('reads an open stream to its end, or an unknown one, with the one Query', async () => {
    const { store } = makeStore();
    ddb.on(QueryCommand).resolvesOnce({ Items: [chunk('s', 5, b(5)), chunk('s', 6, b(6))] }).resolves({ Items: [] });
    expect(await store.read('s', 5, 10)).toEqual({ chunks: [{ index: 5, data: b(5) }, { index: 6, data: b(6) }], done: false, dataCount: 7 });
    expect(await store.read('none', 0, 100)).toEqual({ chunks: [], done: false, dataCount: 0 });
    expect(ddb.calls()).toHaveLength(2);
  });

  it('follows LastEvaluatedKey, and looks the end up when the limit stops it before the last item', async () => {
    const { store } = makeStore();
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [chunk('s', 0, b(0))], LastEvaluatedKey: key('s', 0) })
      .resolvesOnce({ Items: [chunk('s', 1, b(1)), chunk('s', 2, b(2))], LastEvaluatedKey: key('s', 2) })
      .resolves({ Items: [head('s', 9)] });
    expect(await store.read('s', 0, 2)).toEqual({ chunks: [{ index: 0, data: b(0) }, { index: 1, data: b(1) }], done: true, dataCount: 9 });
    const queries = ddb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(queries.slice(0, 2).map((q) => [q.Limit, q.ExclusiveStartKey])).toEqual([
      [3, undefined],
      [2, key('s', 0)],
    ]);
    expect(queries[2]).toEqual(LOCATE);
  });

  it('never returns past a missing index (a transaction becoming visible item by item)', async () => {
    const { store } = makeStore();
    ddb.on(QueryCommand).resolvesOnce({ Items: [chunk('s', 0, b(0)), chunk('s', 2, b(2))] }).resolves({ Items: [key('s', 2)] });
    expect(await store.read('s', 0, 10)).toEqual({ chunks: [{ index: 0, data: b(0) }], done: false, dataCount: 3 });
  });
});

describe('DynamoDbStreamStore.info and listByRun', () => {
  it('info is the one Query for the last item', async () => {
    const { store } = makeStore();
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [head('s', 3)] })
      .resolvesOnce({ Items: [end('s', 4, 3)] })
      .resolvesOnce({ Items: [key('s', 4)] })
      .resolves({ Items: [] });
    expect(await store.info('s')).toEqual({ dataCount: 3, done: true });
    expect(await store.info('s')).toEqual({ dataCount: 3, done: true });
    expect(await store.info('s')).toEqual({ dataCount: 5, done: false });
    expect(await store.info('s')).toEqual({ dataCount: 0, done: false });
    expect(ddb.commandCalls(QueryCommand).map((c) => c.args[0].input)).toEqual(Array(4).fill(LOCATE));
  });

  it('listByRun pages through the byRun index and lists each stream once', async () => {
    const { store } = makeStore();
    ddb
      .on(QueryCommand)
      .resolvesOnce({ Items: [{ ...key('a', 0), runId: { S: 'r' } }, { ...key('a', HEAD), runId: { S: 'r' } }], LastEvaluatedKey: { pk: { S: 'a' } } })
      .resolves({ Items: [{ ...key('b', 0), runId: { S: 'r' } }] });
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
    const second = await store.info('s').catch((e: unknown) => e);
    expect(WorkflowWorldError.is(second)).toBe(true);
    expect((second as WorkflowWorldError).status).toBe(503);
  });

  it('maps write failures too', async () => {
    const { store } = makeStore();
    const throttled = Object.assign(new Error('x'), { name: 'ProvisionedThroughputExceededException', $metadata: {} });
    ddb.on(QueryCommand).resolves({ Items: [] });
    ddb.on(PutItemCommand).rejects(throttled);
    ddb.on(TransactWriteItemsCommand).rejects(throttled);
    expect(ThrottleError.is(await store.append('s', 'r', [b(1)]).catch((e: unknown) => e))).toBe(true);
    expect(ThrottleError.is(await store.append('s', 'r', [b(1), b(2)]).catch((e: unknown) => e))).toBe(true);
    expect(ThrottleError.is(await store.close('s', 'r').catch((e: unknown) => e))).toBe(true);
  });
});
