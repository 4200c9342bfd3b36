// The replay right after a step run in process starts from the log that
// process committed, with no read (application/storage/self-woken-replay.ts).
// Two processes (two process scopes) on one embedded local AWS: right after A
// commits a step's completion, B appends to the run before A's replay runs.
// A's replay acts on its own commit's log; B's append still takes effect,
// through B's own wake-up (hook_received) or through A's next commit
// conflicting (run_cancelled). The handlers play the runtime's part: replay
// the log run_started returns, append what it asks for, queue the step.
import { jest } from '@jest/globals';
import type { Event, ValidQueueName, World } from '@workflow/world';
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { resolveWorldConfig } from '../../../src/config/world-config.js';
import { newUlid } from '../../../src/domain/ids.js';
import { startLocalAws, type LocalAws } from '../../../src/infra/local-aws/index.js';
import { ProcessScope } from '../../../src/process-scope.js';
import { compose } from '../../../src/world/compose.js';

jest.setTimeout(60_000);

/** Runs B's part outside A's step handler: in one OS process, B's queue() would otherwise join A's step as its continuation. */
const inB = AsyncLocalStorage.snapshot();

const WF = '__wkf_workflow_wf' as ValidQueueName;
const STEP = '__wkf_step_s' as ValidQueueName;

let local: LocalAws;
const saved = { ...process.env };
const worlds: Array<{ close(): Promise<void> }> = [];
beforeAll(async () => {
  local = await startLocalAws({ name: 'selfwoken' });
  Object.assign(process.env, local.env);
});
afterEach(async () => {
  await Promise.all(worlds.splice(0).map((w) => w.close()));
});
afterAll(async () => {
  await local.stop();
  process.env = saved;
});

function processWorld(consumer: 'process' | 'none'): World {
  const world = compose(resolveWorldConfig({ consumer, delivery: 'in-process' }), new ProcessScope());
  worlds.push(world);
  return world;
}

const create = (world: World, runId: string, request: object) => world.events.create(runId, request as never);
const has = (log: Event[], type: string, correlationId?: string) => log.some((e) => e.eventType === type && (correlationId === undefined || e.correlationId === correlationId));
const types = (log: Event[]) => log.map((e) => `${e.eventType}${e.correlationId ? `:${e.correlationId}` : ''}`);
const isConflict = (error: unknown) => ['EntityConflictError', 'RunExpiredError'].includes((error as Error).name);

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A's runtime: a workflow that creates hook_1, runs step_1, then waits for
 * the hook (`steps` = ['step_1']) or runs step_2 (['step_1', 'step_2']) and
 * completes. `afterStep` runs in A's step handler right after its
 * step_completed commit, before the wake-up it then queues.
 */
function mountRuntime(a: World, steps: string[], afterStep: (stepId: string) => Promise<void>) {
  const replays: string[][] = [];
  const bodies: string[] = [];
  a.createQueueHandler('__wkf_workflow_', async (payload) => {
    const { runId } = payload as { runId: string };
    let started;
    try {
      started = await create(a, runId, { eventType: 'run_started' });
    } catch (error) {
      if (isConflict(error)) return undefined;
      throw error;
    }
    const log = started.events!;
    replays.push(types(log));
    try {
      if (!has(log, 'hook_created')) await create(a, runId, { eventType: 'hook_created', correlationId: 'hook_1', eventData: { token: `tok-${runId}` } });
      for (const stepId of steps) {
        if (has(log, 'step_completed', stepId)) continue;
        if (!has(log, 'step_created', stepId)) {
          await create(a, runId, { eventType: 'step_created', correlationId: stepId, eventData: { stepName: 's', input: new Uint8Array([1]) } });
        }
        await a.queue(STEP, { workflowName: 'wf', workflowRunId: runId, workflowStartedAt: 1, stepId }, { idempotencyKey: `${stepId}-${runId}` }); // the runtime's keys are unique step ids
        return undefined;
      }
      if (steps.length === 1 && !has(log, 'hook_received')) return undefined; // suspended on the hook
      await create(a, runId, { eventType: 'run_completed', eventData: { output: new Uint8Array([42]) } });
    } catch (error) {
      // The run ended meanwhile: the runtime drops the replay.
      if (!isConflict(error)) throw error;
    }
    return undefined;
  });
  a.createQueueHandler('__wkf_step_', async (payload) => {
    const { workflowRunId: runId, stepId } = payload as { workflowRunId: string; stepId: string };
    await create(a, runId, { eventType: 'step_started', correlationId: stepId });
    bodies.push(stepId);
    await create(a, runId, { eventType: 'step_completed', correlationId: stepId, eventData: { result: new Uint8Array([7]) } });
    await afterStep(stepId);
    await a.queue(WF, { runId });
    return undefined;
  });
  return { replays, bodies };
}

async function startRun(a: World): Promise<string> {
  const runId = newUlid('wrun_', Date.now(), randomBytes(10));
  await create(a, runId, { eventType: 'run_created', eventData: { deploymentId: 'dpl', workflowName: 'wf', input: new Uint8Array([1]) } });
  await a.queue(WF, { runId });
  return runId;
}

it('a hook received in another process right after a step completed here still wakes the run, which completes', async () => {
  const a = processWorld('process');
  const b = processWorld('none');
  let runId = '';
  const { replays, bodies } = mountRuntime(a, ['step_1'], async () => {
    await inB(async () => {
      await create(b, runId, { eventType: 'hook_received', correlationId: 'hook_1', eventData: { payload: new Uint8Array([5]) } });
      await b.queue(WF, { runId }); // B's wake-up, as resumeHook queues it
    });
  });
  runId = await startRun(a);

  const run = await waitFor('the run to complete', async () => {
    const current = await a.runs.get(runId);
    return current.status === 'completed' ? current : undefined;
  });
  expect(run.status).toBe('completed');
  expect(bodies).toEqual(['step_1']);
  // The replay right after the step acted on A's own commit: B's hook_received was not in its log.
  const afterStep = replays.find((log) => log.includes('step_completed:step_1'))!;
  expect(afterStep.at(-1)).toBe('step_completed:step_1');
  expect(afterStep).not.toContain('hook_received:hook_1');
  // B's wake-up replayed the run on a log that has it.
  expect(replays.some((log) => log.includes('hook_received:hook_1'))).toBe(true);
  const { data } = await a.events.list({ runId, pagination: { limit: 100 } });
  expect(data.map((e) => e.eventType).at(-1)).toBe('run_completed');
});

it('a run cancelled in another process right after a step completed here stops: the replay’s next commit is refused', async () => {
  const a = processWorld('process');
  const b = processWorld('none');
  let runId = '';
  const { replays, bodies } = mountRuntime(a, ['step_1', 'step_2'], async (stepId) => {
    if (stepId === 'step_1') await inB(() => create(b, runId, { eventType: 'run_cancelled' }));
  });
  runId = await startRun(a);

  await waitFor('the replay after step_1', async () => (replays.some((log) => log.includes('step_completed:step_1')) ? true : undefined));
  // Let anything the replay started settle.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  expect((await a.runs.get(runId)).status).toBe('cancelled');
  expect(bodies).toEqual(['step_1']);
  const afterStep = replays.find((log) => log.includes('step_completed:step_1'))!;
  expect(afterStep).not.toContain('run_cancelled');
  const { data } = await a.events.list({ runId, pagination: { limit: 100 } });
  expect(data.map((e) => e.eventType).at(-1)).toBe('run_cancelled');
  expect(data.some((e) => e.eventType === 'step_created' && e.correlationId === 'step_2')).toBe(false);
});
