// Wake-up continuations: a run's wake-up queued by one of its step handlers is
// replayed right after that handler, in process, before the step message is
// acked; anything that cannot finish that way is sent as a queue message first.
import type { Storage, ValidQueueName } from '@workflow/world';
import { createHandlerRegistry } from '../../../../src/application/queue/handler-registry.js';
import type { QueueConfig, QueueServices } from '../../../../src/application/queue/queue-services.js';
import type { RuntimeHandler } from '../../../../src/application/queue/queue-handler.js';
import { ENVELOPE_VERSION, type Envelope } from '../../../../src/application/queue/envelope.js';
import { LocalCoordination } from '../../../../src/application/queue/local-coordination.js';
import { attachWakeup, withWakeupContinuations } from '../../../../src/application/queue/wakeup-continuation.js';
import { takeSelfWokenReplay } from '../../../../src/application/storage/self-woken-replay.js';
import { createHarness, fakeRuns, recordedQueueServices, type Harness, until } from './harness.js';

let h: Harness;
let ops: string[];
let worlds: QueueServices[];

function world(config: Partial<QueueConfig> = {}, runs: Storage['runs'] = fakeRuns([])): QueueServices {
  const services = recordedQueueServices(h, ops, config, runs);
  worlds.push(services);
  return services;
}

const WF = '__wkf_workflow_wf' as ValidQueueName;
const STEP = '__wkf_step_s' as ValidQueueName;
const stepPayload = (runId: string) => ({ workflowName: 'wf', workflowRunId: runId, workflowStartedAt: 1, stepId: 'step_1' });

interface Call {
  queueName: string;
  payload: unknown;
  attempt: number;
}

/**
 * The runtime's two handlers on a separate world instance (as the runtime
 * builds them). The step handler runs `step` with that world's queue().
 */
function mountRuntime(step: (queue: QueueServices['queue'], payload: { workflowRunId: string }) => Promise<unknown>, flow: RuntimeHandler = async () => undefined): Call[] {
  const calls: Call[] = [];
  const runtime = world();
  runtime.createQueueHandler('__wkf_workflow_', async (payload, meta) => {
    calls.push({ queueName: meta.queueName, payload, attempt: meta.attempt });
    return flow(payload, meta);
  });
  runtime.createQueueHandler('__wkf_step_', async (payload, meta) => {
    calls.push({ queueName: meta.queueName, payload, attempt: meta.attempt });
    return (await step(runtime.queue, payload as { workflowRunId: string })) as undefined;
  });
  return calls;
}

beforeEach(() => {
  h = createHarness();
  h.registry = createHandlerRegistry();
  ops = [];
  worlds = [];
});

afterEach(async () => {
  const closing = Promise.all(worlds.map((w) => w.consumer.close()));
  await h.clock.advance(1_000);
  await closing;
});

it('replays the run right after the step handler, before the step message is acked, with no workflow message', async () => {
  const calls = mountRuntime(async (queue, payload) => {
    await queue(WF, { runId: payload.workflowRunId, requestedAt: new Date(0) });
  });
  await world().queue(STEP, stepPayload('wrun_1'), { idempotencyKey: 'step_1' });
  await until(() => ops.includes('ack:step'));
  expect(calls.map((c) => c.queueName)).toEqual([STEP, WF]);
  // What a queue delivery would have decoded: the date as its JSON string, attempt 1.
  expect(calls[1]).toEqual({ queueName: WF, payload: { runId: 'wrun_1', requestedAt: '1970-01-01T00:00:00.000Z' }, attempt: 1 });
  expect(ops).toEqual(['send:step:0', 'ack:step']);
  expect(h.queue.messageCount('workflow')).toBe(0);
});

it('sends the wake-up as a message when the replay throws, before the step message is acked', async () => {
  let replays = 0;
  const calls = mountRuntime(
    async (queue, payload) => {
      await queue(WF, { runId: payload.workflowRunId });
    },
    async () => {
      if (++replays === 1) throw new Error('storage down');
    },
  );
  await world().queue(STEP, stepPayload('wrun_1'), { idempotencyKey: 'step_1' });
  await until(() => calls.filter((c) => c.queueName === WF).length === 2);
  expect(ops.slice(0, 3)).toEqual(['send:step:0', 'send:workflow:0', 'ack:step']);
  await until(() => ops.includes('ack:workflow'));
});

it('sends the wake-up with its delay when the replay asks for a later redelivery', async () => {
  mountRuntime(
    async (queue, payload) => {
      await queue(WF, { runId: payload.workflowRunId });
    },
    async () => ({ timeoutSeconds: 120 }),
  );
  await world().queue(STEP, stepPayload('wrun_1'), { idempotencyKey: 'step_1' });
  await until(() => ops.includes('ack:step'));
  expect(ops).toEqual(['send:step:0', 'send:workflow:120', 'ack:step']);
});

it('sends the wake-ups a failing step handler queued, and the step message is retried', async () => {
  const calls = mountRuntime(async (queue, payload) => {
    await queue(WF, { runId: payload.workflowRunId });
    throw new Error('step failed after queueing');
  });
  await world().queue(STEP, stepPayload('wrun_1'), { idempotencyKey: 'step_1' });
  await until(() => ops.includes('visibility:step:0'));
  expect(ops.slice(0, 3)).toEqual(['send:step:0', 'send:workflow:0', 'visibility:step:0']);
  expect(ops).not.toContain('ack:step');
  await until(() => calls.some((c) => c.queueName === WF));
});

it('sends wake-ups of another run, delayed ones, and ones queued after the handler returned', async () => {
  let late!: Promise<unknown>;
  mountRuntime(async (queue, payload) => {
    await queue(WF, { runId: 'wrun_other' });
    await queue(WF, { runId: payload.workflowRunId }, { delaySeconds: 5 });
    late = new Promise((resolve) => setImmediate(resolve)).then(() => queue(WF, { runId: payload.workflowRunId }));
  });
  await world().queue(STEP, stepPayload('wrun_1'), { idempotencyKey: 'step_1' });
  await until(() => ops.includes('ack:step'));
  await late;
  expect(ops.filter((o) => o.startsWith('send:workflow'))).toEqual(['send:workflow:0', 'send:workflow:5', 'send:workflow:0']);
});

it('sends the wake-up when no workflow handler is registered in this process', async () => {
  const runtime = world();
  runtime.createQueueHandler('__wkf_step_', async (payload) => {
    await runtime.queue(WF, { runId: (payload as { workflowRunId: string }).workflowRunId });
  });
  await world().queue(STEP, stepPayload('wrun_1'), { idempotencyKey: 'step_1' });
  await until(() => ops.includes('ack:step'));
  expect(ops.slice(0, 2)).toEqual(['send:step:0', 'send:workflow:0']);
  expect(ops.indexOf('send:workflow:0')).toBeLessThan(ops.indexOf('ack:step'));
});

it('fails the step delivery when a fallback send fails, so its redelivery queues the wake-up again', async () => {
  mountRuntime(
    async (queue, payload) => {
      await queue(WF, { runId: payload.workflowRunId });
    },
    async () => {
      throw new Error('replay failed');
    },
  );
  const send = h.queue.send.bind(h.queue);
  let failNextWorkflowSend = true;
  h.queue.send = async (channel, message) => {
    if (channel === 'workflow' && failNextWorkflowSend) {
      failNextWorkflowSend = false;
      throw new Error('SQS down');
    }
    return send(channel, message);
  };
  await world().queue(STEP, stepPayload('wrun_1'), { idempotencyKey: 'step_1' });
  await until(() => ops.includes('ack:step'));
  // First delivery: the fallback send failed, so the step message is hidden for a retry, not acked;
  // the redelivery queues the wake-up again and is acked once it is sent.
  expect(ops.slice(0, 5)).toEqual(['send:step:0', 'send:workflow:0', 'visibility:step:0', 'send:workflow:0', 'ack:step']);
  expect(h.logger.at('warn').some((entry) => String(entry.fields?.reason ?? '').includes('SQS down'))).toBe(true);
});

describe('self-woken replays', () => {
  /** What the storage would see at the replay's run_started: whether it may start from this process's own commit. */
  const selfWoken = (seen: boolean[]): RuntimeHandler => async (payload) => {
    seen.push(takeSelfWokenReplay((payload as { runId: string }).runId));
  };

  it('the continuation of a step run here is a self-woken replay of its run', async () => {
    const seen: boolean[] = [];
    mountRuntime(async (queue, payload) => {
      await queue(WF, { runId: payload.workflowRunId });
    }, selfWoken(seen));
    await world().queue(STEP, stepPayload('wrun_1'), { idempotencyKey: 'step_1' });
    await until(() => ops.includes('ack:step'));
    expect(seen).toEqual([true]);
  });

  it('a continuation that absorbed another wake-up of its run is not: its replay reads the log', async () => {
    const seen: boolean[] = [];
    mountRuntime(async (queue, payload) => {
      await queue(WF, { runId: payload.workflowRunId });
      // Dropped into the pending continuation (send-coalescer.ts): its event may not be this process's.
      await queue(WF, { runId: payload.workflowRunId });
    }, selfWoken(seen));
    await world().queue(STEP, stepPayload('wrun_1'), { idempotencyKey: 'step_1' });
    await until(() => ops.includes('ack:step'));
    expect(seen).toEqual([false]);
    expect(h.queue.messageCount('workflow')).toBe(0);
  });

  it('a world that runs no step in process (Lambda mode) never makes one: its continuation reads the log', async () => {
    const wake: Envelope = { v: ENVELOPE_VERSION, id: 'msg_wake', queueName: WF, deploymentId: 'd', payload: { runId: 'wrun_1' } };
    const run = async (selfWokenReplays: boolean) => {
      const seen: boolean[] = [];
      const deps = {
        lookup: () => async () => (seen.push(takeSelfWokenReplay('wrun_1')), { kind: 'done' as const }),
        local: new LocalCoordination(h.clock),
        now: () => h.clock.now(),
        selfWokenReplays,
      };
      await withWakeupContinuations({ runId: 'wrun_1', messageId: 'msg_step', finished: () => true }, deps, async () => {
        expect(attachWakeup(wake, async () => undefined)).toBe(true);
      });
      return seen;
    };
    expect(await run(false)).toEqual([false]);
    expect(await run(true)).toEqual([true]);
  });

  it('a replay started by a queue delivery is not', async () => {
    const seen: boolean[] = [];
    mountRuntime(async () => undefined, selfWoken(seen));
    await world().queue(WF, { runId: 'wrun_1' });
    await until(() => seen.length === 1);
    expect(seen).toEqual([false]);
  });
});
