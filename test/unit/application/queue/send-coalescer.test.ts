// Send-side coalescing: keyed step messages and per-run wake-ups, in process
// and across processes sharing one IdempotencyStore.
import { getEventListeners } from 'node:events';
import { jest } from '@jest/globals';
import { ManualClock } from '../../../../src/adapters/memory/manual-clock.js';
import { MemoryIdempotencyStore } from '../../../../src/adapters/memory/memory-idempotency-store.js';
import { LocalCoordination } from '../../../../src/application/queue/local-coordination.js';
import { createSendCoalescer, type SendCoalescer } from '../../../../src/application/queue/send-coalescer.js';
import { RecordingLogger, START } from './harness.js';

const CLAIM_LEASE = 30;
let clock: ManualClock;
let store: MemoryIdempotencyStore;
let coalescers: SendCoalescer[];
let sends: string[];

function process_(local = new LocalCoordination(clock), claimLeaseSeconds = CLAIM_LEASE) {
  const coalescer = createSendCoalescer({
    store,
    local,
    clock,
    logger: new RecordingLogger(),
    settings: { claimLeaseSeconds, deliveryLeaseSeconds: 60, wakeupLeaseSeconds: 60, idempotencyWindowSeconds: 3600 },
  });
  coalescers.push(coalescer);
  return { coalescer, local };
}

const send = (id: string, marks?: boolean[]) => async (marked?: boolean) => {
  sends.push(id);
  marks?.push(Boolean(marked));
};

beforeEach(() => {
  clock = new ManualClock(START);
  store = new MemoryIdempotencyStore(clock);
  coalescers = [];
  sends = [];
});
afterEach(() => coalescers.forEach((c) => c.close()));

describe('keyed step messages', () => {
  it('a key already sent by this process sends nothing and returns the first id, without asking the store', async () => {
    const { coalescer } = process_();
    expect(await coalescer.sendKeyed('step_1', 'msg-1', send('msg-1'))).toBe('msg-1');
    const claims = jest.spyOn(store, 'claimSend');
    expect(await coalescer.sendKeyed('step_1', 'msg-2', send('msg-2'))).toBe('msg-1');
    expect(sends).toEqual(['msg-1']);
    expect(claims).not.toHaveBeenCalled();
  });

  it('concurrent calls for one key in one process send once', async () => {
    const { coalescer } = process_();
    const ids = await Promise.all(['a', 'b', 'c'].map((id) => coalescer.sendKeyed('step_1', id, send(id))));
    expect(sends).toEqual(['a']);
    expect(ids).toEqual(['a', 'a', 'a']);
  });

  it('another process sending the same key gets the holder id from the store; its own message (sent with the claim) is superseded', async () => {
    await process_().coalescer.sendKeyed('step_1', 'msg-1', send('msg-1'));
    expect(await process_().coalescer.sendKeyed('step_1', 'msg-2', send('msg-2'))).toBe('msg-1');
    expect(sends).toEqual(['msg-1', 'msg-2']);
    expect(await store.beginDelivery('step_1', 'msg-2', 'n-1', 30, 3600)).toEqual({ kind: 'superseded' });
  });

  it('a failed send gives up its claim, so the retried re-queue sends at once', async () => {
    const { coalescer } = process_();
    await expect(coalescer.sendKeyed('step_1', 'msg-1', async () => Promise.reject(new Error('SQS down')))).rejects.toThrow('SQS down');
    expect(await coalescer.sendKeyed('step_1', 'msg-2', send('msg-2'))).toBe('msg-2');
    expect(await process_().coalescer.sendKeyed('step_1', 'msg-3', send('msg-3'))).toBe('msg-2');
    expect(sends).toEqual(['msg-2', 'msg-3']);
  });

  it('if giving up the claim fails too, the claim lapses after its lease', async () => {
    const { coalescer } = process_();
    jest.spyOn(store, 'abandonClaim').mockRejectedValueOnce(new Error('DynamoDB down'));
    await expect(coalescer.sendKeyed('step_1', 'msg-1', async () => Promise.reject(new Error('SQS down')))).rejects.toThrow('SQS down');
    expect(await process_().coalescer.sendKeyed('step_1', 'msg-2', send('msg-2'))).toBe('msg-1');
    await clock.advance(CLAIM_LEASE * 1000 + 1);
    expect(await coalescer.sendKeyed('step_1', 'msg-3', send('msg-3'))).toBe('msg-3');
    expect(sends).toEqual(['msg-2', 'msg-3']);
  });

  it('a process that died between claim and send blocks the key only for the claim lease', async () => {
    await store.claimSend('step_1', 'msg-dead', CLAIM_LEASE, 3600); // claimed, never sent
    const { coalescer } = process_();
    expect(await coalescer.sendKeyed('step_1', 'msg-2', send('msg-2'))).toBe('msg-dead');
    await clock.advance(CLAIM_LEASE * 1000 + 1);
    expect(await process_().coalescer.sendKeyed('step_1', 'msg-3', send('msg-3'))).toBe('msg-3');
    expect(sends).toEqual(['msg-2', 'msg-3']);
  });

  it('a lost claim is believed only until the holder’s claim lease ends: then the same process asks the store again and sends', async () => {
    await store.claimSend('step_1', 'msg-dead', CLAIM_LEASE, 3600); // another process claimed, then died before sending
    const { coalescer } = process_();
    expect(await coalescer.sendKeyed('step_1', 'msg-2', send('msg-2'))).toBe('msg-dead');
    await clock.advance(CLAIM_LEASE * 1000 - 1_000);
    const claims = jest.spyOn(store, 'claimSend');
    expect(await coalescer.sendKeyed('step_1', 'msg-3', send('msg-3'))).toBe('msg-dead'); // still believed: no store call
    expect(claims).not.toHaveBeenCalled();
    await clock.advance(1_001);
    expect(await coalescer.sendKeyed('step_1', 'msg-4', send('msg-4'))).toBe('msg-4');
    expect(sends).toEqual(['msg-2', 'msg-4']);
  });

  it('a confirmed holder (sent) is believed for the window', async () => {
    await store.claimSend('step_1', 'msg-1', CLAIM_LEASE, 3600);
    await store.markSent('step_1', 'msg-1');
    const { coalescer } = process_();
    expect(await coalescer.sendKeyed('step_1', 'msg-2', send('msg-2'))).toBe('msg-1');
    await clock.advance(10 * CLAIM_LEASE * 1000);
    const claims = jest.spyOn(store, 'claimSend');
    expect(await coalescer.sendKeyed('step_1', 'msg-3', send('msg-3'))).toBe('msg-1');
    expect(claims).not.toHaveBeenCalled();
  });

  it('a message not started within half the claim lease is marked sent, so its claim no longer lapses', async () => {
    const { coalescer } = process_();
    await coalescer.sendKeyed('step_1', 'msg-1', send('msg-1'));
    await clock.advance((CLAIM_LEASE * 1000) / 2);
    await clock.advance(60_000);
    expect(await store.claimSend('step_1', 'msg-2', 30, 3600)).toEqual({ won: false, holderId: 'msg-1' });
  });

  it('a message that started here by then costs no mark', async () => {
    const { coalescer, local } = process_();
    await coalescer.sendKeyed('step_1', 'msg-1', send('msg-1'));
    local.began('msg-1');
    const marks = jest.spyOn(store, 'markSent');
    await clock.advance(CLAIM_LEASE * 1000);
    expect(marks).not.toHaveBeenCalled();
  });

  it('many keys sent at once wait for their sent-marks each on its own signal (no listener-leak warning); close() ends them all', async () => {
    const sleep = jest.spyOn(clock, 'sleep');
    const { coalescer } = process_();
    await Promise.all(Array.from({ length: 50 }, (_, i) => coalescer.sendKeyed(`step_${i}`, `msg-${i}`, send(`msg-${i}`))));
    const signals = sleep.mock.calls.map(([, signal]) => signal!);
    expect(new Set(signals).size).toBe(50);
    // Node warns once one signal has more than 10 listeners.
    expect(Math.max(...signals.map((signal) => getEventListeners(signal, 'abort').length))).toBe(1);
    const marks = jest.spyOn(store, 'markSent');
    coalescer.close();
    expect(signals.every((signal) => signal.aborted)).toBe(true);
    await clock.advance(CLAIM_LEASE * 1000);
    expect(marks).not.toHaveBeenCalled();
  });
});

describe('run wake-ups', () => {
  it('the first wake-up of a quiet run is sent unmarked; one sent while it is pending is marked; later ones are dropped', async () => {
    const { coalescer } = process_();
    const marks: boolean[] = [];
    expect(await coalescer.sendWakeup('wrun_1', 'w-1', send('w-1', marks))).toBe('w-1');
    expect(await coalescer.sendWakeup('wrun_1', 'w-2', send('w-2', marks))).toBe('w-2');
    expect(await coalescer.sendWakeup('wrun_1', 'w-3', send('w-3', marks))).toBe('w-2');
    expect(await coalescer.sendWakeup('wrun_1', 'w-4', send('w-4', marks))).toBe('w-2');
    expect(sends).toEqual(['w-1', 'w-2']);
    expect(marks).toEqual([false, true]);
    expect(await store.pendingWakeup('wrun_1')).toBe('w-2');
  });

  it('once the marked wake-up started (mark cleared), the next one is sent: no wake-up is lost', async () => {
    const { coalescer, local } = process_();
    await coalescer.sendWakeup('wrun_1', 'w-1', send('w-1'));
    await coalescer.sendWakeup('wrun_1', 'w-2', send('w-2'));
    // Delivery of w-2 starts, here or in another process: the mark is cleared before the replay reads the log.
    await store.clearWakeup('wrun_1', 'w-2');
    expect(await coalescer.sendWakeup('wrun_1', 'w-3', send('w-3'))).toBe('w-3');
    local.began('w-3');
    expect(await coalescer.sendWakeup('wrun_1', 'w-4', send('w-4'))).toBe('w-4');
    expect(sends).toEqual(['w-1', 'w-2', 'w-3', 'w-4']);
  });

  it('a mark held by another process is not trusted (its send may never happen): the wake-up is sent', async () => {
    await store.markWakeup('wrun_1', 'w-other', 60); // another process marked, and may have died before sending
    const { coalescer } = process_();
    await coalescer.sendWakeup('wrun_1', 'w-1', send('w-1'));
    expect(await coalescer.sendWakeup('wrun_1', 'w-2', send('w-2'))).toBe('w-2');
    expect(sends).toEqual(['w-1', 'w-2']);
  });

  it('a wake-up pending here as a continuation (not yet begun) absorbs later ones with no mark and no read', async () => {
    const { coalescer, local } = process_();
    const continuation = async () => 'continuation' as const;
    const marks = jest.spyOn(store, 'markWakeup');
    const reads = jest.spyOn(store, 'pendingWakeup');
    expect(await coalescer.sendWakeup('wrun_1', 'w-1', continuation)).toBe('w-1');
    expect(local.hasAbsorbed('w-1')).toBe(false);
    expect(await coalescer.sendWakeup('wrun_1', 'w-2', send('w-2'))).toBe('w-1');
    // Its replay now owes w-2's event, which it must read (it may not start from what this process committed).
    expect(local.hasAbsorbed('w-1')).toBe(true);
    expect(await coalescer.sendWakeup('wrun_1', 'w-3', send('w-3'))).toBe('w-1');
    expect(sends).toEqual([]);
    expect(marks).not.toHaveBeenCalled();
    expect(reads).not.toHaveBeenCalled();
    // Its replay began (it reads the log from now on): the next wake-up is its own.
    local.began('w-1');
    expect(await coalescer.sendWakeup('wrun_1', 'w-4', send('w-4'))).toBe('w-4');
    expect(sends).toEqual(['w-4']);
    expect(local.hasAbsorbed('w-4')).toBe(false);
  });

  it('a continuation sent as a message after all no longer absorbs wake-ups unread: the next one is marked', async () => {
    const { coalescer } = process_();
    const marks: boolean[] = [];
    await coalescer.sendWakeup('wrun_1', 'w-1', async () => 'continuation' as const);
    coalescer.continuationSent('wrun_1', 'w-1');
    expect(await coalescer.sendWakeup('wrun_1', 'w-2', send('w-2', marks))).toBe('w-2');
    expect(marks).toEqual([true]);
  });

  it('a failed marked send clears its mark', async () => {
    const { coalescer } = process_();
    await coalescer.sendWakeup('wrun_1', 'w-1', send('w-1'));
    await expect(coalescer.sendWakeup('wrun_1', 'w-2', async () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await store.pendingWakeup('wrun_1')).toBeUndefined();
  });
});
