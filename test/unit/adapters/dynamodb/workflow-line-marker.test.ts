// The DynamoDB commands behind the installation's workflow line marker.
import { ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbWorkflowLineMarker } from '../../../../src/adapters/aws/dynamodb/workflow-line-marker.js';

const ddb = mockClient(DynamoDBClient);
const NOW = Date.parse('2026-12-06T13:00:00.000Z');
const marker = new DynamoDbWorkflowLineMarker(new DynamoDBClient({ region: 'us-east-1' }), 't-steps', () => NOW);
const KEY = { pk: { S: 'L#workflow-line' }, sk: { S: 'L' } };
const conditionFailed = (item?: Record<string, unknown>) =>
  Object.assign(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} }), item ? { Item: item } : {});

beforeEach(() => ddb.reset());

describe('DynamoDbWorkflowLineMarker', () => {
  it('claims with one conditional PutItem in the steps table, returning the old item on a failed condition', async () => {
    ddb.on(PutItemCommand).resolves({});
    expect(await marker.claim('5')).toBe('5');
    expect(ddb.commandCalls(PutItemCommand)[0]!.args[0].input).toEqual({
      TableName: 't-steps',
      Item: { ...KEY, line: { S: '5' }, at: { S: '2026-12-06T13:00:00.000Z' } },
      ConditionExpression: 'attribute_not_exists(pk)',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    expect(ddb.commandCalls(GetItemCommand)).toHaveLength(0);
  });

  it('a recorded line comes back from the failed condition, with no read', async () => {
    ddb.on(PutItemCommand).rejects(conditionFailed({ ...KEY, line: { S: '4' } }));
    expect(await marker.claim('5')).toBe('4');
    expect(ddb.commandCalls(GetItemCommand)).toHaveLength(0);
  });

  it('where the failed condition carries no item, reads the marker strongly consistent', async () => {
    ddb.on(PutItemCommand).rejects(conditionFailed());
    ddb.on(GetItemCommand).resolves({ Item: { ...KEY, line: { S: '5' } } });
    expect(await marker.claim('5')).toBe('5');
    expect(ddb.commandCalls(GetItemCommand)[0]!.args[0].input).toEqual({ TableName: 't-steps', Key: KEY, ConsistentRead: true });
  });

  it('reads the recorded line, undefined when none is, and refuses a marker without a valid line', async () => {
    ddb.on(GetItemCommand).resolvesOnce({ Item: { ...KEY, line: { S: '4' } } }).resolvesOnce({}).resolvesOnce({ Item: { ...KEY, line: { S: '9' } } });
    expect(await marker.read()).toBe('4');
    expect(await marker.read()).toBeUndefined();
    expect(await marker.read()).toBeUndefined();
    ddb.on(PutItemCommand).rejects(conditionFailed({ ...KEY, line: { S: '9' } }));
    ddb.on(GetItemCommand).resolves({ Item: { ...KEY, line: { S: '9' } } });
    await expect(marker.claim('4')).rejects.toThrow('the workflow line marker of t-steps holds no valid line');
  });

  it('maps other failures to world errors', async () => {
    ddb.on(PutItemCommand).rejects(Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' }));
    await expect(marker.claim('4')).rejects.toMatchObject({ status: 429 });
  });
});
