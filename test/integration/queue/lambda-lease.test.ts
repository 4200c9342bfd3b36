// The Lambda path on the embedded local AWS: the event-source mapping (here a
// stand-in receiving as the mapping does, with the queue's 960 s visibility)
// hands a batch to a handler "process" that dies mid-batch. Its records must
// come back after the delivery lease, not after 960 s, and run in another
// process. The handler's own SQS requests are counted by command.
import { jest } from '@jest/globals';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import type { ValidQueueName } from '@workflow/world';
import { SqsMessageQueue } from '../../../src/adapters/aws/sqs/sqs-message-queue.js';
import { createLambdaHandler, type SqsBatchResponse, type SqsEvent } from '../../../src/lambda/index.js';
import { attachQueueServices } from '../../../src/application/queue/services-lookup.js';
import type { MessageQueue } from '../../../src/ports/message-queue.js';
import { QUEUES } from '../../../src/adapters/aws/resources.js';
import { localClients } from '../../../src/infra/local-aws/index.js';
import { closeWorlds, queueWorld, startLocalStack, waitFor, type LocalStack } from './local-stack.js';

jest.setTimeout(60_000);

const SECRET = 'lambda-lease-secret';
const LEASE_SECONDS = 3;
const WORKFLOW = '__wkf_workflow_wf' as ValidQueueName;

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack();
});
afterEach(closeWorlds);
afterAll(async () => {
  await stack?.stop();
});

/** Receives as an event-source mapping does: no VisibilityTimeout of its own, so the queue's (960 s) applies. */
async function mappingReceive(max: number): Promise<Message[]> {
  const out = await stack.clients.sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: stack.aws.queueUrls.workflow,
      MaxNumberOfMessages: max,
      WaitTimeSeconds: 1,
      MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      MessageAttributeNames: ['All'],
    }),
  );
  return out.Messages ?? [];
}

/** What the mapping does with the answer: deletes every record not reported as failed. */
async function mappingSettle(messages: Message[], answer: SqsBatchResponse): Promise<void> {
  const failed = new Set(answer.batchItemFailures.map((f) => f.itemIdentifier));
  const done = messages.filter((m) => !failed.has(m.MessageId!));
  if (done.length === 0) return;
  await stack.clients.sqs.send(
    new DeleteMessageBatchCommand({ QueueUrl: stack.aws.queueUrls.workflow, Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }),
  );
}

function eventOf(messages: Message[]): SqsEvent {
  const name = stack.aws.queueUrls.workflow.split('/').pop()!;
  return {
    Records: messages.map((m) => ({
      messageId: m.MessageId!,
      receiptHandle: m.ReceiptHandle!,
      body: m.Body!,
      attributes: { ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? '1' },
      messageAttributes: {},
      eventSource: 'aws:sqs',
      eventSourceARN: `arn:aws:sqs:${stack.aws.region}:000000000000:${name}`,
      awsRegion: stack.aws.region,
    })),
  };
}

/** The SQS adapter on its own client, whose requests are counted by command; `dead()` makes it send nothing more, as a killed process. */
function processQueue(): { queue: MessageQueue; counts: Record<string, number>; die(): void } {
  const { sqs: client, dynamodb, s3 } = localClients(stack.aws.endpoints, stack.aws.region);
  dynamodb.destroy();
  s3.destroy();
  const counts: Record<string, number> = {};
  let dead = false;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (dead) throw new Error('this process is dead');
      counts[context.commandName ?? '?'] = (counts[context.commandName ?? '?'] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: 'countAndDie' },
  );
  const queue = new SqsMessageQueue(client, { workflow: { url: stack.aws.queueUrls.workflow }, step: { url: stack.aws.queueUrls.step } }, {
    maxDelaySeconds: 900,
    maxMessageBytes: 256 * 1024,
  });
  openClients.add(client);
  return { queue, counts, die: () => (dead = true) };
}
const openClients = new Set<SQSClient>();
afterEach(() => {
  for (const client of openClients) client.destroy();
  openClients.clear();
});

/** One Lambda "process": its own world (registry, in-process knowledge, SQS client) and handler. */
function lambdaProcess(body: (runId: string) => Promise<void>) {
  const sqs = processQueue();
  const world = queueWorld(stack, { config: { signingSecret: SECRET, consumer: 'lambda', delivery: 'http', visibilitySeconds: LEASE_SECONDS }, wrap: () => sqs.queue });
  const run = async (payload: unknown) => body((payload as { runId: string }).runId);
  const handler = createLambdaHandler({
    flow: world.services.createQueueHandler('__wkf_workflow_', run),
    step: world.services.createQueueHandler('__wkf_step_', run),
    world: attachQueueServices({}, world.services),
  });
  return { handler, sqs, world };
}

it('a batch whose handler process dies comes back after the lease, not the queue’s 960 s, and runs elsewhere', async () => {
  expect(QUEUES.visibilityTimeoutSeconds).toBe(960);
  const ran: Array<{ process: string; runId: string; at: number }> = [];
  const producer = queueWorld(stack, { config: { consumer: 'none' } });
  await producer.services.queue(WORKFLOW, { runId: 'wrun_held' });
  await producer.services.queue(WORKFLOW, { runId: 'wrun_control' });

  // The mapping receives both; it hands one to process A and (as if that invocation never started) keeps the other.
  const received: Message[] = [];
  for (let i = 0; i < 5 && received.length < 2; i++) received.push(...(await mappingReceive(2 - received.length)));
  expect(received).toHaveLength(2);
  const held = received.find((m) => m.Body!.includes('wrun_held'))!;

  let release!: () => void;
  const a = lambdaProcess(async (runId) => {
    ran.push({ process: 'A', runId, at: Date.now() });
    await new Promise<void>((resolve) => (release = resolve));
  });
  const abandoned = a.handler(eventOf([held])); // never awaited while A is "alive"
  await waitFor(() => ran.length === 1, 10_000);
  const diedAt = Date.now();
  a.sqs.die(); // SIGKILL: no more extensions, no answer to the mapping

  // Process B is fed by the mapping: the held record is back within the lease.
  const b = lambdaProcess(async (runId) => void ran.push({ process: 'B', runId, at: Date.now() }));
  const redelivered: Message[] = [];
  while (redelivered.length === 0 && Date.now() - diedAt < 20_000) redelivered.push(...(await mappingReceive(10)));
  expect(redelivered.map((m) => m.MessageId)).toEqual([held.MessageId]);
  expect(redelivered[0]!.Attributes?.ApproximateReceiveCount).toBe('2');
  const answer = await b.handler(eventOf(redelivered));
  expect(answer).toEqual({ batchItemFailures: [] });
  await mappingSettle(redelivered, answer);
  const rerun = ran.find((r) => r.process === 'B')!;
  expect(rerun.runId).toBe('wrun_held');
  // Within the lease (3 s) of the death, plus the poll: nowhere near 960 s.
  expect(rerun.at - diedAt).toBeLessThan((LEASE_SECONDS + 3) * 1000);
  // The record the mapping kept, never given to a handler, is still hidden by the queue's 960 s.
  expect((await mappingReceive(10)).map((m) => m.MessageId)).toEqual([]);

  // Requests: A brought its record to the lease with one batch request; B one for its batch.
  expect(a.sqs.counts).toEqual({ ChangeMessageVisibilityBatchCommand: 1 });
  expect(b.sqs.counts).toEqual({ ChangeMessageVisibilityBatchCommand: 1 });

  // Let the dead process's promise unwind (its requests fail, as they would have gone nowhere).
  release();
  await abandoned;
});

it('a record that runs longer than the lease is extended and not redelivered meanwhile', async () => {
  const producer = queueWorld(stack, { config: { consumer: 'none' } });
  await producer.services.queue(WORKFLOW, { runId: 'wrun_long' });
  const received: Message[] = [];
  for (let i = 0; i < 5 && received.length === 0; i++) received.push(...(await mappingReceive(10)));
  expect(received).toHaveLength(1);
  const ran: string[] = [];
  const a = lambdaProcess(async (runId) => {
    ran.push(runId);
    await new Promise((resolve) => setTimeout(resolve, (LEASE_SECONDS * 2 + 1) * 1000));
  });
  const batch = a.handler(eventOf(received));
  // While it runs (7 s, over two leases), nobody else receives it.
  const seen: Message[] = [];
  const until = Date.now() + LEASE_SECONDS * 2 * 1000;
  while (Date.now() < until) seen.push(...(await mappingReceive(10)));
  const answer = await batch;
  expect(answer).toEqual({ batchItemFailures: [] });
  await mappingSettle(received, answer);
  expect(seen).toEqual([]);
  expect(ran).toEqual(['wrun_long']);
  // The lease at the start, then one extension per half lease (1.5 s) while the 7 s body ran: 4 of them.
  expect(a.sqs.counts.ChangeMessageVisibilityBatchCommand).toBeGreaterThanOrEqual(4);
  expect(a.sqs.counts.ChangeMessageVisibilityBatchCommand).toBeLessThanOrEqual(6);
  expect(a.world.logger.at('warn')).toEqual([]);
});
