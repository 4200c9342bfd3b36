// The local DynamoDB the stream benchmark runs on: dynalite (in memory, on
// loopback) with the streams table from resources.ts, and a client that
// counts the requests it sends.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startDynalite } from '../src/adapters/local-aws/dynalite-server.js';
import { createStreamsTable } from '../test/integration/streams/local-streams-table.js';

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

export async function startLocalStack(tableName = 'bench-streams'): Promise<LocalStack> {
  const server = await startDynalite();
  const clients: DynamoDBClient[] = [];
  const newClient = (): CountingClient => {
    const client = new DynamoDBClient({
      endpoint: server.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
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
  const setup = newClient();
  await createStreamsTable(setup.client, tableName);
  return {
    tableName,
    newClient,
    stop: async () => {
      for (const client of clients) client.destroy();
      await server.stop();
    },
  };
}
