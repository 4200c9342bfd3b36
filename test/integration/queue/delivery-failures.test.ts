// What SQS does with messages whose delivery fails: a consumer that dies
// before acking gets its message redelivered, and a poison message ends in the
// dead-letter queue after maxReceiveCount, with an error naming it.
import { jest } from '@jest/globals';
import type { ValidQueueName } from '@workflow/world';
import type { MessageQueue } from '../../../src/ports/message-queue.js';
import { closeWorlds, queueWorld, receiveFromDlq, startLocalStack, waitFor, type LocalStack } from './local-stack.js';

jest.setTimeout(60_000);

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack();
});
afterEach(closeWorlds);
afterAll(async () => {
  await stack?.stop();
});

/** After `dead.value` is set, every call fails: the process is gone (no lease extension, no ack). */
function dying(dead: { value: boolean }): (queue: MessageQueue) => MessageQueue {
  const check = () => {
    if (dead.value) throw new Error('process is dead');
  };
  return (queue) => ({
    maxDelaySeconds: queue.maxDelaySeconds,
    maxMessageBytes: queue.maxMessageBytes,
    send: async (c, m) => (check(), queue.send(c, m)),
    receive: async (c, o) => (check(), queue.receive(c, o)),
    ack: async (c, r) => (check(), queue.ack(c, r)),
    setVisibility: async (c, r, s) => (check(), queue.setVisibility(c, r, s)),
  });
}

it('redelivers a message whose consumer died before acking, as attempt 2', async () => {
  const dead = { value: false };
  const a = queueWorld(stack, { config: { visibilitySeconds: 2 }, wrap: dying(dead) });
  let release: (() => void) | undefined;
  let aCalls = 0;
  a.services.createQueueHandler('__wkf_workflow_', async () => {
    aCalls++;
    dead.value = true; // the process crashes mid-handler
    await new Promise<void>((resolve) => (release = resolve));
  });
  try {
    await a.services.queue('__wkf_workflow_wf' as ValidQueueName, { runId: 'wrun_crash' });
    await waitFor(() => aCalls === 1, 10_000);

    const b = queueWorld(stack);
    const seen: Array<{ attempt: number; payload: unknown }> = [];
    b.services.createQueueHandler('__wkf_workflow_', async (payload, meta) => {
      seen.push({ attempt: meta.attempt, payload });
    });
    await b.services.consumer.start();
    await waitFor(() => seen.length === 1, 15_000);
    expect(seen).toEqual([{ attempt: 2, payload: { runId: 'wrun_crash' } }]);
  } finally {
    // Lets the dead consumer's handler return so its close() can drain.
    release?.();
  }
  expect(aCalls).toBe(1);
});

it('moves a poison message to the DLQ after maxReceiveCount and logs an error naming it', async () => {
  // Provisioned queues redrive after 10 receives; a zero backoff base retries at once.
  const { services, logger } = queueWorld(stack, { config: { maxReceiveCount: 10, retryBaseSeconds: 0 } });
  let attempts = 0;
  services.createQueueHandler('__wkf_step_', async () => {
    attempts++;
    throw new Error('poison');
  });
  const { messageId } = await services.queue('__wkf_step_step//./a//b' as ValidQueueName, {
    workflowName: 'wf',
    workflowRunId: 'wrun_poison',
    workflowStartedAt: 1,
    stepId: 'step_poison',
  });
  let dead: string[] = [];
  await waitFor(() => attempts === 10, 30_000);
  for (let i = 0; i < 10 && dead.length === 0; i++) dead = await receiveFromDlq(stack, 'stepDlq');
  await services.consumer.close();
  expect(attempts).toBe(10);
  expect(dead).toHaveLength(1);
  expect(JSON.parse(dead[0]!)).toMatchObject({ id: messageId, queueName: '__wkf_step_step//./a//b' });
  // An error when it nears the threshold (the last tenth of its receives), and one on the last attempt.
  const errors = logger.at('error');
  expect(errors.map((e) => e.fields?.attempt)).toEqual([9, 10]);
  expect(errors[0]!.message).toMatch(/near the dead-letter threshold/);
  expect(errors[1]!.fields).toMatchObject({ messageId, runId: 'wrun_poison', stepId: 'step_poison', queueName: '__wkf_step_step//./a//b', attempt: 10 });
});
