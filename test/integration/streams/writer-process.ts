// One stream writer in its own process, for the cross-process test: its own
// DynamoDB client and store (so its own cached end), started on a signal so
// all writers race. Appends one chunk, or two as a multi-write every third
// time, and reports what it appended. Bundled and forked by the test; the
// job comes in STREAM_WRITER_JOB.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbStreamStore } from '../../../src/adapters/aws/dynamodb-streams/index.js';

export interface WriterJob {
  client: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  table: string;
  stream: string;
  writer: number;
  appends: number;
}

async function main(job: WriterJob, send: (message: unknown) => void): Promise<void> {
  const client = new DynamoDBClient(job.client);
  const store = new DynamoDbStreamStore({ client, tableName: job.table, clock: { now: Date.now, sleep: async () => undefined } });
  const utf8 = new TextEncoder();
  await store.info(job.stream); // opens the connection before the race starts
  await new Promise<void>((resolve) => {
    process.once('message', () => resolve());
    send({ type: 'ready' });
  });
  const appended: string[][] = [];
  const failures: string[] = [];
  for (let i = 0; i < job.appends; i++) {
    const chunks = i % 3 === 2 ? [`${job.writer}:${i}:a`, `${job.writer}:${i}:b`] : [`${job.writer}:${i}`];
    try {
      await store.append(job.stream, 'wrun_procs', chunks.map((c) => utf8.encode(c)));
      appended.push(chunks);
    } catch (error) {
      failures.push((error as Error).name);
    }
  }
  client.destroy();
  send({ type: 'done', appended, failures });
}

const job = process.env.STREAM_WRITER_JOB;
if (job && process.send) {
  const send = process.send.bind(process);
  await main(JSON.parse(job) as WriterJob, (message) => send(message));
  process.disconnect();
}
