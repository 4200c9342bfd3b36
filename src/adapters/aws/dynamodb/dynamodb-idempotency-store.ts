// Idempotency claims live in the steps table under their own partition
// (`I#<key>`, sk `I`): one conditional write decides who owns a key, and the
// table's TTL removes claims DynamoDB-side once they have expired. Expired but
// not yet removed claims are treated as free by the condition itself.
import { UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { IdempotencyStore } from '../../../ports/idempotency-store.js';
import { awsErrorName, toWorldError } from '../aws-errors.js';
import { idempotencyKey } from './keys.js';

export class DynamoDbIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly client: DynamoDBClient,
    /** Physical name of the steps table. */
    private readonly table: string,
    private readonly now: () => number = Date.now,
  ) {}

  async claim(key: string, ownerId: string, ttlSeconds: number): Promise<boolean> {
    const nowSeconds = Math.floor(this.now() / 1000);
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: idempotencyKey(key),
          UpdateExpression: 'SET ownerId = :o, expiresAt = :expiresAt',
          ConditionExpression: 'attribute_not_exists(pk) OR ownerId = :o OR expiresAt < :now',
          ExpressionAttributeValues: {
            ':o': { S: ownerId },
            ':expiresAt': { N: String(nowSeconds + ttlSeconds) },
            ':now': { N: String(nowSeconds) },
          },
        }),
      );
      return true;
    } catch (error) {
      if (awsErrorName(error) === 'ConditionalCheckFailedException') return false;
      throw toWorldError(error, 'DynamoDB.UpdateItem');
    }
  }
}
