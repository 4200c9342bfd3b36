// The in-memory queue behaves like an SQS standard queue with redrive, on a manual clock.
import { WorkflowWorldError } from '@workflow/errors';
import { ManualClock } from '../../../../src/adapters/memory/manual-clock.js';
import { MemoryMessageQueue } from '../../../../src/adapters/memory/memory-message-queue.js';
import { SystemClock } from '../../../../src/adapters/system/system-clock.js';

const poll = { maxMessages: 10, waitSeconds: 0, visibilitySeconds: 30 };

/** True once `promise` has settled, after letting pending callbacks run. */
async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

let clock: ManualClock;
let queue: MemoryMessageQueue;

beforeEach(() => {
  clock = new ManualClock(1_000_000);
  queue = new MemoryMessageQueue(clock, { maxReceiveCount: 3 });
});

describe('send, receive, ack', () => {
  it('delivers body and attributes once, then forgets the acked message', async () => {
    const { messageId } = await queue.send('workflow', { body: 'hello', delaySeconds: 0, attributes: { queueName: 'q' } });
    const [message] = await queue.receive('workflow', poll);
    expect(message).toEqual({ messageId, receipt: expect.any(String), body: 'hello', attributes: { queueName: 'q' }, receiveCount: 1 });
    await queue.ack('workflow', message!.receipt);
    expect(queue.messageCount('workflow')).toBe(0);
    await clock.advance(60_000);
    await expect(queue.receive('workflow', poll)).resolves.toEqual([]);
  });

  it('keeps the channels apart', async () => {
    await queue.send('step', { body: 's', delaySeconds: 0 });
    await expect(queue.receive('workflow', poll)).resolves.toEqual([]);
    await expect(queue.receive('step', poll)).resolves.toMatchObject([{ body: 's' }]);
  });

  it('hands out at most maxMessages and at most 10 per receive, in send order', async () => {
    for (let i = 0; i < 12; i++) await queue.send('step', { body: String(i), delaySeconds: 0 });
    expect((await queue.receive('step', { ...poll, maxMessages: 2 })).map((m) => m.body)).toEqual(['0', '1']);
    expect((await queue.receive('step', { ...poll, maxMessages: 50 })).map((m) => m.body)).toEqual(['2', '3', '4', '5', '6', '7', '8', '9', '10', '11']);
  });

  it('does not let the sender or a receiver change a stored message', async () => {
    const attributes = { a: '1' };
    await queue.send('workflow', { body: 'b', delaySeconds: 0, attributes });
    attributes.a = 'changed';
    const [first] = await queue.receive('workflow', { ...poll, visibilitySeconds: 0 });
    first!.attributes.a = 'mutated';
    const [again] = await queue.receive('workflow', poll);
    expect(again!.attributes).toEqual({ a: '1' });
  });

  it('applies SQS’s limits to delay and size', async () => {
    const small = new MemoryMessageQueue(clock, { maxMessageBytes: 10, maxDelaySeconds: 60 });
    await expect(small.send('workflow', { body: 'x', delaySeconds: 61 })).rejects.toMatchObject({ status: 400, code: 'INVALID_QUEUE_DELAY' });
    const error = await small.send('workflow', { body: 'é'.repeat(6), delaySeconds: 0 }).catch((e: unknown) => e);
    expect(WorkflowWorldError.is(error)).toBe(true);
    expect(error).toMatchObject({ status: 413, code: 'QUEUE_MESSAGE_TOO_LARGE' });
    expect(small.messageCount('workflow')).toBe(0);
  });
});

describe('delay', () => {
  it('keeps a delayed message invisible until its delay has passed', async () => {
    await queue.send('workflow', { body: 'later', delaySeconds: 5 });
    await clock.advance(4_999);
    await expect(queue.receive('workflow', poll)).resolves.toEqual([]);
    await clock.advance(1);
    await expect(queue.receive('workflow', poll)).resolves.toMatchObject([{ body: 'later', receiveCount: 1 }]);
  });
});

describe('visibility', () => {
  it('redelivers an unacked message when its lease expires, with a higher receive count and a new receipt', async () => {
    await queue.send('step', { body: 'b', delaySeconds: 0 });
    const [first] = await queue.receive('step', { ...poll, visibilitySeconds: 10 });
    await clock.advance(9_999);
    await expect(queue.receive('step', poll)).resolves.toEqual([]);
    await clock.advance(1);
    const [second] = await queue.receive('step', poll);
    expect(second).toMatchObject({ messageId: first!.messageId, receiveCount: 2 });
    expect(second!.receipt).not.toBe(first!.receipt);
  });

  it('ignores an ack with a receipt from an earlier delivery', async () => {
    await queue.send('step', { body: 'b', delaySeconds: 0 });
    const [first] = await queue.receive('step', { ...poll, visibilitySeconds: 1 });
    await clock.advance(1_000);
    const [second] = await queue.receive('step', poll);
    await queue.ack('step', first!.receipt);
    expect(queue.messageCount('step')).toBe(1);
    await queue.ack('step', second!.receipt);
    expect(queue.messageCount('step')).toBe(0);
  });

  it('redelivers at once after setVisibility(0), and later after a longer lease', async () => {
    await queue.send('workflow', { body: 'b', delaySeconds: 0 });
    const [first] = await queue.receive('workflow', poll);
    await queue.setVisibility('workflow', first!.receipt, 0);
    const [second] = await queue.receive('workflow', poll);
    expect(second!.receiveCount).toBe(2);
    await queue.setVisibility('workflow', second!.receipt, 120);
    await clock.advance(119_999);
    await expect(queue.receive('workflow', poll)).resolves.toEqual([]);
    await clock.advance(1);
    await expect(queue.receive('workflow', poll)).resolves.toMatchObject([{ receiveCount: 3 }]);
  });

  it('refuses to change the lease of a message no longer leased to the receipt', async () => {
    await queue.send('workflow', { body: 'b', delaySeconds: 0 });
    const [message] = await queue.receive('workflow', { ...poll, visibilitySeconds: 5 });
    await clock.advance(5_000);
    await expect(queue.setVisibility('workflow', message!.receipt, 30)).rejects.toMatchObject({ status: 400, code: 'MESSAGE_NOT_IN_FLIGHT' });
    const [again] = await queue.receive('workflow', poll);
    await queue.ack('workflow', again!.receipt);
    await expect(queue.setVisibility('workflow', again!.receipt, 30)).rejects.toMatchObject({ status: 400 });
  });
});

describe('channelNamed', () => {
  it('names the channel of the queue names it stands in for, and none without them', () => {
    const named = new MemoryMessageQueue(clock, { queueNames: { workflow: 'x-workflow', step: 'x-step' } });
    expect([named.channelNamed('x-workflow'), named.channelNamed('x-step'), named.channelNamed('y-step')]).toEqual(['workflow', 'step', undefined]);
    expect(queue.channelNamed('x-step')).toBeUndefined();
  });
});

describe('dead letters', () => {
  it('moves a message to the channel’s dead-letter list instead of delivering it beyond maxReceiveCount', async () => {
    const { messageId } = await queue.send('step', { body: 'poison', delaySeconds: 0, attributes: { k: 'v' } });
    for (let count = 1; count <= 3; count++) {
      await expect(queue.receive('step', { ...poll, visibilitySeconds: 1 })).resolves.toMatchObject([{ receiveCount: count }]);
      await clock.advance(1_000);
    }
    await expect(queue.receive('step', poll)).resolves.toEqual([]);
    expect(queue.deadLetters('step')).toEqual([{ messageId, body: 'poison', attributes: { k: 'v' }, receiveCount: 3 }]);
    expect(queue.deadLetters('workflow')).toEqual([]);
    expect(queue.messageCount('step')).toBe(0);
  });

  it('returns copies of the dead letters', async () => {
    const once = new MemoryMessageQueue(clock, { maxReceiveCount: 1 });
    await once.send('workflow', { body: 'p', delaySeconds: 0, attributes: { k: 'v' } });
    await once.receive('workflow', { ...poll, visibilitySeconds: 0 });
    await once.receive('workflow', poll);
    once.deadLetters('workflow')[0]!.attributes.k = 'x';
    expect(once.deadLetters('workflow')[0]!.attributes).toEqual({ k: 'v' });
  });
});

describe('long polling', () => {
  const longPoll = { maxMessages: 1, waitSeconds: 20, visibilitySeconds: 30 };

  it('wakes as soon as a message is sent, without time passing', async () => {
    const receiving = queue.receive('workflow', longPoll);
    expect(await isSettled(receiving)).toBe(false);
    await queue.send('workflow', { body: 'now', delaySeconds: 0 });
    await expect(receiving).resolves.toMatchObject([{ body: 'now' }]);
    expect(clock.now()).toBe(1_000_000);
  });

  it('wakes when a delayed message becomes due within the wait', async () => {
    await queue.send('workflow', { body: 'soon', delaySeconds: 5 });
    const receiving = queue.receive('workflow', longPoll);
    await clock.advance(4_000);
    expect(await isSettled(receiving)).toBe(false);
    await clock.advance(1_000);
    await expect(receiving).resolves.toMatchObject([{ body: 'soon' }]);
  });

  it('wakes when a lease is released with setVisibility(0)', async () => {
    await queue.send('step', { body: 'b', delaySeconds: 0 });
    const [leased] = await queue.receive('step', poll);
    const receiving = queue.receive('step', longPoll);
    expect(await isSettled(receiving)).toBe(false);
    await queue.setVisibility('step', leased!.receipt, 0);
    await expect(receiving).resolves.toMatchObject([{ receiveCount: 2 }]);
  });

  it('resolves empty when the wait runs out', async () => {
    const receiving = queue.receive('workflow', longPoll);
    await clock.advance(19_999);
    expect(await isSettled(receiving)).toBe(false);
    await clock.advance(1);
    await expect(receiving).resolves.toEqual([]);
    expect(clock.pendingSleeps).toBe(0);
  });

  it('resolves empty on abort and leaves no sleeper behind', async () => {
    const controller = new AbortController();
    const receiving = queue.receive('workflow', { ...longPoll, signal: controller.signal });
    expect(await isSettled(receiving)).toBe(false);
    controller.abort();
    await expect(receiving).resolves.toEqual([]);
    expect(clock.pendingSleeps).toBe(0);
    await queue.send('workflow', { body: 'kept', delaySeconds: 0 });
    await expect(queue.receive('workflow', poll)).resolves.toMatchObject([{ body: 'kept' }]);
  });

  it('gives one message to exactly one of several waiting receivers (worlds sharing the queue)', async () => {
    const receivers = [queue.receive('step', longPoll), queue.receive('step', longPoll), queue.receive('step', longPoll)];
    await queue.send('step', { body: 'one', delaySeconds: 0 });
    await new Promise((resolve) => setImmediate(resolve));
    const settled = await Promise.all(receivers.map(isSettled));
    expect(settled.filter(Boolean)).toHaveLength(1);
    await clock.advance(20_000);
    const results = await Promise.all(receivers);
    expect(results.flat().map((m) => m.body)).toEqual(['one']);
  });

  it('works on the real clock too', async () => {
    const real = new MemoryMessageQueue(new SystemClock());
    const started = Date.now();
    const receiving = real.receive('workflow', longPoll);
    setTimeout(() => void real.send('workflow', { body: 'b', delaySeconds: 0 }), 50);
    await expect(receiving).resolves.toMatchObject([{ body: 'b' }]);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
