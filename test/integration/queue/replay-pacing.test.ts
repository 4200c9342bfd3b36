// Replay pacing on the real adapters (fauxqs, dynalite): after a long replay
// that fanned out, the run's next replay waits for the steps this process sent,
// so it sees them all done instead of replaying once per finished step.
import { jest } from '@jest/globals';
import type { ValidQueueName } from '@workflow/world';
import { closeWorlds, queueWorld, startLocalStack, waitFor, type LocalStack } from './local-stack.js';

jest.setTimeout(60_000);

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack();
});
afterEach(closeWorlds);
afterAll(async () => {
  await stack?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const WIDTH = 60; // ≥ the 50 new steps that make a replay a fan-out
const REPLAY_MS = 300; // ≥ the 250 ms below which replays are never paced

it('the replay after a long fan-out replay waits until every step sent here is done', async () => {
  const { services } = queueWorld(stack);
  const runId = `wrun_pace${process.pid}`;
  const replayStarts: number[] = [];
  const stepsDone: number[] = [];
  const wake = () => services.queue('__wkf_workflow_wf' as ValidQueueName, { runId });

  services.createQueueHandler('__wkf_workflow_', async () => {
    replayStarts.push(Date.now());
    await sleep(REPLAY_MS); // a replay as slow as a wide one
    if (replayStarts.length === 1) {
      await Promise.all(
        Array.from({ length: WIDTH }, (_, i) =>
          services.queue('__wkf_step_s' as ValidQueueName, { workflowName: 'wf', workflowRunId: runId, workflowStartedAt: 1, stepId: `step_${i}` }, { idempotencyKey: `${runId}-step_${i}` }),
        ),
      );
    }
  });
  services.createQueueHandler('__wkf_step_', async () => {
    await sleep(10);
    stepsDone.push(Date.now());
    await wake(); // every finished step wakes its run, as the runtime does
  });

  await wake();
  await waitFor(() => stepsDone.length === WIDTH && replayStarts.length >= 2, 40_000);
  await sleep(500); // a late wake-up would replay now
  await services.consumer.close();

  const lastStep = Math.max(...stepsDone);
  // Without pacing the second replay starts right after the first step (measured: one replay per few steps).
  expect(replayStarts[1]!).toBeGreaterThanOrEqual(lastStep);
  expect(replayStarts.length).toBeLessThanOrEqual(3);
});

it('a short replay that sent one step is never followed by a gap (sequential runs)', async () => {
  const { services } = queueWorld(stack);
  const runId = `wrun_seq${process.pid}`;
  const replayStarts: number[] = [];
  let stepsRun = 0;
  const wake = () => services.queue('__wkf_workflow_wf' as ValidQueueName, { runId });

  services.createQueueHandler('__wkf_workflow_', async () => {
    replayStarts.push(Date.now());
    if (replayStarts.length <= 5) {
      const i = replayStarts.length;
      await services.queue('__wkf_step_s' as ValidQueueName, { workflowName: 'wf', workflowRunId: runId, workflowStartedAt: 1, stepId: `step_${i}` }, { idempotencyKey: `${runId}-step_${i}` });
    }
  });
  services.createQueueHandler('__wkf_step_', async () => {
    stepsRun++;
    await wake();
  });

  const t0 = Date.now();
  await wake();
  await waitFor(() => replayStarts.length === 6, 20_000);
  await services.consumer.close();
  expect(stepsRun).toBe(5);
  // Five hops through SQS, no pacing gaps: well under what one 250 ms × 10 gap would add.
  expect(Date.now() - t0).toBeLessThan(10_000);
});
