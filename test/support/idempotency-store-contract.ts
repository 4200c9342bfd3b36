// The IdempotencyStore rules, run against the memory adapter (unit) and the
// DynamoDB adapter on the local DynamoDB (integration).
import { LEASE_SKEW_MARGIN_MS } from '../../src/domain/delivery/lease.js';
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
    expect(await store.claimSend(key, 'msg-2', 30, 3600)).toMatchObject({ won: false, holderId: 'msg-1' });
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
    expect(await store.claimSend(key, 'msg-2', 30, 3600)).toMatchObject({ won: false, holderId: 'msg-1' });
    await store.abandonClaim(key, 'msg-1');
    expect(await store.claimSend(key, 'msg-2', 30, 3600)).toEqual({ won: true });
  });

  it('a lost claim reports when the holder’s unconfirmed claim ends; a confirmed one has no end', async () => {
    const f = fixture();
    const key = fresh('k');
    await f.store.claimSend(key, 'msg-1', 30, 3600);
    const lost = await f.store.claimSend(key, 'msg-2', 30, 3600);
    expect(lost).toMatchObject({ won: false, holderId: 'msg-1' });
    expect((lost as { claimEndsAt?: number }).claimEndsAt).toBeGreaterThan(0);
    await f.store.markSent(key, 'msg-1');
    expect(await f.store.claimSend(key, 'msg-2', 30, 3600)).toEqual({ won: false, holderId: 'msg-1' });
  });

  it('a delivering key is never claimable by a send, even after its lease lapsed', async () => {
    const f = fixture();
    const key = fresh('k');
    await f.store.claimSend(key, 'msg-1', 30, 3600);
    expect(await f.store.beginDelivery(key, 'msg-1', 'n-1', 10, 3600)).toMatchObject({ kind: 'start', attempt: 1 });
    f.advance(60_000);
    expect(await f.store.claimSend(key, 'msg-2', 30, 3600)).toEqual({ won: false, holderId: 'msg-1' });
  });

  it('one delivery at a time per message: a copy is busy until the lease lapsed (with the skew margin); attempts count real deliveries', async () => {
    const f = fixture();
    const key = fresh('k');
    await f.store.claimSend(key, 'msg-1', 30, 3600);
    expect(await f.store.beginDelivery(key, 'msg-1', 'n-1', 10, 3600)).toMatchObject({ kind: 'start', attempt: 1 });
    const busy = await f.store.beginDelivery(key, 'msg-1', 'n-2', 10, 3600);
    expect(busy.kind).toBe('busy');
    f.advance(11_000 + LEASE_SKEW_MARGIN_MS - 2_000); // ended by the holder's clock, not yet past the margin
    expect((await f.store.beginDelivery(key, 'msg-1', 'n-3', 10, 3600)).kind).toBe('busy');
    f.advance(2_000); // the first delivery died: its lease lapsed
    expect(await f.store.beginDelivery(key, 'msg-1', 'n-4', 10, 3600)).toMatchObject({ kind: 'start', attempt: 2 });
    await f.store.releaseDelivery(key, 'msg-1', 'n-4', false); // failed handler: the retry starts at once
    expect(await f.store.beginDelivery(key, 'msg-1', 'n-5', 10, 3600)).toMatchObject({ kind: 'start', attempt: 3 });
    await f.store.releaseDelivery(key, 'msg-1', 'n-5', true); // reschedule: a fresh count
    expect(await f.store.beginDelivery(key, 'msg-1', 'n-6', 10, 3600)).toMatchObject({ kind: 'start', attempt: 1 });
  });

  it('start reports when the lease ends', async () => {
    const f = fixture();
    const key = fresh('k');
    const start = await f.store.beginDelivery(key, 'msg-1', 'n-1', 10, 3600);
    const end = (start as { leaseEndsAt: number }).leaseEndsAt;
    expect(await f.store.beginDelivery(key, 'msg-1', 'n-2', 10, 3600)).toEqual({ kind: 'busy', leaseEndsAt: end });
  });

  it('only the holder’s nonce extends or releases the lease', async () => {
    const f = fixture();
    const key = fresh('k');
    await f.store.claimSend(key, 'msg-1', 30, 3600);
    await f.store.beginDelivery(key, 'msg-1', 'n-1', 10, 3600);
    f.advance(8_000);
    expect(await f.store.extendDelivery(key, 'msg-1', 'n-other', 10)).toBeUndefined();
    expect(await f.store.extendDelivery(key, 'msg-1', 'n-1', 10)).toBeGreaterThan(0);
    await f.store.releaseDelivery(key, 'msg-1', 'n-other', false); // a copy (same message, same millisecond) frees nothing
    f.advance(8_000 + LEASE_SKEW_MARGIN_MS);
    expect((await f.store.beginDelivery(key, 'msg-1', 'n-2', 10, 3600)).kind).toBe('busy');
    await f.store.releaseDelivery(key, 'msg-1', 'n-1', false);
    expect((await f.store.beginDelivery(key, 'msg-1', 'n-2', 10, 3600)).kind).toBe('start');
  });

  it('the lease write is the replay check: a nonce that began a delivery of the key is replayed, whether it runs or ended', async () => {
    const f = fixture();
    const key = fresh('k');
    await f.store.claimSend(key, 'msg-1', 30, 3600);
    expect(await f.store.beginDelivery(key, 'msg-1', 'n-1', 10, 3600)).toMatchObject({ kind: 'start', attempt: 1 });
    expect(await f.store.beginDelivery(key, 'msg-1', 'n-1', 10, 3600)).toEqual({ kind: 'replayed' });
    await f.store.releaseDelivery(key, 'msg-1', 'n-1', false);
    expect(await f.store.beginDelivery(key, 'msg-1', 'n-2', 10, 3600)).toMatchObject({ kind: 'start', attempt: 2 });
    await f.store.releaseDelivery(key, 'msg-1', 'n-2', false);
    expect(await f.store.beginDelivery(key, 'msg-1', 'n-1', 10, 3600)).toEqual({ kind: 'replayed' });
    expect(await f.store.beginDelivery(key, 'msg-1', 'n-2', 10, 3600)).toEqual({ kind: 'replayed' });
  });

  it('a message whose claim was taken over is superseded', async () => {
    const f = fixture();
    const key = fresh('k');
    await f.store.claimSend(key, 'msg-1', 30, 3600);
    f.advance(31_000);
    await f.store.claimSend(key, 'msg-2', 30, 3600);
    expect(await f.store.beginDelivery(key, 'msg-1', 'n-1', 10, 3600)).toEqual({ kind: 'superseded' });
    expect(await f.store.beginDelivery(key, 'msg-2', 'n-2', 10, 3600)).toMatchObject({ kind: 'start', attempt: 1 });
  });

  it('a message never claimed (an older sender) claims its key on delivery', async () => {
    const { store } = fixture();
    const key = fresh('k');
    expect(await store.beginDelivery(key, 'msg-1', 'n-1', 10, 3600)).toMatchObject({ kind: 'start', attempt: 1 });
    expect((await store.beginDelivery(key, 'msg-1', 'n-2', 10, 3600)).kind).toBe('busy');
    expect(await store.beginDelivery(key, 'msg-2', 'n-3', 10, 3600)).toEqual({ kind: 'superseded' });
  });

  it('the window ends: the key is free again', async () => {
    const f = fixture();
    const key = fresh('k');
    await f.store.claimSend(key, 'msg-1', 30, 60);
    await f.store.markSent(key, 'msg-1');
    f.advance(62_000);
    expect(await f.store.claimSend(key, 'msg-2', 30, 60)).toEqual({ won: true });
  });

  it('an inline claim takes the key and its delivery lease in one: copies are busy, the nonce is seen, the holder extends and releases', async () => {
    const f = fixture();
    const key = fresh('k');
    const won = await f.store.claimInline(key, 'msg-1', 'n-1', 60, 3600);
    expect(won).toMatchObject({ won: true });
    const leaseEndsAt = (won as { leaseEndsAt: number }).leaseEndsAt;
    // Other messages lose the key for the window; a copy of this one waits for the lease; the holder's nonce is a replay.
    expect(await f.store.claimSend(key, 'msg-2', 30, 3600)).toEqual({ won: false, holderId: 'msg-1' });
    expect(await f.store.claimInline(key, 'msg-2', 'n-2', 60, 3600)).toEqual({ won: false, holderId: 'msg-1' });
    expect(await f.store.beginDelivery(key, 'msg-1', 'n-3', 60, 3600)).toEqual({ kind: 'busy', leaseEndsAt });
    expect(await f.store.beginDelivery(key, 'msg-1', 'n-1', 60, 3600)).toEqual({ kind: 'replayed' });
    expect(await f.store.extendDelivery(key, 'msg-1', 'n-3', 60)).toBeUndefined();
    expect(await f.store.extendDelivery(key, 'msg-1', 'n-1', 60)).toBeGreaterThanOrEqual(leaseEndsAt);
    await f.store.releaseDelivery(key, 'msg-1', 'n-1', false);
    // Released (the run failed): its copy starts at once, as the second real delivery.
    expect(await f.store.beginDelivery(key, 'msg-1', 'n-3', 60, 3600)).toMatchObject({ kind: 'start', attempt: 2 });
  });

  it('an inline claim whose holder died lapses like any delivery lease: its safety net takes it over', async () => {
    const f = fixture();
    const key = fresh('k');
    await f.store.claimInline(key, 'msg-1', 'n-1', 60, 3600);
    f.advance(60_000 + LEASE_SKEW_MARGIN_MS + 1_000);
    expect(await f.store.beginDelivery(key, 'msg-1', 'n-2', 60, 3600)).toMatchObject({ kind: 'start', attempt: 2 });
  });

  it('an inline claim is given up only by its own nonce; a free key, an ended window or a lapsed unconfirmed claim can be claimed inline', async () => {
    const f = fixture();
    const key = fresh('k');
    await f.store.claimInline(key, 'msg-1', 'n-1', 60, 3600);
    await f.store.abandonClaim(key, 'msg-1', 'n-0');
    await f.store.abandonClaim(key, 'msg-1');
    expect(await f.store.claimSend(key, 'msg-2', 30, 3600)).toMatchObject({ won: false, holderId: 'msg-1' });
    await f.store.abandonClaim(key, 'msg-1', 'n-1');
    expect(await f.store.claimInline(key, 'msg-2', 'n-2', 60, 3600)).toMatchObject({ won: true });
    const unconfirmed = fresh('k');
    await f.store.claimSend(unconfirmed, 'msg-1', 30, 3600);
    f.advance(31_000);
    expect(await f.store.claimInline(unconfirmed, 'msg-2', 'n-2', 60, 3600)).toMatchObject({ won: true });
    f.advance(3600_000);
    expect(await f.store.claimInline(key, 'msg-3', 'n-3', 60, 3600)).toMatchObject({ won: true });
  });

  it('concurrent send claims of one key: exactly one wins', async () => {
    const { store } = fixture();
    const key = fresh('race');
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.claimSend(key, `msg-${i}`, 30, 3600)));
    const winners = results.filter((r) => r.won);
    expect(winners).toHaveLength(1);
  });

  it('concurrent first deliveries of a key with no record: exactly one starts, the others are busy until its lease ends', async () => {
    const { store } = fixture();
    const key = fresh('msg#race');
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.beginDelivery(key, 'msg-1', `n-${i}`, 60, 3600)));
    const started = results.filter((r) => r.kind === 'start');
    expect(started).toEqual([expect.objectContaining({ kind: 'start', attempt: 1 })]);
    const leaseEndsAt = (started[0] as { leaseEndsAt: number }).leaseEndsAt;
    expect(results.filter((r) => r.kind !== 'start')).toEqual(Array.from({ length: 9 }, () => ({ kind: 'busy', leaseEndsAt })));
  });

  it('very long keys work', async () => {
    const { store } = fixture();
    const long = fresh('k').repeat(200);
    expect(await store.claimSend(long, 'a', 30, 3600)).toEqual({ won: true });
    expect(await store.claimSend(long, 'b', 30, 3600)).toMatchObject({ won: false, holderId: 'a' });
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
