// The local stack the stream benchmark runs on: the embedded local AWS
// (dynalite + fauxqs on loopback, tables from resources.ts), plus DynamoDB
// clients that count the requests they send.
//
// BENCH_LOCAL_AWS=child-process runs the local AWS in a child process (this
// same script, started again), so its request handling does not share the
// event loop with the client being measured: closer to a remote service.
import { fork } from 'node:child_process';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { startLocalAws } from '../src/infra/local-aws/index.js';

export interface CountingClient {
  client: DynamoDBClient;
  /** Requests sent so far, by command name (e.g. QueryCommand). */
  counts: Map<string, number>;
}

export interface LocalStack {
  tableName: string;
  /** 'in-process' or 'child-process'. */
  mode: string;
  newClient(): CountingClient;
  stop(): Promise<void>;
}

interface Endpoint {
  config: DynamoDBClientConfig;
  tableName: string;
}

const CHILD_FLAG = 'BENCH_STREAMS_LOCAL_AWS_CHILD';

/** In the child started by startLocalStack: serves the local AWS until the parent goes away. Returns whether this is that child. */
export async function serveLocalAwsIfChild(): Promise<boolean> {
  if (process.env[CHILD_FLAG] !== '1' || !process.send) return false;
  const aws = await startLocalAws({ name: 'bench' });
  const endpoint: Endpoint = {
    config: { endpoint: aws.endpoints.dynamodb, region: aws.region, credentials: aws.credentials },
    tableName: aws.names.tables.streams,
  };
  process.once('disconnect', () => void aws.stop().finally(() => process.exit(0)));
  process.send(endpoint);
  return true;
}

async function startInChild(): Promise<Endpoint & { stop(): Promise<void> }> {
  const child = fork(process.argv[1]!, [], { env: { ...process.env, [CHILD_FLAG]: '1' }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const endpoint = await new Promise<Endpoint>((resolve, reject) => {
    child.once('message', (m) => resolve(m as Endpoint));
    child.once('exit', (code) => reject(new Error(`local AWS process exited (${code}) before it was ready`)));
  });
  const stop = async () => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.disconnect();
    await exited;
  };
  return { ...endpoint, stop };
}

async function startInProcess(): Promise<Endpoint & { stop(): Promise<void> }> {
  const aws = await startLocalAws({ name: 'bench' });
  return {
    config: { endpoint: aws.endpoints.dynamodb, region: aws.region, credentials: aws.credentials },
    tableName: aws.names.tables.streams,
    stop: () => aws.stop(),
  };
}

export async function startLocalStack(): Promise<LocalStack> {
  const mode = process.env.BENCH_LOCAL_AWS === 'child-process' ? 'child-process' : 'in-process';
  const aws = mode === 'child-process' ? await startInChild() : await startInProcess();
  const clients: DynamoDBClient[] = [];
  const newClient = (): CountingClient => {
    const client = new DynamoDBClient(aws.config);
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
    tableName: aws.tableName,
    mode,
    newClient,
    stop: async () => {
      for (const client of clients) client.destroy();
      await aws.stop();
    },
  };
}
