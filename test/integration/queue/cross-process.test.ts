// One delivery lifecycle across processes, on the real SQS and DynamoDB
// adapters: each world has its own handler registry and in-process knowledge
// (as separate processes would), and they share one installation.
import { jest } from '@jest/globals';
import type { ValidQueueName } from '@workflow/world';
import { SystemClock } from '../../../src/adapters/system/system-clock.js';
import type { Clock } from '../../../src/ports/clock.js';
import type { MessageQueue } from '../../../src/ports/message-queue.js';
import { serveRoutes, type RouteServer } from '../../unit/application/queue/route-server.js';
import { closeWorlds, queueWorld, startLocalStack, waitFor, type LocalStack } from './local-stack.js';

jest.setTimeout(60_000);

const SECRET = 'cross-process-secret';
const STEP = '__wkf_step_step//./a//b' as ValidQueueName;

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack();
});
afterEach(closeWorlds);
afterAll(async () => {
  await stack?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Another replica's clock: the system clock plus a fixed offset. */
function skewedClock(offsetMs: number): Clock {
  const system = new SystemClock();
  return { now: () => system.now() + offsetMs, sleep: (ms, signal, options) => system.sleep(ms, signal, options) };
}

const stepPayload = (runId: string) => ({ workflowName: 'wf', workflowRunId: runId, workflowStartedAt: 1, stepId: `step_${runId}` });

describe('a gateway in front of the app answers 504 before the step finishes', () => {
  let server: RouteServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('the retry finds the handler’s lease held and waits: the step body runs once', async () => {
    const bodies: string[] = [];
    const app = queueWorld(stack, { config: { signingSecret: SECRET, consumer: 'none' } });
    const step = app.services.createQueueHandler('__wkf_step_', async (payload) => {
      bodies.push((payload as { workflowRunId: string }).workflowRunId);
      await sleep(2_500);
    });
    // The gateway gives up after 300 ms and answers 504, while the app keeps running the request.
    server = await serveRoutes({
      '/.well-known/workflow/v1/step': (req) =>
        Promise.race([step(req), sleep(300).then(() => Response.json({ error: 'Gateway Timeout' }, { status: 504 }))]),
    });
    const consumer = queueWorld(stack, { config: { signingSecret: SECRET, delivery: 'http' }, env: { PORT: String(server.port) } });
    await consumer.services.queue(STEP, stepPayload('wrun_gw'), { idempotencyKey: 'step_wrun_gw' });
    await waitFor(() => bodies.length === 1, 10_000);
    // The 504 is retried after its backoff (≤ 2 s here) while the body still runs: that retry must wait.
    await sleep(5_000);
    expect(bodies).toEqual(['wrun_gw']);
    const deferred = consumer.logger.at('debug').filter((d) => d.message.includes('sent it again to wait'));
    expect(deferred.length).toBeGreaterThanOrEqual(1);
    expect(consumer.logger.at('warn').some((w) => String(w.fields?.reason).includes('504'))).toBe(true);
  });
});

describe('replicas whose clocks are 30 s off', () => {
  for (const offsetMs of [30_000, -30_000]) {
    it(`a copy received by a replica ${offsetMs > 0 ? 'ahead' : 'behind'} by 30 s never runs a step that is running`, async () => {
      const bodies: string[] = [];
      const body = async (payload: unknown) => {
        bodies.push((payload as { workflowRunId: string }).workflowRunId);
        await sleep(12_000); // longer than the 10 s lease: the holder extends it
      };
      const runId = `wrun_skew${offsetMs > 0 ? 'a' : 'b'}`;
      const sent: string[] = [];
      // The holder receives one message only, so the copy goes to the skewed replica.
      const holder = queueWorld(stack, { wrap: (queue) => ({ ...forward(queue), send: (c, m) => (sent.push(m.body), queue.send(c, m)), receive: onlyOnce(queue) }) });
      holder.services.createQueueHandler('__wkf_step_', body);
      await holder.services.queue(STEP, stepPayload(runId), { idempotencyKey: `step_${runId}` });
      await waitFor(() => bodies.length === 1, 10_000);
      const skewed = queueWorld(stack, { clock: skewedClock(offsetMs) });
      skewed.services.createQueueHandler('__wkf_step_', body);
      await skewed.services.consumer.start();
      // A copy of the message (an at-least-once duplicate).
      await stack.sqs.send('step', { body: sent[0]!, delaySeconds: 0 });
      const deferred = () => skewed.logger.at('debug').some((d) => d.message.includes('sent it again to wait'));
      await waitFor(() => deferred() || bodies.length > 1, 10_000);
      await sleep(4_000);
      expect(bodies).toEqual([runId]);
      expect(deferred()).toBe(true);
    });
  }
});

function forward(queue: MessageQueue): MessageQueue {
  return {
    maxDelaySeconds: queue.maxDelaySeconds,
    maxMessageBytes: queue.maxMessageBytes,
    send: (c, m) => queue.send(c, m),
    receive: (c, o) => queue.receive(c, o),
    ack: (c, r) => queue.ack(c, r),
    setVisibility: (c, r, v) => queue.setVisibility(c, r, v),
  };
}

/** Receives until one step message arrived, then nothing (waiting as a long poll would). */
function onlyOnce(queue: MessageQueue): MessageQueue['receive'] {
  let received = false;
  return async (channel, options) => {
    if (received || channel === 'workflow') {
      await sleep(options.waitSeconds * 1000);
      return [];
    }
    const messages = await queue.receive(channel, { ...options, maxMessages: 1 });
    if (messages.length > 0) received = true;
    return messages;
  };
}
