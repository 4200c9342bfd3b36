// A createBatch chunk on DynamoDB: the joined commit is one TransactWriteItems
// of its event items at consecutive sequence numbers (= slots), each put only
// if its position is free; the last carries the commit record. A lost race
// is a CommitConflict on the run (the committer reads again and re-decides).
import { DynamoDBClient, PutItemCommand, QueryCommand, TransactWriteItemsCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbEventStore } from '../../../src/adapters/aws/dynamodb/dynamodb-event-store.js';
import { ProjectionLog } from '../../../src/adapters/aws/dynamodb/projection-log.js';
import { ManualClock } from '../../../src/adapters/memory/manual-clock.js';
import type { DecisionContext } from '../../../src/domain/model.js';
import { CommitConflict } from '../../../src/ports/event-store.js';
import { foldChunk } from '../../../src/world-v5/batch/batch-fold.js';
import type { BatchRequest } from '../../../src/world-v5/batch/batch-rules.js';
import { v5Semantics } from '../../../src/domain/line-semantics.js';
import { slotToEventId } from '../../../src/domain/slot-ids.js';
import { record, RUN_ID, run, T0, TABLES } from '../adapters/dynamodb/fixtures.js';

const ddb = mockClient(DynamoDBClient);
const client = new DynamoDBClient({ region: 'us-east-1' });
const NOW = T0 + 10_000;
const store = () =>
  new DynamoDbEventStore(client, TABLES, {
    clock: new ManualClock(NOW),
    batchRetry: { attempts: 3, baseDelayMs: 0 },
    projections: new ProjectionLog({ delayMs: 60_000, maxWaitMs: 60_000, clock: new ManualClock(NOW) }),
  });
const seq = (n: number) => ({ S: String(n).padStart(12, '0') });
const ctx: DecisionContext = { now: NOW, newRunId: () => 'wrun_unused', ...v5Semantics(6) };
const created = (id: string): BatchRequest => ({ eventType: 'step_created', correlationId: id, eventData: { stepName: 'add', input: new Uint8Array([1, 2]) } });

function foldedFanOut(n: number) {
  const base = record(run('running', { specVersion: 6 }), 2, slotToEventId(2));
  const requests = Array.from({ length: n }, (_, i) => created(`step_${i}`));
  return foldChunk(RUN_ID, requests, requests.map(() => ({ run: base })), ctx).commit!;
}

beforeEach(() => {
  ddb.reset();
  ddb.on(TransactWriteItemsCommand).resolves({});
  ddb.on(PutItemCommand).resolves({});
  ddb.on(UpdateItemCommand).resolves({});
  ddb.on(QueryCommand).resolves({ Items: [] });
});

describe('a createBatch chunk on DynamoDB', () => {
  it.each([2, 3, 32, 50])('%d step_created: one TransactWriteItems of conditional puts at sequence numbers 3…, the last with the commit record', async (n) => {
    await store().commit(foldedFanOut(n));
    expect(ddb.commandCalls(PutItemCommand)).toHaveLength(0);
    const calls = ddb.commandCalls(TransactWriteItemsCommand);
    expect(calls).toHaveLength(1);
    const actions = calls[0]!.args[0].input.TransactItems!;
    expect(actions).toHaveLength(n);
    actions.forEach((action, i) => {
      expect(action.Put).toMatchObject({
        TableName: 't-events',
        ConditionExpression: 'attribute_not_exists(pk)',
        Item: { pk: { S: RUN_ID }, sk: seq(3 + i), eventId: { S: slotToEventId(3 + i) }, eventType: { S: 'step_created' }, correlationId: { S: `step_${i}` } },
      });
      expect(Object.keys(action.Put!.Item!).includes('fx')).toBe(i === n - 1);
    });
    expect(actions.at(-1)!.Put!.Item).toMatchObject({ v: { N: String(2 + n) }, ne: { N: String(n) } });
  });

  it('a position taken meanwhile cancels the whole transaction: a CommitConflict on the run, nothing written', async () => {
    ddb.on(TransactWriteItemsCommand).rejects(
      Object.assign(new Error('Transaction cancelled'), {
        name: 'TransactionCanceledException',
        $metadata: {},
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }, { Code: 'None' }],
      }),
    );
    const error = await store().commit(foldedFanOut(3)).catch((x: unknown) => x);
    expect(error).toBeInstanceOf(CommitConflict);
    expect((error as CommitConflict).reason).toBe('run');
    expect(ddb.commandCalls(PutItemCommand)).toHaveLength(0);
  });
});
