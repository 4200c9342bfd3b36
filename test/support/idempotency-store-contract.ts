// The IdempotencyStore rules, run against the memory adapter (unit) and the
// DynamoDB adapter on the local DynamoDB (integration).
import type { IdempotencyStore } from '../../src/ports/idempotency-store.js';

export interface StoreFixture {
  store: IdempotencyStore;
  /** Moves the store's clock forward. */
  advance(ms: number): void;
}

export function idempotencyStoreContract(fixture: () => StoreFixture): void {
  let n = 0;
  const fresh = (label: string) => `${label}-${++n}-${Math.random().toString(36).slice(2)}`;

  it('a nonce is claimed once within its TTL, and again after it', async () => {
    const f = fixture();
    const nonce = fresh('nonce');
    expect(await f.store.claimNonce(nonce, 300)).toBe(true);
    expect(await f.store.claimNonce(nonce, 300)).toBe(false);
    expect(await f.store.claimNonce(fresh('nonce'), 300)).toBe(true);
    f.advance(301_000);
    expect(await f.store.claimNonce(nonce, 300)).toBe(true);
  });

  it('one send claim per key: a second message gets the holder', async () => {
    const { store } = fixture();
    const key = fresh('k');
    expect(await store.claimSend(key, 'msg-1', 30, 3600)).toEqual({ won: true });
    expect(await store.claimSend(key, 'msg-2', 30, 3600)).toEqual({ won: false, holderId: 'msg-1' });
  });

  it('a claim whose send was never confirmed lapses; a sent one does not', async () => {
    const f = fixture();
    const lapsing = fresh('k');
    const sent = fresh('k');
    await f.store.claimSend(lapsing, 'msg-1', 30, 3600);
    await f.store.claimSend(sent, 'msg-1', 30, 3600);
    await f.store.markSent(sent, 'msg-1');
    f.advance(31_000);
    expect(await f.store.claimSend(lapsing, 'msg-2', 30, 3600)).toEqual({ won: true });
    expect(await f.store.claimSend(sent, 'msg-2', 30, 3600)).toEqual({ won: false, holderId: 'msg-1' });
  });

  it('an abandoned claim frees the key at once; abandoning someone else’s claim changes nothing', async () => {
    const { store } = fixture();
    const key = fresh('k');
    await store.claimSend(key, 'msg-1', 30, 3600);
    await store.abandonClaim(key, 'msg-0');
    expect(await store.claimSend(key, 'msg-2', 30, 3600)).toEqual({ won: false, holderId: 'msg-1' });
    await store.abandonClaim(key, 'msg-1');
    expect(await store.claimSend(key, 'msg-2', 30, 3600)).toEqual({ won: true });
  });

  it('a delivering key is never claimable by a send, even after its lease lapsed', async () => {
    const f = fixture();
    const key = fresh('k');
    await f.store.claimSend(key, 'msg-1', 30, 3600);
    expect(await f.store.beginDelivery(key, 'msg-1', 10, 3600)).toEqual({ kind: 'start', attempt: 1 });
    f.advance(60_000);
    expect(await f.store.claimSend(key, 'msg-2', 30, 3600)).toEqual({ won: false, holderId: 'msg-1' });
  });

  it('one delivery at a time per message: a copy is busy until the lease ends; attempts count real deliveries', async () => {
    const f = fixture();
    const key = fresh('k');
    await f.store.claimSend(key, 'msg-1', 30, 3600);
    expect(await f.store.beginDelivery(key, 'msg-1', 10, 3600)).toEqual({ kind: 'start', attempt: 1 });
    const busy = await f.store.beginDelivery(key, 'msg-1', 10, 3600);
    expect(busy.kind).toBe('busy');
    f.advance(11_000); // the first delivery died: its lease lapsed
    expect(await f.store.beginDelivery(key, 'msg-1', 10, 3600)).toEqual({ kind: 'start', attempt: 2 });
    await f.store.releaseDelivery(key, 'msg-1', false); // failed handler: the retry starts at once
    expect(await f.store.beginDelivery(key, 'msg-1', 10, 3600)).toEqual({ kind: 'start', attempt: 3 });
    await f.store.releaseDelivery(key, 'msg-1', true); // reschedule: a fresh count
    expect(await f.store.beginDelivery(key, 'msg-1', 10, 3600)).toEqual({ kind: 'start', attempt: 1 });
  });

  it('an extended lease keeps copies out', async () => {
    const f = fixture();
    const key = fresh('k');
    await f.store.claimSend(key, 'msg-1', 30, 3600);
    await f.store.beginDelivery(key, 'msg-1', 10, 3600);
    f.advance(8_000);
    await f.store.extendDelivery(key, 'msg-1', 10);
    f.advance(8_000);
    expect((await f.store.beginDelivery(key, 'msg-1', 10, 3600)).kind).toBe('busy');
  });

  it('a signed delivery takes the lease and is the replay check: a request signed no later than one that began is replayed', async () => {
    const f = fixture();
    const key = fresh('k');
    const t0 = 1_700_000_000_000;
    await f.store.claimSend(key, 'msg-1', 30, 3600);
    expect(await f.store.beginDelivery(key, 'msg-1', 10, 3600, t0)).toEqual({ kind: 'start', attempt: 1 });
    // The same request again, while it runs and after it failed and released its lease.
    expect(await f.store.beginDelivery(key, 'msg-1', 10, 3600, t0)).toEqual({ kind: 'replayed' });
    // A copy signed later, while the first runs: busy.
    expect((await f.store.beginDelivery(key, 'msg-1', 10, 3600, t0 + 5)).kind).toBe('busy');
    // Releasing by another delivery's signing time leaves the lease alone; by its own frees it.
    await f.store.releaseDelivery(key, 'msg-1', false, t0 + 5);
    expect((await f.store.beginDelivery(key, 'msg-1', 10, 3600, t0 + 6)).kind).toBe('busy');
    await f.store.releaseDelivery(key, 'msg-1', false, t0);
    expect(await f.store.beginDelivery(key, 'msg-1', 10, 3600, t0)).toEqual({ kind: 'replayed' });
    // The real redelivery, signed later: attempt 2.
    expect(await f.store.beginDelivery(key, 'msg-1', 10, 3600, t0 + 1000)).toEqual({ kind: 'start', attempt: 2 });
  });

  it('a message whose claim was taken over is superseded', async () => {
    const f = fixture();
    const key = fresh('k');
    await f.store.claimSend(key, 'msg-1', 30, 3600);
    f.advance(31_000);
    await f.store.claimSend(key, 'msg-2', 30, 3600);
    expect(await f.store.beginDelivery(key, 'msg-1', 10, 3600)).toEqual({ kind: 'superseded' });
    expect(await f.store.beginDelivery(key, 'msg-2', 10, 3600)).toEqual({ kind: 'start', attempt: 1 });
  });

  it('a message never claimed (an older sender) claims its key on delivery', async () => {
    const { store } = fixture();
    const key = fresh('k');
    expect(await store.beginDelivery(key, 'msg-1', 10, 3600)).toEqual({ kind: 'start', attempt: 1 });
    expect((await store.beginDelivery(key, 'msg-1', 10, 3600)).kind).toBe('busy');
    expect(await store.beginDelivery(key, 'msg-2', 10, 3600)).toEqual({ kind: 'superseded' });
  });

  it('the window ends: the key is free again', async () => {
    const f = fixture();
    const key = fresh('k');
    await f.store.claimSend(key, 'msg-1', 30, 60);
    await f.store.markSent(key, 'msg-1');
    f.advance(62_000);
    expect(await f.store.claimSend(key, 'msg-2', 30, 60)).toEqual({ won: true });
  });

  it('concurrent send claims of one key: exactly one wins', async () => {
    const { store } = fixture();
    const key = fresh('race');
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.claimSend(key, `msg-${i}`, 30, 3600)));
    const winners = results.filter((r) => r.won);
    expect(winners).toHaveLength(1);
  });

  it('very long keys work', async () => {
    const { store } = fixture();
    const long = fresh('k').repeat(200);
    expect(await store.claimSend(long, 'a', 30, 3600)).toEqual({ won: true });
    expect(await store.claimSend(long, 'b', 30, 3600)).toEqual({ won: false, holderId: 'a' });
  });

  it('one pending wake-up per run: marked, read back, cleared only by its holder, lapsing with its lease', async () => {
    const f = fixture();
    const run = fresh('wrun');
    expect(await f.store.pendingWakeup(run)).toBeUndefined();
    expect(await f.store.markWakeup(run, 'w-1', 30)).toEqual({ won: true });
    expect(await f.store.markWakeup(run, 'w-2', 30)).toEqual({ won: false, holderId: 'w-1' });
    expect(await f.store.pendingWakeup(run)).toBe('w-1');
    await f.store.clearWakeup(run, 'w-2'); // not the holder: nothing changes
    expect(await f.store.pendingWakeup(run)).toBe('w-1');
    await f.store.clearWakeup(run, 'w-1');
    expect(await f.store.pendingWakeup(run)).toBeUndefined();
    expect(await f.store.markWakeup(run, 'w-3', 30)).toEqual({ won: true });
    f.advance(31_000);
    expect(await f.store.pendingWakeup(run)).toBeUndefined();
    expect(await f.store.markWakeup(run, 'w-4', 30)).toEqual({ won: true });
  });
}
