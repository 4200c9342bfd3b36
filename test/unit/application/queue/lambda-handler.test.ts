// The Lambda entry: SQS records through the shared per-message logic, with
// per-item failures for ReportBatchItemFailures.
import type { ValidQueueName } from '@workflow/world';
import { createQueueServices, type QueueConfig, type QueueServices } from '../../../../src/application/queue/queue-services.js';
import type { RuntimeHandler } from '../../../../src/application/queue/queue-handler.js';
import { attachQueueServices } from '../../../../src/application/queue/services-lookup.js';
import { decodeEnvelope } from '../../../../src/application/queue/envelope.js';
import { createLambdaHandler, type SqsEvent } from '../../../../src/lambda/index.js';
import { createWorld, resolveWorldConfig } from '../../../../src/index.js';
import { memoryInstallation, resetMemoryInstallations } from '../../../../src/testing.js';
import type { QueueChannel, ReceivedMessage } from '../../../../src/ports/message-queue.js';
import { START, baseConfig, createHarness, fakeRuns, receiveNow, type Harness } from './harness.js';

const SECRET = 'lambda-secret-0123456789abcdef0123456';
const ARN = { workflow: 'arn:aws:sqs:us-east-1:000000000000:wf-workflow', step: 'arn:aws:sqs:us-east-1:000000000000:wf-step' };

let h: Harness;
let calls: Array<{ payload: unknown; attempt: number }>;
let respond: (payload: unknown) => Promise<void | { timeoutSeconds: number }>;

function services(config: Partial<QueueConfig> = {}): QueueServices {
  return createQueueServices({
    config: { ...baseConfig, consumer: 'lambda', delivery: 'http', signingSecret: SECRET, ...config },
    messageQueue: h.queue,
    blobStore: h.blobs,
    idempotencyStore: h.idempotency,
    clock: h.clock,
    ids: h.ids,
    logger: h.logger,
    runs: fakeRuns([]),
    options: { registry: h.registry, random: () => 0.99 },
  });
}

/** The bundled routes: the runtime's handlers, built on their own world instance. */
function routes(config: Partial<QueueConfig> = {}) {
  const handler: RuntimeHandler = async (payload, meta) => {
    calls.push({ payload, attempt: meta.attempt });
    return respond(payload);
  };
  const stubbed = services(config);
  return { flow: stubbed.createQueueHandler('__wkf_workflow_', handler), step: stubbed.createQueueHandler('__wkf_step_', handler) };
}

function record(channel: QueueChannel, message: ReceivedMessage) {
  return {
    messageId: message.messageId,
    receiptHandle: message.receipt,
    body: message.body,
    attributes: { ApproximateReceiveCount: String(message.receiveCount), SentTimestamp: '0' },
    messageAttributes: {},
    eventSource: 'aws:sqs',
    eventSourceARN: ARN[channel],
    awsRegion: 'us-east-1',
  };
}

async function eventFrom(channel: QueueChannel): Promise<{ event: SqsEvent; messages: ReceivedMessage[] }> {
  const messages = await receiveNow(h, channel, 960);
  return { event: { Records: messages.map((m) => record(channel, m)) }, messages };
}

beforeEach(() => {
  h = createHarness();
  calls = [];
  respond = async () => undefined;
});

it('delivers each record to the route for its kind, signed, and reports no failures', async () => {
  const app = services();
  const handler = createLambdaHandler({ ...routes(), world: attachQueueServices({}, app) });
  await app.queue('__wkf_workflow_wf' as ValidQueueName, { runId: 'wrun_1', input: new Uint8Array([1, 2]) } as never);
  const { event } = await eventFrom('workflow');
  await expect(handler(event)).resolves.toEqual({ batchItemFailures: [] });
  expect(calls).toEqual([{ payload: { runId: 'wrun_1', input: new Uint8Array([1, 2]) }, attempt: 1 }]);
});

/** Lambda-mode services whose storage defers writes to `flush`. */
function servicesFlushing(flush: () => Promise<void>) {
  return createQueueServices({
    config: { ...baseConfig, consumer: 'lambda', delivery: 'http', signingSecret: SECRET },
    messageQueue: h.queue,
    blobStore: h.blobs,
    idempotencyStore: h.idempotency,
    clock: h.clock,
    ids: h.ids,
    logger: h.logger,
    runs: fakeRuns([]),
    flushDeferredWrites: flush,
    options: { registry: h.registry, random: () => 0.99 },
  });
}

it('writes what the storage deferred before returning the batch (the environment may freeze after it)', async () => {
  const order: string[] = [];
  const app = servicesFlushing(async () => {
    order.push('flush');
  });
  respond = async () => {
    order.push('handler');
  };
  const handler = createLambdaHandler({ ...routes(), world: attachQueueServices({}, app) });
  await app.queue('__wkf_workflow_wf' as ValidQueueName, { runId: 'wrun_1' });
  const { event } = await eventFrom('workflow');
  await expect(handler(event)).resolves.toEqual({ batchItemFailures: [] });
  expect(order).toEqual(['handler', 'flush']);
});

it('logs a failed flush of deferred writes, and still reports the batch done', async () => {
  const app = servicesFlushing(async () => {
    throw new Error('ProvisionedThroughputExceededException: rate exceeded');
  });
  const handler = createLambdaHandler({ ...routes(), world: attachQueueServices({}, app) });
  await app.queue('__wkf_workflow_wf' as ValidQueueName, { runId: 'wrun_1' });
  const { event } = await eventFrom('workflow');
  await expect(handler(event)).resolves.toEqual({ batchItemFailures: [] });
  expect(h.logger.at('error')).toEqual([
    {
      level: 'error',
      message: 'Could not write deferred projections before the batch returned: run listings may lag',
      fields: { error: 'ProvisionedThroughputExceededException: rate exceeded' },
    },
  ]);
});

it('reports only the failed records, hidden for their backoff', async () => {
  const app = services();
  const handler = createLambdaHandler({ ...routes(), world: attachQueueServices({}, app) });
  respond = async (payload) => {
    if ((payload as { workflowRunId: string }).workflowRunId === 'wrun_bad') throw new Error('step infra down');
  };
  for (const runId of ['wrun_ok1', 'wrun_bad', 'wrun_ok2']) {
    await app.queue('__wkf_step_s' as ValidQueueName, { workflowName: 'wf', workflowRunId: runId, workflowStartedAt: 1, stepId: `step_${runId}` });
  }
  const { event, messages } = await eventFrom('step');
  const bad = messages.find((m) => m.body.includes('wrun_bad'))!;
  await expect(handler(event)).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: bad.messageId }] });
  // random() = 0.99 with attempt 1 → 1 s: the record reappears after its backoff, not after 960 s.
  await h.clock.advance(1_000);
  const [again] = await receiveNow(h, 'step');
  expect(again).toMatchObject({ messageId: bad.messageId, receiveCount: 2 });
});

it('re-chains an early record without calling the routes', async () => {
  const app = services({ maxDelaySeconds: 2 });
  const handler = createLambdaHandler({ ...routes(), world: attachQueueServices({}, app) });
  await app.queue('__wkf_workflow_wf' as ValidQueueName, { runId: 'wrun_1' }, { delaySeconds: 3 });
  await h.clock.advance(2_000);
  const { event } = await eventFrom('workflow');
  await expect(handler(event)).resolves.toEqual({ batchItemFailures: [] });
  expect(calls).toEqual([]);
  await h.clock.advance(1_000);
  const next = await eventFrom('workflow');
  await handler(next.event);
  expect(calls).toHaveLength(1);
  expect(h.clock.now()).toBe(START + 3_000);
});

it('sends the {timeoutSeconds} follow-up before reporting the record done', async () => {
  const app = services();
  const handler = createLambdaHandler({ ...routes(), world: attachQueueServices({}, app) });
  respond = async () => (calls.length === 1 ? { timeoutSeconds: 20 * 60 } : undefined);
  await app.queue('__wkf_workflow_wf' as ValidQueueName, { runId: 'wrun_1' });
  const { event, messages } = await eventFrom('workflow');
  await expect(handler(event)).resolves.toEqual({ batchItemFailures: [] });
  // The original is still in flight (the mapping deletes it after we return); the follow-up is queued.
  await h.queue.ack('workflow', messages[0]!.receipt);
  expect(h.queue.messageCount('workflow')).toBe(1);
  await h.clock.advance(900_000);
  const hop = await eventFrom('workflow');
  expect(decodeEnvelope(hop.messages[0]!.body).dueAt).toBe(START + 1_200_000);
});

it('reports an undecodable record as failed', async () => {
  const app = services();
  const handler = createLambdaHandler({ ...routes(), world: attachQueueServices({}, app) });
  await h.queue.send('workflow', { body: 'not an envelope', delaySeconds: 0 });
  const { event, messages } = await eventFrom('workflow');
  await expect(handler(event)).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: messages[0]!.messageId }] });
});

it('rejects deliveries when the Lambda and the routes disagree on the secret', async () => {
  const app = services({ signingSecret: 'lambda-side-0123456789abcdef0123456789' });
  const handler = createLambdaHandler({ ...routes({ signingSecret: 'route-side-0123456789abcdef01234567890' }), world: attachQueueServices({}, app) });
  await app.queue('__wkf_workflow_wf' as ValidQueueName, { runId: 'wrun_1' });
  const { event } = await eventFrom('workflow');
  const result = await handler(event);
  expect(result.batchItemFailures).toHaveLength(1);
  expect(calls).toEqual([]);
  expect(h.logger.at('warn').some((w) => String(w.fields?.reason).includes('401'))).toBe(true);
});

it('builds its world from the environment when none is passed, on the installation the routes use', async () => {
  const env = { WORKFLOW_AWS_ADAPTERS: 'memory', WORKFLOW_AWS_NAME: `lambda-env-${process.pid}`, WORKFLOW_AWS_CONSUMER: 'lambda', WORKFLOW_AWS_SIGNING_SECRET: SECRET };
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    // As on Lambda: importing the routes builds a world from the environment, and so does the handler.
    const producer = createWorld();
    const runtime: RuntimeHandler = async (payload, meta) => {
      calls.push({ payload, attempt: meta.attempt });
      return respond(payload);
    };
    const handler = createLambdaHandler({
      flow: producer.createQueueHandler('__wkf_workflow_', runtime),
      step: producer.createQueueHandler('__wkf_step_', runtime),
    });
    await producer.queue('__wkf_workflow_wf' as ValidQueueName, { runId: 'wrun_1' });
    const queue = memoryInstallation(resolveWorldConfig(), h.clock).queue;
    const messages = await queue.receive('workflow', { maxMessages: 10, waitSeconds: 0, visibilitySeconds: 30 });
    expect(messages).toHaveLength(1);
    const arn = `arn:aws:sqs:us-east-1:000000000000:${resolveWorldConfig().resources.workflowQueue}`;
    await expect(handler({ Records: messages.map((m) => ({ ...record('workflow', m), eventSourceARN: arn })) })).resolves.toEqual({ batchItemFailures: [] });
    // The record's queue is the installation's: it was brought to the lease (the mapping received it for 30 s).
    expect(h.logger.at('warn')).toEqual([]);
    expect(calls).toHaveLength(1);
    await producer.close();
  } finally {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
    resetMemoryInstallations();
  }
});

describe('cold start', () => {
  it('reads the master key while the module loads: the run-key lookup starts when the handler is created, and its failure is left to the first real use', async () => {
    const app = services();
    const lookups: string[] = [];
    const world = attachQueueServices(
      {
        getEncryptionKeyForRun: async (runId: string) => {
          lookups.push(runId);
          throw new Error('SSM unreachable');
        },
      },
      app,
    );
    createLambdaHandler({ ...routes(), world });
    // The rejection is handled: nothing reaches the process's unhandled-rejection handler.
    await new Promise((resolve) => setImmediate(resolve));
    expect(lookups).toEqual(['wrun_key-prefetch']);
  });

  it('a world whose key lookup throws at once, or needs its `this`, cannot fail the module load', async () => {
    const app = services();
    const world = attachQueueServices(
      {
        prefix: 'k',
        getEncryptionKeyForRun(this: { prefix: string }, runId: string): Promise<string> {
          if (!this?.prefix) throw new Error('called without its world');
          throw new Error(`no key for ${runId}`);
        },
      },
      app,
    );
    expect(() => createLambdaHandler({ ...routes(), world })).not.toThrow();
    await new Promise((resolve) => setImmediate(resolve));
  });

  it('starts loading the route of each queue in the batch with its first requests, and only those', async () => {
    const app = services();
    const preloads: string[] = [];
    const { flow, step } = routes();
    const handler = createLambdaHandler({
      flow: Object.assign(flow, { preload: async () => preloads.push('flow') }),
      step: Object.assign(step, { preload: async () => preloads.push('step') }),
      world: attachQueueServices({}, app),
    });
    await app.queue('__wkf_workflow_wf' as ValidQueueName, { runId: 'wrun_1' });
    await app.queue('__wkf_workflow_wf' as ValidQueueName, { runId: 'wrun_2' });
    const { event } = await eventFrom('workflow');
    expect(event.Records).toHaveLength(2);
    await expect(handler(event)).resolves.toEqual({ batchItemFailures: [] });
    expect(preloads).toEqual(['flow']);
  });

  it('a route whose preload fails still gets its records (the failure surfaces on the request, not as an unhandled rejection)', async () => {
    const app = services();
    const { flow, step } = routes();
    const handler = createLambdaHandler({
      flow: Object.assign(flow, { preload: async () => Promise.reject(new Error('disk')) }),
      step,
      world: attachQueueServices({}, app),
    });
    await app.queue('__wkf_workflow_wf' as ValidQueueName, { runId: 'wrun_1' });
    const { event } = await eventFrom('workflow');
    await expect(handler(event)).resolves.toEqual({ batchItemFailures: [] });
    expect(calls).toHaveLength(1);
  });
});
