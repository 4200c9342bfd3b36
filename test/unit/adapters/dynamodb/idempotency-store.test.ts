import { DynamoDBClient, UpdateItemCommand, ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbIdempotencyStore } from '../../../../src/adapters/aws/dynamodb/dynamodb-idempotency-store.js';

const ddb = mockClient(DynamoDBClient);
const NOW = 1_750_000_000_500;
const store = new DynamoDbIdempotencyStore(new DynamoDBClient({ region: 'us-east-1' }), 't-steps', () => NOW);

beforeEach(() => ddb.reset());

describe('DynamoDbIdempotencyStore', () => {
  it('claims with one conditional UpdateItem that sets the owner and the TTL', async () => {
    ddb.on(UpdateItemCommand).resolves({});
    expect(await store.claim('step:abc', 'msg-1', 3600)).toBe(true);
    expect(ddb.commandCalls(UpdateItemCommand)[0]!.args[0].input).toEqual({
      TableName: 't-steps',
      Key: { pk: { S: 'I#step:abc' }, sk: { S: 'I' } },
      UpdateExpression: 'SET ownerId = :o, expiresAt = :expiresAt',
      ConditionExpression: 'attribute_not_exists(pk) OR ownerId = :o OR expiresAt < :now',
      ExpressionAttributeValues: {
        ':o': { S: 'msg-1' },
        ':expiresAt': { N: '1750003600' },
        ':now': { N: '1750000000' },
      },
    });
  });

  it('reports a live claim by another owner as a duplicate', async () => {
    ddb.on(UpdateItemCommand).rejects(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} }));
    expect(await store.claim('step:abc', 'msg-2', 3600)).toBe(false);
  });

  it('maps other failures', async () => {
    ddb.on(UpdateItemCommand).rejects(Object.assign(new Error('slow'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));
    await expect(store.claim('k', 'o', 1)).rejects.toMatchObject({ name: 'ThrottleError' });
  });
});
