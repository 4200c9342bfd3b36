// A run's safety net across processes, on the real SQS and DynamoDB adapters:
// a process that ran a step in process dies mid-step (its timers and lease
// extensions stop, nothing more is sent); its run's net, received by another
// process, replays the run, and that recovering replay's copy takes the step
// over once the dead lease lapses. The body then runs once more, there.
import { jest } from '@jest/globals';
import type { Storage, ValidQueueName } from '@workflow/world';
import { gateCommits } from '../../../src/application/queue/inline-steps.js';
import { SystemClock } from '../../../src/adapters/system/system-clock.js';
import type { Clock } from '../../../src/ports/clock.js';
import { closeWorlds, queueWorld, startLocalStack, waitFor, type LocalStack } from './local-stack.js';

jest.setTimeout(90_000);

const WF = '__wkf_workflow_wf' as ValidQueueName;
const STEP = '__wkf_step_s' as ValidQueueName;
/** Short leases: the net falls due 3 s + 30 s skew margin + 1 s after it is sent. */
const config = { visibilitySeconds: 3, delivery: 'in-process' as const };

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack();
});
/** Ends the dead process's body, so closing its world does not wait forever. */
let bury: () => void = () => undefined;
afterEach(async () => {
  bury();
  await closeWorlds();
});
afterAll(async () => {
  await stack?.stop();
});

/** A process frozen from now on: its sleeps end only when aborted, so it extends no lease and arms no successor net. */
function frozenClock(): Clock {
  const system = new SystemClock();
  return {
    now: () => system.now(),
    sleep: (_ms, signal) => new Promise<void>((_resolve, reject) => signal?.addEventListener('abort', () => reject(signal.reason), { once: true })),
  };
}

const stepPayload = (runId: string) => ({ workflowName: 'wf', workflowRunId: runId, workflowStartedAt: 1, stepId: `step_${runId}` });
const running = (): Storage['runs'] => ({ get: async (runId: string) => ({ runId, status: 'running' }), list: async () => ({ data: [], cursor: null, hasMore: false }) }) as unknown as Storage['runs'];

it('a process dies while it runs a step in process: its run\'s net, received elsewhere, replays the run and the step runs there', async () => {
  const runId = `wrun_net${Date.now()}`;
  const key = `step_${runId}`;
  const bodies: string[] = [];
  const commit = gateCommits(async (_runId: string, _data: { eventType: string; correlationId: string }) => undefined);

  // The process that dies: no consumer (it never receives), a clock frozen after the start.
  const dying = queueWorld(stack, { config: { ...config, consumer: 'none' }, clock: frozenClock() });
  dying.services.createQueueHandler('__wkf_workflow_', async () => {
    await commit(runId, { eventType: 'step_created', correlationId: key });
    await dying.services.queue(STEP, stepPayload(runId), { idempotencyKey: key });
  });
  dying.services.createQueueHandler('__wkf_step_', async () => {
    await commit(runId, { eventType: 'step_started', correlationId: key });
    bodies.push('dying');
    await new Promise<void>((resolve) => (bury = resolve)); // killed mid-body
  });
  await dying.registry.lookup(WF)!({ v: 1, id: 'msg_wf_start', queueName: WF, deploymentId: 'aws:it', payload: { runId } }, { attempt: 1 });
  await waitFor(() => bodies.length === 1, 5_000);

  // Another process: its replay of the run re-queues the pending step.
  const survivor = queueWorld(stack, { config, runs: running() });
  const replays: number[] = [];
  survivor.services.createQueueHandler('__wkf_workflow_', async (_payload, meta) => {
    replays.push(meta.attempt);
    await survivor.services.queue(STEP, stepPayload(runId), { idempotencyKey: key });
  });
  survivor.services.createQueueHandler('__wkf_step_', async (_payload, meta) => {
    bodies.push(`survivor:${meta.attempt}`);
  });
  await survivor.services.consumer.start();

  await waitFor(() => bodies.length === 2, 75_000);
  // One replay (the net's), and the step's second attempt, there; the dead body was the first.
  expect(replays).toEqual([1]);
  expect(bodies).toEqual(['dying', 'survivor:2']);
});
