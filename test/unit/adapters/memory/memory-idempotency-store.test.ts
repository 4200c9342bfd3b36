// Idempotency claims: one owner per key within the window, expiry by the clock.
import { ManualClock } from '../../../../src/adapters/memory/manual-clock.js';
import { MemoryIdempotencyStore } from '../../../../src/adapters/memory/memory-idempotency-store.js';

describe('MemoryIdempotencyStore', () => {
  let clock: ManualClock;
  let store: MemoryIdempotencyStore;

  beforeEach(() => {
    clock = new ManualClock(0);
    store = new MemoryIdempotencyStore(clock);
  });

  it('grants a free key and refuses it to another owner within the window', async () => {
    expect(await store.claim('step_1', 'msg-a', 60)).toBe(true);
    expect(await store.claim('step_1', 'msg-b', 60)).toBe(false);
    expect(await store.claim('step_2', 'msg-b', 60)).toBe(true);
  });

  it('grants the key again to its owner (a redelivery of the same message)', async () => {
    await store.claim('k', 'msg-a', 60);
    expect(await store.claim('k', 'msg-a', 60)).toBe(true);
  });

  it('frees the key when the window ends', async () => {
    await store.claim('k', 'msg-a', 60);
    await clock.advance(59_999);
    expect(await store.claim('k', 'msg-b', 60)).toBe(false);
    await clock.advance(1);
    expect(await store.claim('k', 'msg-b', 60)).toBe(true);
    expect(await store.claim('k', 'msg-a', 60)).toBe(false);
  });

  it('restarts the window when the owner claims again', async () => {
    await store.claim('k', 'msg-a', 60);
    await clock.advance(50_000);
    await store.claim('k', 'msg-a', 60);
    await clock.advance(50_000);
    expect(await store.claim('k', 'msg-b', 60)).toBe(false);
  });

  it('does not deduplicate with a zero-second window', async () => {
    expect(await store.claim('k', 'msg-a', 0)).toBe(true);
    expect(await store.claim('k', 'msg-b', 0)).toBe(true);
  });

  it('keeps live claims when it sweeps expired ones', async () => {
    await store.claim('live', 'owner', 3_600);
    for (let i = 0; i < 1_500; i++) await store.claim(`short-${i}`, 'owner', 1);
    await clock.advance(2_000);
    for (let i = 0; i < 1_000; i++) await store.claim(`later-${i}`, 'owner', 1);
    expect(await store.claim('live', 'other', 3_600)).toBe(false);
    expect(await store.claim('short-0', 'other', 1)).toBe(true);
  });
});
