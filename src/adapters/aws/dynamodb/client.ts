// DynamoDB client from the world config. Creating it does no I/O: credentials
// resolve on the first request, so the World factory stays cheap and works at build time.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { WorldConfig } from '../../../config/world-config.js';

export function createDynamoDbClient(config: Pick<WorldConfig, 'region' | 'endpoints'>): DynamoDBClient {
  return new DynamoDBClient({
    region: config.region,
    ...(config.endpoints.dynamodb ? { endpoint: config.endpoints.dynamodb } : {}),
    // The SDK's adaptive mode backs off client-side under throttling before we surface ThrottleError.
    retryMode: 'adaptive',
    maxAttempts: 5,
  });
}
