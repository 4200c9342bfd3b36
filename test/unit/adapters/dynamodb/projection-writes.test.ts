// The exact writes of a projection batch, and what a failed condition means:
// a full put's is a state at least as new (done); a partial update's is
// either that, or no item yet, which is never dropped: the full state is
// folded from the log and put.
import { DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { jest } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { stepToItem, runToItem } from '../../../../src/adapters/aws/dynamodb/item-mappers.js';
import { writeProjections, type FoldLog, type ProjectionBatch } from '../../../../src/adapters/aws/dynamodb/projection-writes.js';
import { at, bytes, RUN_ID, run, step, TABLES } from './fixtures.js';

const ddb = mockClient(DynamoDBClient);
const client = new DynamoDBClient({ region: 'us-east-1' });
const failed = Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException', $metadata: {} });
const fullCondition = { ConditionExpression: 'attribute_not_exists(pk) OR #seq < :seq', ExpressionAttributeNames: { '#seq': 'seq' } };

const done = step('step_1', 'completed', { attempt: 1, startedAt: at(4), completedAt: at(5), output: bytes(7), updatedAt: at(5) });
const { input: _input, stepName: _name, createdAt: _created, specVersion: _spec, ...partialDone } = done;

const partialBatch = (): ProjectionBatch => ({ steps: new Map([['step_1', { entity: partialDone as typeof done, full: false, seq: 7 }]]), waits: new Map() });
const folded = (): ProjectionBatch => ({ steps: new Map([['step_1', { entity: done, full: true, seq: 7 }]]), waits: new Map() });

beforeEach(() => {
  ddb.reset();
  ddb.on(PutItemCommand).resolves({});
});

describe('writeProjections', () => {
  it('a partial update that finds no item: reads that there is none, folds the full state from the log and puts it', async () => {
    ddb.on(UpdateItemCommand).rejects(failed);
    ddb.on(GetItemCommand).resolves({});
    const fold = jest.fn<FoldLog>(async () => folded());
    await writeProjections(client, TABLES, partialBatch(), fold);
    expect(ddb.commandCalls(GetItemCommand).map((c) => c.args[0].input)).toEqual([
      {
        TableName: 't-steps',
        Key: { pk: { S: RUN_ID }, sk: { S: 'S#step_1' } },
        ConsistentRead: true,
        ProjectionExpression: '#seq',
        ExpressionAttributeNames: { '#seq': 'seq' },
      },
    ]);
    expect(fold).toHaveBeenCalledWith(RUN_ID, 7);
    expect(ddb.commandCalls(PutItemCommand).map((c) => c.args[0].input)).toEqual([
      { TableName: 't-steps', Item: stepToItem(done, 7), ...fullCondition, ExpressionAttributeValues: { ':seq': { N: '7' } } },
    ]);
  });

  it('a partial update that finds a state at least as new: nothing more, no log read', async () => {
    ddb.on(UpdateItemCommand).rejects(failed);
    ddb.on(GetItemCommand).resolves({ Item: { seq: { N: '9' } } });
    const fold = jest.fn<FoldLog>(async () => folded());
    await writeProjections(client, TABLES, partialBatch(), fold);
    expect(fold).not.toHaveBeenCalled();
    expect(ddb.commandCalls(UpdateItemCommand)).toHaveLength(1);
    expect(ddb.commandCalls(PutItemCommand)).toHaveLength(0);
  });

  it('an item created in between at an older state: the update is made again', async () => {
    let updates = 0;
    ddb.on(UpdateItemCommand).callsFake(async () => {
      if (++updates === 1) throw failed;
      return {};
    });
    ddb.on(GetItemCommand).resolves({ Item: { seq: { N: '5' } } });
    const fold = jest.fn<FoldLog>(async () => folded());
    await writeProjections(client, TABLES, partialBatch(), fold);
    expect(fold).not.toHaveBeenCalled();
    expect(ddb.commandCalls(UpdateItemCommand)).toHaveLength(2);
  });

  it('an item that keeps changing under the update: a retryable error after 3 tries, not a loop', async () => {
    ddb.on(UpdateItemCommand).rejects(failed);
    ddb.on(GetItemCommand).resolves({ Item: { seq: { N: '5' } } });
    await expect(writeProjections(client, TABLES, partialBatch(), async () => folded())).rejects.toMatchObject({ status: 503 });
    expect(ddb.commandCalls(UpdateItemCommand)).toHaveLength(3);
  });

  it('a full put whose condition fails is a state at least as new: no read at all', async () => {
    ddb.on(PutItemCommand).rejects(failed);
    const fold = jest.fn<FoldLog>(async () => folded());
    await writeProjections(client, TABLES, folded(), fold);
    expect(ddb.commandCalls(GetItemCommand)).toHaveLength(0);
    expect(fold).not.toHaveBeenCalled();
  });

  it('a run update with no run item: the run folded from the log is put', async () => {
    const running = run('running', { startedAt: at(2), updatedAt: at(2) });
    ddb.on(UpdateItemCommand).rejects(failed);
    ddb.on(GetItemCommand).resolves({});
    const batch: ProjectionBatch = { run: { entity: running, full: false, seq: 2 }, steps: new Map(), waits: new Map() };
    await writeProjections(client, TABLES, batch, async () => ({ run: { entity: running, full: true, seq: 2 }, steps: new Map(), waits: new Map() }));
    expect(ddb.commandCalls(PutItemCommand).map((c) => c.args[0].input.Item)).toEqual([runToItem(running, 2)]);
  });

  it('a log that no longer holds the creation: an error naming the run, nothing dropped silently', async () => {
    ddb.on(UpdateItemCommand).rejects(failed);
    ddb.on(GetItemCommand).resolves({});
    await expect(writeProjections(client, TABLES, partialBatch(), async () => ({ steps: new Map(), waits: new Map() }))).rejects.toThrow(
      `The log of run ${RUN_ID} no longer holds the creation of S#step_1`,
    );
  });
});
