// The lifecycle driver where the step runs: lease taken before the body,
// extended only for bodies past half the lease, released only by its holder
// after the outcome, abandoned at the deadline. ManualClock throughout.
import { jest } from '@jest/globals';
import type { ValidQueueName } from '@workflow/world';
import { createDeliveryLifecycle, deliveryLeaseKey, LeaseUnavailable, type BodyResult } from '../../../../src/application/queue/delivery-lifecycle.js';
import { ENVELOPE_VERSION, type Envelope } from '../../../../src/application/queue/envelope.js';
import { START, createHarness, type Harness } from './harness.js';

const LEASE_SECONDS = 30;
let h: Harness;
const lifecycle = () =>
  createDeliveryLifecycle({ store: h.idempotency, clock: h.clock, logger: h.logger, settings: { leaseSeconds: LEASE_SECONDS, maxHandlerSeconds: 120, idempotencyWindowSeconds: 3600 } });

const step = (key = 'step_1'): Envelope => ({
  v: ENVELOPE_VERSION,
  id: 'msg_1',
  queueName: '__wkf_step_s' as ValidQueueName,
  deploymentId: 'd',
  idempotencyKey: key,
  payload: { workflowRunId: 'wrun_1', stepId: 'step_1', secret: 'do-not-log' },
});

/** A body that runs until `finish` (or `fail`) is called. */
function controlledBody() {
  const control = { finish: (_r: BodyResult) => undefined as void, fail: (_e: Error) => undefined as void, attempts: [] as number[] };
  const body = (attempt: number) =>
    new Promise<BodyResult>((resolve, reject) => {
      control.attempts.push(attempt);
      control.finish = resolve;
      control.fail = reject;
    });
  return { control, body };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

beforeEach(() => {
  h = createHarness();
});

it('a body shorter than half the lease costs no extension; a success leaves the lease to lapse', async () => {
  const extend = jest.spyOn(h.idempotency, 'extendDelivery');
  const release = jest.spyOn(h.idempotency, 'releaseDelivery');
  const { control, body } = controlledBody();
  const running = lifecycle().run(step(), { attempt: 3, nonce: 'a'.repeat(32) }, body);
  await settle();
  await h.clock.advance((LEASE_SECONDS * 1000) / 2 - 1);
  control.finish({ kind: 'done' });
  expect(await running).toEqual({ kind: 'done' });
  expect(control.attempts).toEqual([1]); // the lease's count, not the transport's
  expect(extend).not.toHaveBeenCalled();
  expect(release).not.toHaveBeenCalled();
  expect(h.clock.pendingSleeps).toBe(0);
});

it('a long body extends its lease once per half lease, so copies stay out until it ends', async () => {
  const extend = jest.spyOn(h.idempotency, 'extendDelivery');
  const { control, body } = controlledBody();
  const running = lifecycle().run(step(), { attempt: 1, nonce: 'a'.repeat(32) }, body);
  await settle();
  await h.clock.advance(100_000);
  expect(extend).toHaveBeenCalledTimes(6); // at 15, 30, … 90 s
  expect(await h.idempotency.beginDelivery('step_1', 'msg_1', 'b'.repeat(32), LEASE_SECONDS, 3600)).toMatchObject({ kind: 'busy' });
  control.finish({ kind: 'done' });
  await running;
});

it('a failed body releases its own lease after the outcome, then rethrows', async () => {
  const { control, body } = controlledBody();
  const running = lifecycle().run(step(), { attempt: 1, nonce: 'a'.repeat(32) }, body);
  await settle();
  control.fail(new Error('boom'));
  await expect(running).rejects.toThrow('boom');
  expect(await h.idempotency.beginDelivery('step_1', 'msg_1', 'b'.repeat(32), LEASE_SECONDS, 3600)).toMatchObject({ kind: 'start', attempt: 2 });
});

it('a reschedule releases the lease and starts the count again', async () => {
  const { control, body } = controlledBody();
  const running = lifecycle().run(step(), { attempt: 1, nonce: 'a'.repeat(32) }, body);
  await settle();
  control.finish({ kind: 'reschedule', timeoutSeconds: 5 });
  expect(await running).toEqual({ kind: 'reschedule', timeoutSeconds: 5 });
  expect(await h.idempotency.beginDelivery('step_1', 'msg_1', 'b'.repeat(32), LEASE_SECONDS, 3600)).toMatchObject({ kind: 'start', attempt: 1 });
});

it('a copy while the lease is held is busy, a nonce seen before is replayed, another owner’s message is a duplicate: none runs', async () => {
  const { control, body } = controlledBody();
  const running = lifecycle().run(step(), { attempt: 1, nonce: 'a'.repeat(32) }, body);
  await settle();
  const other = controlledBody();
  expect(await lifecycle().run(step(), { attempt: 1, nonce: 'b'.repeat(32) }, other.body)).toEqual({ kind: 'busy', leaseEndsAt: START + LEASE_SECONDS * 1000 });
  expect(await lifecycle().run(step(), { attempt: 1, nonce: 'a'.repeat(32) }, other.body)).toEqual({ kind: 'replayed' });
  await h.idempotency.claimSend('step_2', 'msg_other', 10, 3600);
  expect(await lifecycle().run(step('step_2'), { attempt: 1 }, other.body)).toEqual({ kind: 'duplicate' });
  expect(other.control.attempts).toEqual([]);
  control.finish({ kind: 'done' });
  await running;
});

it('at the deadline the delivery is abandoned: an error with message and run ids, no release, and the lease lapses', async () => {
  const release = jest.spyOn(h.idempotency, 'releaseDelivery');
  const { body } = controlledBody();
  const running = lifecycle().run(step(), { attempt: 1, nonce: 'a'.repeat(32) }, body);
  await settle();
  await h.clock.advance(120_000);
  expect(await running).toEqual({ kind: 'abandoned', reason: 'deadline' });
  expect(release).not.toHaveBeenCalled();
  const [error] = h.logger.at('error');
  expect(error!.message).toMatch(/handler deadline/);
  expect(error!.fields).toMatchObject({ messageId: 'msg_1', runId: 'wrun_1', stepId: 'step_1' });
  expect(h.logger.text()).not.toContain('do-not-log');
  await h.clock.advance((LEASE_SECONDS + 31) * 1000);
  expect(await h.idempotency.beginDelivery('step_1', 'msg_1', 'b'.repeat(32), LEASE_SECONDS, 3600)).toMatchObject({ kind: 'start' });
});

it('a holder whose lease was taken while it ran (it stalled past the lease) is abandoned, and frees nothing', async () => {
  const { body } = controlledBody();
  const running = lifecycle().run(step(), { attempt: 1, nonce: 'a'.repeat(32) }, body);
  await settle();
  // The process stalled: its extension never reached the store, and another delivery took the lapsed lease.
  jest.spyOn(h.idempotency, 'extendDelivery').mockResolvedValueOnce(undefined);
  await h.clock.advance(15_000);
  expect(await running).toEqual({ kind: 'abandoned', reason: 'lease-lost' });
  expect(h.logger.at('error')[0]!.message).toMatch(/lost its lease/);
});

it('an unkeyed message takes no lease but keeps the deadline', async () => {
  const begin = jest.spyOn(h.idempotency, 'beginDelivery');
  const { body } = controlledBody();
  const running = lifecycle().run({ ...step(), idempotencyKey: undefined }, { attempt: 4 }, body);
  await settle();
  await h.clock.advance(120_000);
  expect(await running).toEqual({ kind: 'abandoned', reason: 'deadline' });
  expect(begin).not.toHaveBeenCalled();
});

it('a store that cannot take the lease runs nothing and says so', async () => {
  h.idempotency.beginDelivery = async () => Promise.reject(new Error('ThrottlingException'));
  const { control, body } = controlledBody();
  await expect(lifecycle().run(step(), { attempt: 1 }, body)).rejects.toBeInstanceOf(LeaseUnavailable);
  expect(control.attempts).toEqual([]);
});

describe('a step run in process (its lease taken with the send claim) and its safety net', () => {
  const inlineLifecycle = (stepFinished?: (runId: string, stepId: string) => Promise<boolean>) =>
    createDeliveryLifecycle({
      store: h.idempotency,
      clock: h.clock,
      logger: h.logger,
      stepFinished,
      settings: { leaseSeconds: LEASE_SECONDS, maxHandlerSeconds: 120, idempotencyWindowSeconds: 3600 },
    });

  it('a delivery that already holds the lease runs at once, writing nothing to take it, and extends it by its nonce', async () => {
    const claim = await h.idempotency.claimInline('step_1', 'msg_1', 'n'.repeat(32), LEASE_SECONDS, 3600);
    const begin = jest.spyOn(h.idempotency, 'beginDelivery');
    const extend = jest.spyOn(h.idempotency, 'extendDelivery');
    const { control, body } = controlledBody();
    const running = inlineLifecycle().run(step(), { attempt: 1, nonce: 'n'.repeat(32), leaseEndsAt: (claim as { leaseEndsAt: number }).leaseEndsAt }, body);
    await settle();
    await h.clock.advance((LEASE_SECONDS * 1000) / 2);
    await settle();
    control.finish({ kind: 'done' });
    expect(await running).toEqual({ kind: 'done' });
    expect(begin).not.toHaveBeenCalled();
    expect(extend).toHaveBeenCalledTimes(1);
    expect(await extend.mock.results[0]!.value).toBeDefined();
    expect(control.attempts).toEqual([1]);
  });

  it('a safety net whose step is finished in the log is acked without taking the lease or running', async () => {
    const begin = jest.spyOn(h.idempotency, 'beginDelivery');
    const asked: string[] = [];
    const { control, body } = controlledBody();
    const answer = await inlineLifecycle(async (runId, stepId) => (asked.push(`${runId}/${stepId}`), true)).run({ ...step(), inline: true }, { attempt: 1 }, body);
    expect(answer).toEqual({ kind: 'duplicate' });
    expect(asked).toEqual(['wrun_1/step_1']);
    expect(begin).not.toHaveBeenCalled();
    expect(control.attempts).toEqual([]);
  });

  it('a safety net whose step is not finished (or whose check fails) takes the lease as any copy: busy while its holder lives', async () => {
    await h.idempotency.claimInline('step_1', 'msg_1', 'n'.repeat(32), LEASE_SECONDS, 3600);
    for (const check of [async () => false, async () => Promise.reject(new Error('read failed'))]) {
      const { control, body } = controlledBody();
      expect(await inlineLifecycle(check).run({ ...step(), inline: true }, { attempt: 1 }, body)).toMatchObject({ kind: 'busy' });
      expect(control.attempts).toEqual([]);
    }
  });

  it('a message that is not a safety net is never checked against the log', async () => {
    const check = jest.fn(async () => true);
    const { control, body } = controlledBody();
    const running = inlineLifecycle(check).run(step(), { attempt: 1 }, body);
    await settle();
    control.finish({ kind: 'done' });
    expect(await running).toEqual({ kind: 'done' });
    expect(check).not.toHaveBeenCalled();
  });
});

describe('workflow messages on the workflow@5 line (steps run in the flow handler)', () => {
  const flow = (id = 'msg_f1', idempotencyKey?: string): Envelope => ({
    v: ENVELOPE_VERSION,
    id,
    queueName: '__wkf_workflow_wf' as ValidQueueName,
    deploymentId: 'd',
    idempotencyKey,
    payload: { runId: 'wrun_1', stepId: 'step_1' },
  });
  const leasing = (leaseWorkflowMessages: boolean) =>
    createDeliveryLifecycle({
      store: h.idempotency,
      clock: h.clock,
      logger: h.logger,
      leaseWorkflowMessages,
      settings: { leaseSeconds: LEASE_SECONDS, maxHandlerSeconds: 120, idempotencyWindowSeconds: 3600 },
    });

  it('the lease key: a step message by its idempotency key; a workflow message by its own id only when asked', () => {
    expect(deliveryLeaseKey(step('step_9'))).toBe('step_9');
    expect(deliveryLeaseKey(step('step_9'), true)).toBe('step_9');
    expect(deliveryLeaseKey({ ...step(), idempotencyKey: undefined }, true)).toBeUndefined();
    expect(deliveryLeaseKey(flow('msg_f1', 'step_1:abc'))).toBeUndefined();
    expect(deliveryLeaseKey(flow('msg_f1', 'step_1:abc'), true)).toBe('msg#msg_f1');
    expect(deliveryLeaseKey(flow('msg_f1'), true)).toBe('msg#msg_f1');
  });

  it('a copy of a workflow message while the original runs is busy and runs nothing; another message of the run is not held up', async () => {
    const { control, body } = controlledBody();
    const running = leasing(true).run(flow(), { attempt: 1, nonce: 'a'.repeat(32) }, body);
    await settle();
    const copy = controlledBody();
    expect(await leasing(true).run(flow(), { attempt: 1, nonce: 'b'.repeat(32) }, copy.body)).toEqual({ kind: 'busy', leaseEndsAt: START + LEASE_SECONDS * 1000 });
    expect(copy.control.attempts).toEqual([]);
    const other = controlledBody();
    const second = leasing(true).run(flow('msg_f2'), { attempt: 1, nonce: 'c'.repeat(32) }, other.body);
    await settle();
    expect(other.control.attempts).toEqual([1]);
    other.control.finish({ kind: 'done' });
    control.finish({ kind: 'done' });
    expect(await running).toEqual({ kind: 'done' });
    expect(await second).toEqual({ kind: 'done' });
  });

  it('on the 4.x line a workflow message takes no lease, keyed or not', async () => {
    const begin = jest.spyOn(h.idempotency, 'beginDelivery');
    const { control, body } = controlledBody();
    const running = leasing(false).run(flow('msg_f1', 'k'), { attempt: 2 }, body);
    await settle();
    expect(control.attempts).toEqual([2]);
    control.finish({ kind: 'done' });
    expect(await running).toEqual({ kind: 'done' });
    expect(begin).not.toHaveBeenCalled();
  });
});
