// A consumer restarted while its long polls are waiting, on an SQS that (like
// real SQS) keeps a message it hands to a gone poll hidden for the receive
// lease: close() lets the polls end, hands back what they took, and the next
// consumer runs the message well inside the 5 s receive lease.
import { jest } from '@jest/globals';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { ValidQueueName } from '@workflow/world';
import { createHandlerRegistry } from '../../../src/application/queue/handler-registry.js';
import type { MessageQueue } from '../../../src/ports/message-queue.js';
import { closeWorlds, queueWorld, startLocalStack, waitFor, type LocalStack } from './local-stack.js';

jest.setTimeout(30_000);

/** The receive lease the consumer asks for (consumer.ts). */
const RECEIVE_LEASE_MS = 5_000;
/** The consumer's own defaults: the poll wait from the settings, and close() waiting for the polls. */
const DEFAULTS = { pollWaitSeconds: undefined, closeGraceMs: undefined };

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack({ handBackGonePolls: false });
});
afterEach(closeWorlds);
afterAll(async () => {
  await stack?.stop();
});

/** Counts the receives that have started on the workflow queue. */
function countingReceives(started: { workflow: number }): (queue: MessageQueue) => MessageQueue {
  return (queue) => ({
    maxDelaySeconds: queue.maxDelaySeconds,
    maxMessageBytes: queue.maxMessageBytes,
    send: (channel, message) => queue.send(channel, message),
    receive: (channel, options) => {
      if (channel === 'workflow') started.workflow++;
      return queue.receive(channel, options);
    },
    ack: (channel, receipt) => queue.ack(channel, receipt),
    setVisibility: (channel, receipt, seconds) => queue.setVisibility(channel, receipt, seconds),
  });
}

it('on this SQS, a message handed to an aborted long poll stays hidden for its lease (why close() must not abort)', async () => {
  const url = stack.aws.queueUrls.step;
  const abort = new AbortController();
  const gone = stack.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5, VisibilityTimeout: 30 }), { abortSignal: abort.signal }).catch(() => undefined);
  await new Promise((resolve) => setTimeout(resolve, 300));
  abort.abort();
  await gone;
  await stack.clients.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'taken by a gone poll' }));
  const next = await stack.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 2, VisibilityTimeout: 30 }));
  expect(next.Messages).toBeUndefined();
});

it('a message sent while a consumer closes mid-poll is handed back and runs on the next consumer inside the receive lease', async () => {
  const started = { workflow: 0 };
  // 5 s polls, so the message below arrives while the poll still waits, after the 500 ms at which close() used to abort it.
  const closing = queueWorld(stack, { wrap: countingReceives(started), queueOptions: { pollWaitSeconds: 5, closeGraceMs: undefined } });
  closing.services.consumer.start();
  const before = started.workflow;
  await waitFor(() => started.workflow > before, 5_000);
  const closed = closing.services.consumer.close();
  await new Promise((resolve) => setTimeout(resolve, 700));
  // The restarted app sends its first message.
  const producer = queueWorld(stack, { config: { consumer: 'none' } });
  await producer.services.queue('__wkf_workflow_wf' as ValidQueueName, { runId: 'wrun_restart' });
  await closed;

  const seen: Array<{ payload: unknown; attempt: number }> = [];
  const registry = createHandlerRegistry();
  const next = queueWorld(stack, { registry, queueOptions: DEFAULTS });
  next.services.createQueueHandler('__wkf_workflow_', async (payload, meta) => {
    seen.push({ payload, attempt: meta.attempt });
  });
  next.services.consumer.start();
  // Well inside the lease the closing consumer's poll took it with.
  await waitFor(() => seen.length === 1, RECEIVE_LEASE_MS - 2_000);
  // The second receive: the closing consumer's poll took it and handed it back.
  expect(seen).toEqual([{ payload: { runId: 'wrun_restart' }, attempt: 2 }]);
});

it('close() while idle waits only for the polls in flight to end (at most the 1 s poll wait)', async () => {
  const idle = queueWorld(stack, { queueOptions: DEFAULTS });
  idle.services.consumer.start();
  await new Promise((resolve) => setTimeout(resolve, 300));
  await idle.services.consumer.close();
  // Nothing was received, so nothing is handed back, and no poll is left behind to take the next message.
  await stack.clients.sqs.send(new SendMessageCommand({ QueueUrl: stack.aws.queueUrls.step, MessageBody: 'after close' }));
  const next = await stack.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: stack.aws.queueUrls.step, WaitTimeSeconds: 2, VisibilityTimeout: 30 }));
  expect(next.Messages?.map((m) => m.Body)).toEqual(['after close']);
});
