// SqsMessageQueue against a real SQS emulator (fauxqs) on loopback: the SQS
// behaviour the world relies on, end to end through the SDK.
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { jest } from '@jest/globals';
import type { AddressInfo } from 'node:net';
import { createSqsClient } from '../../../src/adapters/aws/sqs/sqs-client.js';
import { SqsMessageQueue } from '../../../src/adapters/aws/sqs/sqs-message-queue.js';
import { resolveWorldConfig } from '../../../src/config/world-config.js';

jest.setTimeout(20_000);

type FauxqsApp = { listen(options: { port: number; host: string }): Promise<string>; close(): Promise<void>; server: { address(): AddressInfo | string | null } };

const CREDENTIAL_ENV = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;
const savedEnv: Record<string, string | undefined> = {};
let app: FauxqsApp;
let client: SQSClient;
let queueCount = 0;

beforeAll(async () => {
  const { buildApp } = await import('fauxqs');
  app = buildApp({ logger: false }) as unknown as FauxqsApp;
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  // The factory takes credentials from the default chain; the emulator accepts any.
  for (const key of CREDENTIAL_ENV) savedEnv[key] = process.env[key];
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  client = createSqsClient(resolveWorldConfig({ region: 'us-east-1', endpoints: { sqs: `http://127.0.0.1:${port}` } }, {}));
});

afterAll(async () => {
  client?.destroy();
  await app?.close();
  for (const key of CREDENTIAL_ENV) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
});

/** A fresh queue redriving to a fresh DLQ after `maxReceiveCount` receives. */
async function createQueueWithDlq(maxReceiveCount = 10): Promise<{ name: string; url: string; dlqUrl: string }> {
  const name = `it-${process.pid}-${++queueCount}`;
  const dlq = await client.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
  const arn = await client.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }));
  const queue = await client.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        VisibilityTimeout: '30',
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arn.Attributes!.QueueArn, maxReceiveCount }),
      },
    }),
  );
  return { name, url: queue.QueueUrl!, dlqUrl: dlq.QueueUrl! };
}

/** Workflow channel addressed by name (resolved with GetQueueUrl), step channel by URL. */
async function setup(maxReceiveCount?: number) {
  const workflow = await createQueueWithDlq(maxReceiveCount);
  const step = await createQueueWithDlq(maxReceiveCount);
  const queue = new SqsMessageQueue(client, { workflow: { name: workflow.name }, step: { url: step.url } }, { maxDelaySeconds: 900, maxMessageBytes: 256 * 1024 });
  return { queue, workflow, step };
}

const poll = { maxMessages: 10, waitSeconds: 1, visibilitySeconds: 30 };

it('round-trips a message with attributes, and an ack removes it', async () => {
  const { queue } = await setup();
  const { messageId } = await queue.send('workflow', { body: '{"runId":"wrun_1"}', delaySeconds: 0, attributes: { queueName: '__wkf_workflow_x' } });
  const received = await queue.receive('workflow', poll);
  expect(received).toEqual([
    { messageId, receipt: expect.any(String), body: '{"runId":"wrun_1"}', attributes: { queueName: '__wkf_workflow_x' }, receiveCount: 1 },
  ]);
  await queue.ack('workflow', received[0]!.receipt);
  await expect(queue.receive('workflow', { ...poll, visibilitySeconds: 0 })).resolves.toEqual([]);
  await expect(queue.receive('step', { ...poll, waitSeconds: 0 })).resolves.toEqual([]);
});

it('honours a 2 s delay', async () => {
  const { queue } = await setup();
  const started = Date.now();
  await queue.send('step', { body: 'later', delaySeconds: 2 });
  await expect(queue.receive('step', poll)).resolves.toEqual([]);
  const received = await queue.receive('step', { ...poll, waitSeconds: 5 });
  expect(received.map((m) => m.body)).toEqual(['later']);
  expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
});

it('redelivers after setVisibility(0) with receiveCount 2', async () => {
  const { queue } = await setup();
  const { messageId } = await queue.send('workflow', { body: 'again', delaySeconds: 0 });
  const [first] = await queue.receive('workflow', poll);
  await expect(queue.receive('workflow', { ...poll, waitSeconds: 0 })).resolves.toEqual([]);
  await queue.setVisibility('workflow', first!.receipt, 0);
  const [second] = await queue.receive('workflow', poll);
  expect(second).toMatchObject({ messageId, body: 'again', receiveCount: 2 });
  await queue.ack('workflow', second!.receipt);
});

it('moves a message to the DLQ after maxReceiveCount receives', async () => {
  const { queue, step } = await setup(2);
  const { messageId } = await queue.send('step', { body: 'poison', delaySeconds: 0 });
  for (let count = 1; count <= 2; count++) {
    const [message] = await queue.receive('step', poll);
    expect(message).toMatchObject({ messageId, receiveCount: count });
    await queue.setVisibility('step', message!.receipt, 0);
  }
  await expect(queue.receive('step', poll)).resolves.toEqual([]);
  const dead = await client.send(new ReceiveMessageCommand({ QueueUrl: step.dlqUrl, WaitTimeSeconds: 1 }));
  expect(dead.Messages?.map((m) => [m.MessageId, m.Body])).toEqual([[messageId, 'poison']]);
});

it('resolves an aborted long poll with [] promptly', async () => {
  const { queue } = await setup();
  const controller = new AbortController();
  const started = Date.now();
  setTimeout(() => controller.abort(), 200);
  await expect(queue.receive('workflow', { ...poll, waitSeconds: 20, signal: controller.signal })).resolves.toEqual([]);
  expect(Date.now() - started).toBeLessThan(2_000);
});

it('wakes a long poll as soon as a message arrives', async () => {
  const { queue } = await setup();
  const started = Date.now();
  const receiving = queue.receive('step', { ...poll, waitSeconds: 10 });
  setTimeout(() => void queue.send('step', { body: 'now', delaySeconds: 0 }), 300);
  await expect(receiving).resolves.toMatchObject([{ body: 'now' }]);
  expect(Date.now() - started).toBeLessThan(5_000);
});

it('reports a queue name that does not exist as a 400 WorkflowWorldError', async () => {
  const queue = new SqsMessageQueue(client, { workflow: { name: 'it-missing' }, step: { name: 'it-missing' } }, { maxDelaySeconds: 900, maxMessageBytes: 1024 });
  await expect(queue.send('workflow', { body: 'x', delaySeconds: 0 })).rejects.toMatchObject({ name: 'WorkflowWorldError', status: 400 });
});
