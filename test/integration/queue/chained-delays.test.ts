// Chained delays on SQS: a delay longer than the hop cap arrives on time, in
// the expected number of hops, whether it comes from delaySeconds or from a
// handler's {timeoutSeconds}.
import { jest } from '@jest/globals';
import type { ValidQueueName } from '@workflow/world';
import { closeWorlds, countingSends, queueWorld, startLocalStack, waitFor, type LocalStack } from './local-stack.js';

jest.setTimeout(40_000);

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack();
});
afterEach(closeWorlds);
afterAll(async () => {
  await stack?.stop();
});

it('completes a 10 s delay with a 2 s hop cap after at least 10 s, in 5 hops', async () => {
  const delays: number[] = [];
  const { services } = queueWorld(stack, { config: { maxDelaySeconds: 2 }, wrap: countingSends(delays) });
  const deliveredAt: number[] = [];
  const attempts: number[] = [];
  services.createQueueHandler('__wkf_workflow_', async (_payload, meta) => {
    deliveredAt.push(Date.now());
    attempts.push(meta.attempt);
  });
  const sentAt = Date.now();
  await services.queue('__wkf_workflow_wf' as ValidQueueName, { runId: 'wrun_sleep' }, { delaySeconds: 10 });
  await waitFor(() => deliveredAt.length === 1, 25_000);
  await services.consumer.close();
  expect(deliveredAt[0]! - sentAt).toBeGreaterThanOrEqual(10_000);
  expect(deliveredAt[0]! - sentAt).toBeLessThan(16_000);
  expect(delays).toEqual([2, 2, 2, 2, 2]);
  expect(attempts).toEqual([1]);
});

it('redelivers a {timeoutSeconds} longer than the hop cap on time, with a fresh attempt', async () => {
  const delays: number[] = [];
  const { services } = queueWorld(stack, { config: { maxDelaySeconds: 2 }, wrap: countingSends(delays) });
  const deliveries: Array<{ at: number; attempt: number; messageId: string }> = [];
  services.createQueueHandler('__wkf_step_', async (_payload, meta) => {
    deliveries.push({ at: Date.now(), attempt: meta.attempt, messageId: meta.messageId });
    // A RetryableError's retryAfter, as the step handler reports it.
    return deliveries.length === 1 ? { timeoutSeconds: 5 } : undefined;
  });
  const { messageId } = await services.queue('__wkf_step_step//./src/a//b' as ValidQueueName, {
    workflowName: 'wf',
    workflowRunId: 'wrun_retry',
    workflowStartedAt: 1,
    stepId: 'step_retry',
  });
  await waitFor(() => deliveries.length === 2, 20_000);
  await services.consumer.close();
  expect(deliveries[1]!.at - deliveries[0]!.at).toBeGreaterThanOrEqual(5_000);
  expect(deliveries.map((d) => [d.attempt, d.messageId])).toEqual([
    [1, messageId],
    [1, messageId],
  ]);
  // The original send, then the reschedule and its chained hops: 2 + 2 + 1 s.
  expect(delays).toEqual([0, 2, 2, 1]);
});
