// The Lambda path's receive lease: the event-source mapping receives with the
// queue's long visibility timeout, so the handler brings every record of a
// known queue to the delivery lease at once (ChangeMessageVisibilityBatch per
// queue, at most 10 entries) and extends it while the record runs. Exact SQS
// requests through aws-sdk-client-mock; time on a ManualClock.
import {
  ChangeMessageVisibilityBatchCommand,
  SQSClient,
  SQSServiceException,
  type ChangeMessageVisibilityBatchCommandInput,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { SqsMessageQueue } from '../../../../src/adapters/aws/sqs/sqs-message-queue.js';
import { encodeEnvelope } from '../../../../src/application/queue/envelope.js';
import { createQueueServices } from '../../../../src/application/queue/queue-services.js';
import type { RuntimeHandler } from '../../../../src/application/queue/queue-handler.js';
import { attachQueueServices } from '../../../../src/application/queue/services-lookup.js';
import { createLambdaHandler, type SqsRecord } from '../../../../src/lambda/index.js';
import { queueNameOfArn } from '../../../../src/lambda/sqs-event.js';
import type { QueueChannel } from '../../../../src/ports/message-queue.js';
import { START, baseConfig, createHarness, fakeRuns, type Harness } from './harness.js';

const URL = { workflow: 'https://sqs.us-east-1.amazonaws.com/123456789012/wf-workflow', step: 'https://sqs.us-east-1.amazonaws.com/123456789012/wf-step' };
const ARN = { workflow: 'arn:aws:sqs:us-east-1:123456789012:wf-workflow', step: 'arn:aws:sqs:us-east-1:123456789012:wf-step' };
const LEASE_SECONDS = 10;
const SECRET = 'lambda-lease-secret';
/** In every payload, to check that no log line carries one. */
const PAYLOAD_MARK = 'payload-secret-7f3a';

const sqs = mockClient(SQSClient);
let h: Harness;
let runtime: RuntimeHandler;
let ran: string[];

function lambda() {
  const queue = new SqsMessageQueue(new SQSClient({ region: 'us-east-1' }), { workflow: { url: URL.workflow }, step: { url: URL.step } }, {
    maxDelaySeconds: 900,
    maxMessageBytes: 256 * 1024,
  });
  const services = createQueueServices({
    config: { ...baseConfig, consumer: 'lambda', delivery: 'http', signingSecret: SECRET, visibilitySeconds: LEASE_SECONDS },
    messageQueue: queue,
    blobStore: h.blobs,
    idempotencyStore: h.idempotency,
    clock: h.clock,
    ids: h.ids,
    logger: h.logger,
    runs: fakeRuns([]),
    options: { registry: h.registry, random: () => 0.99 },
  });
  const handle: RuntimeHandler = (payload, meta) => runtime(payload, meta);
  return createLambdaHandler({
    flow: services.createQueueHandler('__wkf_workflow_', handle),
    step: services.createQueueHandler('__wkf_step_', handle),
    world: attachQueueServices({}, services),
  });
}

/** A record as the mapping hands it over: `channel`'s queue, carrying a message of `kind`. */
function record(n: number, channel: QueueChannel, eventSourceARN = ARN[channel]): SqsRecord {
  const payload =
    channel === 'workflow'
      ? { runId: `wrun_${n}`, mark: PAYLOAD_MARK }
      : { workflowName: 'wf', workflowRunId: `wrun_${n}`, workflowStartedAt: 1, stepId: `step_${n}`, mark: PAYLOAD_MARK };
  const body = encodeEnvelope({
    v: 1,
    id: `msg_${String(n).padStart(4, '0')}`,
    queueName: (channel === 'workflow' ? '__wkf_workflow_wf' : '__wkf_step_s') as never,
    deploymentId: 'aws:test',
    payload,
  });
  return {
    messageId: `tm-${n}`,
    receiptHandle: `rh-${n}`,
    body,
    attributes: { ApproximateReceiveCount: '1' },
    messageAttributes: {},
    eventSource: 'aws:sqs',
    eventSourceARN,
    awsRegion: 'us-east-1',
  };
}

function visibilityCalls(): ChangeMessageVisibilityBatchCommandInput[] {
  return sqs.commandCalls(ChangeMessageVisibilityBatchCommand).map((c) => c.args[0].input);
}

/** Entries `from..to` of one batch request, with ids 0..n-1 in order. */
function entries(receipts: number[], seconds: number) {
  return receipts.map((n, i) => ({ Id: String(i), ReceiptHandle: `rh-${n}`, VisibilityTimeout: seconds }));
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

function allChangesSucceed() {
  sqs.on(ChangeMessageVisibilityBatchCommand).callsFake((input: ChangeMessageVisibilityBatchCommandInput) => ({
    Successful: input.Entries!.map((e) => ({ Id: e.Id })),
    Failed: [],
  }));
}

beforeEach(() => {
  sqs.reset();
  h = createHarness();
  ran = [];
  runtime = async (payload) => {
    const p = payload as { runId?: string; stepId?: string };
    ran.push(p.stepId ?? p.runId ?? '?');
  };
});

describe('the lease taken at the start of a batch', () => {
  it('sets every record to the lease, per queue of its eventSourceARN, at most 10 entries per request', async () => {
    allChangesSucceed();
    const handler = lambda();
    const records = [...range(1, 12).map((n) => record(n, 'step')), ...range(13, 15).map((n) => record(n, 'workflow'))];
    await expect(handler({ Records: records })).resolves.toEqual({ batchItemFailures: [] });
    expect(ran).toHaveLength(15);
    expect(visibilityCalls()).toEqual([
      { QueueUrl: URL.step, Entries: entries(range(1, 10), LEASE_SECONDS) },
      { QueueUrl: URL.step, Entries: entries([11, 12], LEASE_SECONDS) },
      { QueueUrl: URL.workflow, Entries: entries([13, 14, 15], LEASE_SECONDS) },
    ]);
    // Only the lease: the mapping deletes the records itself.
    expect(sqs.calls()).toHaveLength(3);
  });

  it('goes by the record\'s queue, not by the kind of message it carries', async () => {
    allChangesSucceed();
    const handler = lambda();
    // A workflow message that sits on the step queue (sent there by hand): its receipt belongs to the step queue.
    await handler({ Records: [record(1, 'workflow', ARN.step)] });
    expect(visibilityCalls()).toEqual([{ QueueUrl: URL.step, Entries: entries([1], LEASE_SECONDS) }]);
  });

  it('runs a record whose lease change failed, and warns naming it but never its payload', async () => {
    sqs.on(ChangeMessageVisibilityBatchCommand).resolves({
      Successful: [{ Id: '0' }, { Id: '2' }],
      Failed: [{ Id: '1', Code: 'ReceiptHandleIsInvalid', SenderFault: true, Message: 'The receipt handle is not valid' }],
    });
    const handler = lambda();
    await expect(handler({ Records: range(1, 3).map((n) => record(n, 'step')) })).resolves.toEqual({ batchItemFailures: [] });
    expect(ran.sort()).toEqual(['step_1', 'step_2', 'step_3']);
    const warnings = h.logger.at('warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toMatch(/Could not shorten a received message's visibility to the lease/);
    expect(warnings[0]!.fields).toMatchObject({ channel: 'step', transportMessageId: 'tm-2', leaseSeconds: LEASE_SECONDS });
    expect(String(warnings[0]!.fields?.error)).toMatch(/ChangeMessageVisibilityBatch\(step\) failed for an entry: ReceiptHandleIsInvalid/);
    expect(h.logger.text()).not.toContain(PAYLOAD_MARK);
  });

  it('runs every record when the whole request fails (no permission), one warning each', async () => {
    sqs.on(ChangeMessageVisibilityBatchCommand).rejects(
      new SQSServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: 'not authorized to perform sqs:ChangeMessageVisibility' }),
    );
    const handler = lambda();
    await expect(handler({ Records: range(1, 2).map((n) => record(n, 'workflow')) })).resolves.toEqual({ batchItemFailures: [] });
    expect(ran.sort()).toEqual(['wrun_1', 'wrun_2']);
    expect(h.logger.at('warn').map((w) => w.fields?.transportMessageId).sort()).toEqual(['tm-1', 'tm-2']);
    expect(h.logger.text()).not.toContain(PAYLOAD_MARK);
  });

  it('hides a record to retry for its backoff only after its lease change went out', async () => {
    allChangesSucceed();
    runtime = async (payload) => {
      if ((payload as { stepId: string }).stepId === 'step_2') throw new Error('step infra down');
    };
    const handler = lambda();
    await expect(handler({ Records: range(1, 3).map((n) => record(n, 'step')) })).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: 'tm-2' }] });
    // random() = 0.99 at attempt 1 → 1 s of backoff.
    expect(visibilityCalls()).toEqual([
      { QueueUrl: URL.step, Entries: entries([1, 2, 3], LEASE_SECONDS) },
      { QueueUrl: URL.step, Entries: entries([2], 1) },
    ]);
  });

  it('leaves the visibility of records from an unknown queue as received, warns once per queue, and still runs them', async () => {
    allChangesSucceed();
    const handler = lambda();
    const foreign = 'arn:aws:sqs:us-east-1:123456789012:someone-else';
    await handler({ Records: [record(1, 'workflow', foreign), record(2, 'workflow', foreign)] });
    await handler({ Records: [record(3, 'workflow', foreign), record(4, 'step', 'not-an-arn')] });
    expect(ran.sort()).toEqual(['step_4', 'wrun_1', 'wrun_2', 'wrun_3']);
    expect(visibilityCalls()).toEqual([]);
    expect(h.logger.at('warn').map((w) => w.fields?.source)).toEqual([foreign, 'not-an-arn']);
  });
});

describe('the lease while a record runs', () => {
  /** One second, after the requests issued so far reached the mock (the SDK's stack takes a few turns of the event loop). */
  async function tick() {
    for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
    await h.clock.advance(1_000);
  }

  it('is extended every half lease until the batch is answered, and no more after', async () => {
    const at: Array<{ ms: number; receipts: string[]; seconds: number[] }> = [];
    sqs.on(ChangeMessageVisibilityBatchCommand).callsFake((input: ChangeMessageVisibilityBatchCommandInput) => {
      at.push({ ms: h.clock.now() - START, receipts: input.Entries!.map((e) => e.ReceiptHandle!), seconds: input.Entries!.map((e) => e.VisibilityTimeout!) });
      return { Successful: input.Entries!.map((e) => ({ Id: e.Id })), Failed: [] };
    });
    let finish!: () => void;
    runtime = async (payload) => {
      if ((payload as { stepId: string }).stepId === 'step_2') await new Promise<void>((resolve) => (finish = resolve));
    };
    const handler = lambda();
    let answered = false;
    const batch = handler({ Records: [record(1, 'step'), record(2, 'step')] }).finally(() => (answered = true));
    for (let s = 0; s < 16; s++) await tick();
    expect(answered).toBe(false);
    finish();
    await expect(batch).resolves.toEqual({ batchItemFailures: [] });
    for (let s = 0; s < 20; s++) await tick();
    // Both at once to the 10 s lease; then every 5 s (half the lease) until the batch was answered at 16 s: record 1,
    // done at once, too, since the mapping deletes it only then (lapsed, it would be redelivered meanwhile).
    const changes = at.flatMap((c) => c.receipts.map((receipt, i) => `${c.ms} ${receipt} ${c.seconds[i]}`)).sort();
    expect(changes).toEqual([0, 5_000, 10_000, 15_000].flatMap((ms) => [`${ms} rh-1 ${LEASE_SECONDS}`, `${ms} rh-2 ${LEASE_SECONDS}`]).sort());
  });
});

describe('a record to retry beside a slower one', () => {
  it('is hidden for its backoff and no longer extended, so the backoff stands', async () => {
    const at: string[] = [];
    sqs.on(ChangeMessageVisibilityBatchCommand).callsFake((input: ChangeMessageVisibilityBatchCommandInput) => {
      for (const e of input.Entries!) at.push(`${h.clock.now() - START} ${e.ReceiptHandle} ${e.VisibilityTimeout}`);
      return { Successful: input.Entries!.map((e) => ({ Id: e.Id })), Failed: [] };
    });
    let finish!: () => void;
    runtime = async (payload) => {
      const { stepId } = payload as { stepId: string };
      if (stepId === 'step_1') throw new Error('step infra down');
      await new Promise<void>((resolve) => (finish = resolve));
    };
    const handler = lambda();
    const batch = handler({ Records: [record(1, 'step'), record(2, 'step')] });
    for (let s = 0; s < 12; s++) {
      for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
      await h.clock.advance(1_000);
    }
    finish();
    await expect(batch).resolves.toEqual({ batchItemFailures: [{ itemIdentifier: 'tm-1' }] });
    // random() = 0.99 at attempt 1 → 1 s of backoff, set once; only record 2 is extended after it.
    expect(at.sort()).toEqual(['0 rh-1 1', `0 rh-1 ${LEASE_SECONDS}`, `0 rh-2 ${LEASE_SECONDS}`, `10000 rh-2 ${LEASE_SECONDS}`, `5000 rh-2 ${LEASE_SECONDS}`].sort());
  });
});

describe('queueNameOfArn', () => {
  it.each([
    ['arn:aws:sqs:us-east-1:123456789012:wf-step', 'wf-step'],
    ['arn:aws-cn:sqs:cn-north-1:123456789012:q', 'q'],
    ['arn:aws:sns:us-east-1:123456789012:wf-step', undefined],
    ['arn:aws:sqs:us-east-1:123456789012:', undefined],
    ['wf-step', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%s → %s', (arn, name) => {
    expect(queueNameOfArn(arn)).toBe(name);
  });
});
