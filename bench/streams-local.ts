// The local stack the stream benchmark runs on: the embedded local AWS
// (dynalite + fauxqs on loopback, tables from resources.ts), plus DynamoDB
// clients that count the requests they send.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startLocalAws } from '../src/adapters/local-aws/index.js';

export interface CountingClient {
  client: DynamoDBClient;
  /** Requests sent so far, by command name (e.g. QueryCommand). */
  counts: Map<string, number>;
}

export interface LocalStack {
  tableName: string;
  newClient(): CountingClient;
  stop(): Promise<void>;
}

export async function startLocalStack(): Promise<LocalStack> {
  const aws = await startLocalAws({ name: 'bench' });
  const clients: DynamoDBClient[] = [];
  const newClient = (): CountingClient => {
    const client = new DynamoDBClient({ endpoint: aws.endpoints.dynamodb, region: aws.region, credentials: aws.credentials });
    const counts = new Map<string, number>();
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const command = String(context.commandName);
        counts.set(command, (counts.get(command) ?? 0) + 1);
        return next(args);
      },
      { step: 'initialize', name: 'benchRequestCounter' },
    );
    clients.push(client);
    return { client, counts };
  };
  return {
    tableName: aws.names.tables.streams,
    newClient,
    stop: async () => {
      for (const client of clients) client.destroy();
      await aws.stop();
    },
  };
}
