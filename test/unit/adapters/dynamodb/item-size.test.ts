// DynamoDB's item size rules: the claim check routes payloads by them (not by
// JSON length), and the store refuses, before sending anything, a commit
// DynamoDB would reject (400 KB per item, 4 MB per transaction).
import { DynamoDBClient, PutItemCommand, QueryCommand, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { WorkflowWorldError } from '@workflow/errors';
import { mockClient } from 'aws-sdk-client-mock';
import { encodeValue } from '../../../../src/adapters/aws/dynamodb/attribute-codec.js';
import { recordOf } from '../../../../src/adapters/aws/dynamodb/commit-record.js';
import { planCommit } from '../../../../src/adapters/aws/dynamodb/commit-transaction.js';
import { DynamoDbEventStore } from '../../../../src/adapters/aws/dynamodb/dynamodb-event-store.js';
import { assertWritable, attributeSize, itemSize, MAX_ITEM_BYTES } from '../../../../src/adapters/aws/dynamodb/item-size.js';
import { MemoryBlobStore } from '../../../../src/adapters/memory/memory-blob-store.js';
import { PayloadClaimCheck } from '../../../../src/application/storage/claim-check.js';
import { BlobPointer, isBlobPointer } from '../../../../src/domain/model.js';
import { dynamoDbSize, encodedSize } from '../../../../src/domain/payload-routing.js';
import { commit, event, eventId, hook, record, RUN_ID, run, step, TABLES } from './fixtures.js';

const KB = 1024;

describe('item size rules', () => {
  it('count names and values as AWS documents them', () => {
    expect(attributeSize({ S: 'héllo' })).toBe(6);
    expect(attributeSize({ N: '12345' })).toBe(4); // ⌈5 / 2⌉ + 1
    expect(attributeSize({ N: '-0.0012300' })).toBe(4); // 3 significant digits, plus the sign
    expect(attributeSize({ B: new Uint8Array(10) })).toBe(10);
    expect(attributeSize({ BOOL: true })).toBe(1);
    expect(attributeSize({ NULL: true })).toBe(1);
    expect(attributeSize({ L: [{ S: 'ab' }, { N: '1' }] })).toBe(3 + (2 + 1) + (2 + 1));
    expect(attributeSize({ M: { ab: { S: 'xyz' } } })).toBe(3 + 2 + 3 + 1);
    expect(itemSize({ pk: { S: 'run_1' }, n: { N: '7' } })).toBe(2 + 5 + 1 + 2);
  });

  it.each([
    ['a string', 'x'.repeat(1000)],
    ['bytes', new Uint8Array(777)],
    ['numbers', [1, 22, 333, -4.5, 0, 1e21, -0, Number.NaN]],
    ['a nested map', { a: { b: [true, null, 'c'] }, '': 1, $t: 'escaped', und: undefined }],
    ['a pointer and a date', { p: new BlobPointer('payloads/r/s/output.json', 123_456), d: new Date(0) }],
    ['an array with a hole', [1, undefined, 3]],
    ['deep JSON', JSON.parse('['.repeat(40) + ']'.repeat(40))],
  ])('the claim check sizes %s exactly as its DynamoDB attribute (or above)', (_, value) => {
    const stored = attributeSize(encodeValue(value));
    expect(dynamoDbSize(value)).toBeGreaterThanOrEqual(stored);
    expect(dynamoDbSize(value)).toBeLessThanOrEqual(stored + 8);
  });

  it('JSON length understates lists of small numbers by half: DynamoDB size is what counts', () => {
    const numbers = Array.from({ length: 100_000 }, () => 7);
    expect(encodedSize(numbers)).toBeLessThan(210 * KB);
    expect(dynamoDbSize(numbers)).toBeGreaterThan(290 * KB);
    expect(dynamoDbSize(numbers)).toBe(attributeSize(encodeValue(numbers)));
  });
});

describe('routing by item size (maxInlinePayloadBytes = 350 KB)', () => {
  const claimCheck = new PayloadClaimCheck({ blobs: new MemoryBlobStore(), keyPrefix: 'payloads/', maxInlineBytes: 350 * KB });

  async function stepCompletedItemSize(result: unknown): Promise<{ bytes: number; offloaded: boolean }> {
    const done = { ...step('step_1', 'completed'), output: result };
    const c = commit({
      expectRun: { kind: 'version', version: 4 },
      run: record(run('running'), 5, eventId(5)),
      events: [event(5, 'step_completed', { correlationId: 'step_1', eventData: { result } })],
      putSteps: [done],
    });
    const { commit: prepared } = await claimCheck.prepare(c);
    const plan = planCommit(prepared, recordOf(prepared, 4), TABLES);
    const data = (prepared.events[0] as { eventData: { result: unknown } }).eventData;
    return { bytes: itemSize(plan.single!.Item!), offloaded: isBlobPointer(data.result) };
  }

  it('a 330 KB value stays inline, stored once: the event item is under the 400 KB limit', async () => {
    const { bytes, offloaded } = await stepCompletedItemSize('v'.repeat(330 * KB));
    expect(offloaded).toBe(false);
    expect(bytes).toBeGreaterThan(330 * KB);
    expect(bytes).toBeLessThan(MAX_ITEM_BYTES);
  });

  it('a value whose JSON is 200 KB but whose DynamoDB size is 390 KB goes to S3', async () => {
    const numbers = Array.from({ length: 130_000 }, () => 7);
    expect(encodedSize(numbers)).toBeLessThan(350 * KB);
    const { bytes, offloaded } = await stepCompletedItemSize(numbers);
    expect(offloaded).toBe(true);
    expect(bytes).toBeLessThan(2 * KB);
  });
});

describe('the oversize guard', () => {
  const ddb = mockClient(DynamoDBClient);
  const store = new DynamoDbEventStore(new DynamoDBClient({ region: 'us-east-1' }), TABLES);
  beforeEach(() => {
    ddb.reset();
    ddb.on(QueryCommand).resolves({ Items: [] });
  });

  it('refuses an event item over 400 KB with a 413 naming it, and sends nothing', async () => {
    const big = 'x'.repeat(401 * KB);
    const c = commit({
      expectRun: { kind: 'version', version: 4 },
      run: record(run('running'), 5, eventId(5)),
      events: [event(5, 'hook_received', { correlationId: 'hook_1', eventData: { payload: big } })],
    });
    const error = await store.commit(c).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowWorldError);
    expect(error).toMatchObject({ status: 413, code: 'ITEM_TOO_LARGE' });
    expect((error as Error).message).toMatch(/^event hook_received would be \d+ bytes; a DynamoDB item holds at most 409600\. Lower maxInlinePayloadBytes/);
    expect(ddb.commandCalls(PutItemCommand)).toHaveLength(0);
  });

  it('refuses a transaction over 4 MB with a 413, and sends nothing', async () => {
    const hooks = Array.from({ length: 11 }, (_, i) => ({ ...hook(`hook_${i}`, `tok-${i}`), metadata: 'm'.repeat(390 * KB) }));
    const c = commit({
      expectRun: { kind: 'version', version: 4 },
      run: record(run('running'), 5, eventId(5)),
      events: [event(5, 'hook_created', { correlationId: 'hook_0' })],
      putHooks: hooks,
      tokenClaims: hooks.map((h) => ({ token: h.token, hookId: h.hookId, runId: RUN_ID, expect: { kind: 'absent' as const } })),
    });
    await expect(store.commit(c)).rejects.toMatchObject({ name: 'WorkflowWorldError', status: 413, code: 'COMMIT_TOO_LARGE' });
    expect(ddb.commandCalls(TransactWriteItemsCommand)).toHaveLength(0);
  });

  it('lets items right at the limit through', () => {
    expect(() => assertWritable([{ what: 'x', item: { pk: { S: 'p' }, v: { S: 'y'.repeat(MAX_ITEM_BYTES - 4) } } }], false)).not.toThrow();
    expect(() => assertWritable([{ what: 'x', item: { pk: { S: 'p' }, v: { S: 'y'.repeat(MAX_ITEM_BYTES - 3) } } }], false)).toThrow(/409601 bytes/);
  });
});
