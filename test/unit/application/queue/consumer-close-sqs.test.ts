// close() on real SQS: a long poll aborted by its client may still be handed
// messages by SQS, hidden for the receive lease with no receipt to release
// them. So close() stops polling, lets the polls in flight end by themselves
// and hands back whatever they return, in one ChangeMessageVisibilityBatch per
// queue; it aborts only a poll that outlives its wait (a stalled connection).
import { ChangeMessageVisibilityBatchCommand, ReceiveMessageCommand, SQSClient, type ChangeMessageVisibilityBatchCommandInput, type ReceiveMessageCommandOutput } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { ManualClock } from '../../../../src/adapters/memory/manual-clock.js';
import { SqsMessageQueue } from '../../../../src/adapters/aws/sqs/sqs-message-queue.js';
import { createPollingConsumer, type PollingConsumer } from '../../../../src/application/queue/consumer.js';
import { RecordingLogger } from './harness.js';

const WORKFLOW_URL = 'http://sqs.local/000000000000/wf-workflow';
const STEP_URL = 'http://sqs.local/000000000000/wf-step';

const sqs = mockClient(SQSClient);
let clock: ManualClock;
let consumer: PollingConsumer;
let processed: string[];
/** Each ReceiveMessage in flight, by queue URL: answer it, and see whether the consumer aborted it. */
let polls: Map<string, { answer: (output: Partial<ReceiveMessageCommandOutput>) => void; signal?: AbortSignal; waitSeconds?: number }>;

beforeEach(() => {
  sqs.reset();
  clock = new ManualClock(0);
  processed = [];
  polls = new Map();
  sqs.on(ReceiveMessageCommand).callsFake((input) => {
    return new Promise((resolve) => polls.set(input.QueueUrl!, { answer: resolve, waitSeconds: input.WaitTimeSeconds }));
  });
  sqs.on(ChangeMessageVisibilityBatchCommand).callsFake((input: ChangeMessageVisibilityBatchCommandInput) => ({
    Successful: input.Entries!.map((e) => ({ Id: e.Id })),
    Failed: [],
  }));
  const client = new SQSClient({ region: 'us-east-1' });
  // The abort signal the adapter passes with each receive, recorded per queue.
  const send = client.send.bind(client);
  client.send = ((command: { input: { QueueUrl?: string } }, options?: { abortSignal?: AbortSignal }) => {
    const pending = send(command as never, options as never);
    const poll = polls.get(command.input.QueueUrl!);
    if (poll) poll.signal = options?.abortSignal;
    return pending;
  }) as typeof client.send;
  const queue = new SqsMessageQueue(client, { workflow: { url: WORKFLOW_URL }, step: { url: STEP_URL } }, { maxDelaySeconds: 900, maxMessageBytes: 1024 });
  consumer = createPollingConsumer({
    queue,
    processor: {
      process: async (_channel: string, message: { body: string }) => {
        processed.push(message.body);
        return { kind: 'ack' };
      },
    } as never,
    clock,
    logger: new RecordingLogger(),
    concurrency: 4,
    visibilitySeconds: 60,
    pollWaitSeconds: 1,
  });
});

async function turns(n = 20): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
}

const message = (id: string) => ({ MessageId: id, ReceiptHandle: `receipt-${id}`, Body: id, Attributes: { ApproximateReceiveCount: '1' } });

it('a poll answered after close() is not aborted, and its messages go back in one ChangeMessageVisibilityBatch per queue with visibility 0', async () => {
  consumer.start();
  await turns();
  expect([...polls.keys()].sort()).toEqual([STEP_URL, WORKFLOW_URL]);
  expect(polls.get(STEP_URL)!.waitSeconds).toBe(1);

  let closed = false;
  const closing = consumer.close().then(() => (closed = true));
  await turns();
  // Both polls are still in flight: close() waits for their answers instead of cutting them off.
  expect(closed).toBe(false);
  expect(polls.get(STEP_URL)!.signal?.aborted).toBe(false);
  expect(polls.get(WORKFLOW_URL)!.signal?.aborted).toBe(false);

  // SQS hands the step poll two messages after close() began; the workflow poll ends empty.
  polls.get(STEP_URL)!.answer({ Messages: [message('s1'), message('s2')] });
  polls.get(WORKFLOW_URL)!.answer({});
  await closing;

  expect(processed).toEqual([]);
  expect(sqs.commandCalls(ChangeMessageVisibilityBatchCommand).map((c) => c.args[0].input)).toEqual([
    {
      QueueUrl: STEP_URL,
      Entries: [
        { Id: '0', ReceiptHandle: 'receipt-s1', VisibilityTimeout: 0 },
        { Id: '1', ReceiptHandle: 'receipt-s2', VisibilityTimeout: 0 },
      ],
    },
  ]);
  // No new poll was started after close().
  expect(sqs.commandCalls(ReceiveMessageCommand)).toHaveLength(2);
});

it('close() while idle returns as soon as the polls end by themselves, with nothing to hand back', async () => {
  consumer.start();
  await turns();
  let closed = false;
  const closing = consumer.close().then(() => (closed = true));
  await turns();
  expect(closed).toBe(false);
  expect([...polls.values()].every((poll) => poll.signal?.aborted === false)).toBe(true);
  for (const poll of polls.values()) poll.answer({});
  await closing;
  expect(sqs.commandCalls(ChangeMessageVisibilityBatchCommand)).toHaveLength(0);
});

it('a poll that outlives its wait plus the 1 s margin (a stalled connection) is aborted, so close() still returns', async () => {
  consumer.start();
  await turns();
  const closing = consumer.close();
  await turns();
  await clock.advance(1_999);
  expect([...polls.values()].some((poll) => poll.signal?.aborted)).toBe(false);
  await clock.advance(1);
  expect([...polls.values()].every((poll) => poll.signal?.aborted)).toBe(true);
  // The SDK rejects an aborted send; the mock's promise stays pending, so answer it as the abort would end it.
  for (const poll of polls.values()) poll.answer({});
  await closing;
  expect(sqs.commandCalls(ChangeMessageVisibilityBatchCommand)).toHaveLength(0);
});
