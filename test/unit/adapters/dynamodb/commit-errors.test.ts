// A cancelled transaction names its failing actions by request index; the
// store must turn that into the port's CommitConflict or the contract's errors.
import { DynamoDBClient, QueryCommand, TransactionCanceledException, TransactWriteItemsCommand } from '@aws-sdk/client-dynamodb';
import { ThrottleError, WorkflowWorldError } from '@workflow/errors';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbEventStore } from '../../../../src/adapters/aws/dynamodb/dynamodb-event-store.js';
import { CommitConflict } from '../../../../src/ports/event-store.js';
import { commit, event, eventId, hook, record, RUN_ID, run, TABLES } from './fixtures.js';

const ddb = mockClient(DynamoDBClient);
const store = new DynamoDbEventStore(new DynamoDBClient({ region: 'us-east-1' }), TABLES);

// Actions: 0 event (the commit point), 1 token claim, 2 hook put, 3 hook marker put.
const hookCommit = commit({
  expectRun: { kind: 'version', version: 5 },
  run: record(run('running'), 6, eventId(6)),
  events: [event(6, 'hook_created', { correlationId: 'hook_1' })],
  putHooks: [hook('hook_1', 'tok-1')],
  tokenClaims: [{ token: 'tok-1', hookId: 'hook_1', runId: RUN_ID, expect: { kind: 'absent' } }],
});

function cancelled(...codes: string[]) {
  return new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: { httpStatusCode: 400 },
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
}

async function failureFor(error: Error): Promise<unknown> {
  ddb.reset();
  ddb.on(QueryCommand).resolves({ Items: [] });
  ddb.on(TransactWriteItemsCommand).rejects(error);
  return store.commit(hookCommit).then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('commit failures', () => {
  it.each([
    [['ConditionalCheckFailed', 'None', 'None', 'None'], 'run'],
    [['None', 'ConditionalCheckFailed', 'None', 'None'], 'token'],
    [['None', 'None', 'ConditionalCheckFailed', 'None'], 'entity'],
    [['None', 'ConditionalCheckFailed', 'ConditionalCheckFailed', 'None'], 'token'],
    [['ConditionalCheckFailed', 'ConditionalCheckFailed', 'None', 'None'], 'run'],
    [['TransactionConflict', 'None', 'None', 'None'], 'run'],
    [['None', 'TransactionConflict', 'None', 'None'], 'token'],
    [['None', 'None', 'TransactionConflict', 'None'], 'entity'],
    [['None', 'None', 'None', 'TransactionConflict'], 'entity'],
  ])('%j → CommitConflict(%s)', async (codes, reason) => {
    const error = await failureFor(cancelled(...codes));
    expect(error).toBeInstanceOf(CommitConflict);
    expect((error as CommitConflict).reason).toBe(reason);
  });

  it('the cases above line up with the actions sent, the marker last', async () => {
    await failureFor(cancelled('None', 'None', 'None', 'ConditionalCheckFailed'));
    const actions = ddb.commandCalls(TransactWriteItemsCommand)[0]!.args[0].input.TransactItems!;
    expect(actions.map((a) => [a.Put!.TableName, a.Put!.Item!.pk!.S!.slice(0, 2)])).toEqual([
      ['t-events', 'wr'],
      ['t-hooks', 'T#'],
      ['t-hooks', 'H#'],
      ['t-steps', 'wr'],
    ]);
    expect(actions[0]!.Put!.Item!.sk).toEqual({ S: '000000000006' });
    expect(actions[3]!.Put!.Item!.sk).toEqual({ S: 'K#hook_1' });
  });

  it('throttled actions → ThrottleError (429)', async () => {
    for (const code of ['ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded']) {
      const error = await failureFor(cancelled('None', code, 'None', 'None', 'None'));
      expect(error).toBeInstanceOf(ThrottleError);
      expect(error).toMatchObject({ name: 'ThrottleError', status: 429, retryAfter: 1 });
    }
  });

  it('a validation reason → WorkflowWorldError 400; unknown or missing reasons → 503', async () => {
    expect(await failureFor(cancelled('ValidationError', 'None', 'None', 'None', 'None'))).toMatchObject({
      name: 'WorkflowWorldError',
      status: 400,
      code: 'ValidationError',
    });
    expect(await failureFor(cancelled('None', 'ItemCollectionSizeLimitExceeded', 'None', 'None', 'None'))).toMatchObject({
      name: 'WorkflowWorldError',
      status: 503,
    });
    expect(await failureFor(cancelled())).toMatchObject({ name: 'WorkflowWorldError', status: 503 });
  });

  it('non-cancellation failures go through the shared AWS mapping', async () => {
    const throttled = Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException', $metadata: { httpStatusCode: 400 } });
    expect(await failureFor(throttled)).toBeInstanceOf(ThrottleError);
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const transport = await failureFor(reset);
    expect(transport).toBeInstanceOf(WorkflowWorldError);
    expect(transport).toMatchObject({ status: 503, code: 'TRANSPORT' });
    const internal = Object.assign(new Error('oops'), { name: 'InternalServerError', $fault: 'server', $metadata: { httpStatusCode: 500 } });
    expect(await failureFor(internal)).toMatchObject({ name: 'WorkflowWorldError', status: 503, code: 'InternalServerError' });
  });
});
