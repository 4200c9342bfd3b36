// A local DynamoDB (dynalite, loopback, in memory) holding the streams table
// exactly as resources.ts defines it.
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { TABLES } from '../../../src/adapters/aws/resources.js';
import { startDynalite } from '../../../src/adapters/local-aws/dynalite-server.js';

export interface LocalStreamsTable {
  client: DynamoDBClient;
  tableName: string;
  stop(): Promise<void>;
}

export async function createStreamsTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const def = TABLES.streams;
  const keys = [def.partitionKey, ...(def.sortKey ? [def.sortKey] : [])];
  const attributes = new Map<string, 'S' | 'N' | 'B'>(keys.map((k) => [k.name, k.type]));
  for (const index of def.indexes) {
    attributes.set(index.partitionKey.name, index.partitionKey.type);
    if (index.sortKey) attributes.set(index.sortKey.name, index.sortKey.type);
  }
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType })),
      KeySchema: keys.map((k, i) => ({ AttributeName: k.name, KeyType: i === 0 ? 'HASH' : 'RANGE' })),
      GlobalSecondaryIndexes: def.indexes.map((index) => ({
        IndexName: index.indexName,
        KeySchema: [
          { AttributeName: index.partitionKey.name, KeyType: 'HASH' as const },
          ...(index.sortKey ? [{ AttributeName: index.sortKey.name, KeyType: 'RANGE' as const }] : []),
        ],
        Projection: { ProjectionType: index.projection },
      })),
    }),
  );
}

export async function startLocalStreamsTable(tableName = 'test-streams'): Promise<LocalStreamsTable> {
  const server = await startDynalite();
  const client = new DynamoDBClient({
    endpoint: server.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await createStreamsTable(client, tableName);
  return {
    client,
    tableName,
    stop: async () => {
      client.destroy();
      await server.stop();
    },
  };
}
