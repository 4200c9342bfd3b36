// The log prefixes a process holds: contiguous extension, bounds, LRU, TTL.
import type { Event } from '@workflow/world';
import { EVENT_OVERHEAD_BYTES, eventBytes, RunLogCache } from '../../../src/domain/run-log-cache.js';

const ev = (runId: string, n: number, payloadBytes = 0): Event =>
  ({
    runId,
    eventId: `evnt_${String(n).padStart(4, '0')}`,
    eventType: 'step_completed',
    correlationId: 'step_1',
    createdAt: new Date(n),
    specVersion: 3,
    ...(payloadBytes ? { eventData: { result: new Uint8Array(payloadBytes) } } : {}),
  }) as Event;
const range = (runId: string, from: number, to: number, payloadBytes = 0) => Array.from({ length: to - from + 1 }, (_, i) => ev(runId, from + i, payloadBytes));
const ids = (events: readonly Event[] | undefined) => events?.map((e) => e.eventId);

describe('RunLogCache', () => {
  let now = 0;
  const cache = (options = {}) => new RunLogCache(() => now, options);
  beforeEach(() => (now = 1_000_000));

  it('holds nothing until extended from sequence number 1', () => {
    const c = cache();
    expect(c.get('r')).toBeUndefined();
    expect(c.heldThrough('r')).toBe(0);
    c.extend('r', { firstSeq: 2, events: range('r', 2, 3), version: 3 });
    expect(c.get('r')).toBeUndefined();
    c.extend('r', { firstSeq: 1, events: range('r', 1, 3), version: 3 });
    expect(ids(c.get('r')?.events)).toEqual(ids(range('r', 1, 3)));
    expect(c.get('r')?.version).toBe(3);
    expect(c.heldThrough('r')).toBe(3);
  });

  it('extends only contiguously: an overlap keeps what is held and adds the rest, a gap is ignored', () => {
    const c = cache();
    c.extend('r', { firstSeq: 1, events: range('r', 1, 2), version: 2 });
    c.extend('r', { firstSeq: 2, events: range('r', 2, 4), version: 4 });
    expect(ids(c.get('r')?.events)).toEqual(ids(range('r', 1, 4)));
    c.extend('r', { firstSeq: 1, events: range('r', 1, 3), version: 3 });
    expect(c.get('r')?.version).toBe(4);
    c.extend('r', { firstSeq: 6, events: range('r', 6, 6), version: 6 });
    expect(c.heldThrough('r')).toBe(4);
    expect(c.get('r')?.version).toBe(4);
  });

  it('counts bytes by payload plus a fixed overhead per event', () => {
    const c = cache();
    c.extend('r', { firstSeq: 1, events: range('r', 1, 2, 1000), version: 2 });
    expect(eventBytes(ev('r', 1))).toBe(EVENT_OVERHEAD_BYTES + 1);
    expect(c.size()).toEqual({ runs: 1, bytes: 2 * eventBytes(ev('r', 1, 1000)) });
    c.forget('r');
    expect(c.size()).toEqual({ runs: 0, bytes: 0 });
  });

  it('drops the least recently used run past the run bound; reading a run makes it recent', () => {
    const c = cache({ maxRuns: 2 });
    c.extend('a', { firstSeq: 1, events: range('a', 1, 1), version: 1 });
    c.extend('b', { firstSeq: 1, events: range('b', 1, 1), version: 1 });
    c.get('a');
    c.extend('c', { firstSeq: 1, events: range('c', 1, 1), version: 1 });
    expect(c.get('b')).toBeUndefined();
    expect(c.get('a')).toBeDefined();
    expect(c.get('c')).toBeDefined();
    expect(c.size().runs).toBe(2);
  });

  it('drops least recently used runs past the byte bound, never the run just extended', () => {
    const one = eventBytes(ev('x', 1, 100));
    const c = cache({ maxTotalBytes: one * 3, maxRunBytes: one * 3 });
    c.extend('a', { firstSeq: 1, events: range('a', 1, 1, 100), version: 1 });
    c.extend('b', { firstSeq: 1, events: range('b', 1, 1, 100), version: 1 });
    c.extend('c', { firstSeq: 1, events: range('c', 1, 2, 100), version: 2 });
    expect(c.get('a')).toBeUndefined();
    expect(c.get('b')).toBeDefined();
    expect(c.size().bytes).toBe(3 * one);
    c.extend('c', { firstSeq: 3, events: range('c', 3, 3, 100), version: 3 });
    expect(c.get('b')).toBeUndefined();
    expect(c.heldThrough('c')).toBe(3);
    expect(c.size()).toEqual({ runs: 1, bytes: 3 * one });
  });

  it('does not hold a run whose prefix passes the per-run bound (and forgets what it held of it)', () => {
    const one = eventBytes(ev('x', 1, 100));
    const c = cache({ maxRunBytes: one * 2 });
    c.extend('r', { firstSeq: 1, events: range('r', 1, 2, 100), version: 2 });
    expect(c.heldThrough('r')).toBe(2);
    c.extend('r', { firstSeq: 3, events: range('r', 3, 3, 100), version: 3 });
    expect(c.get('r')).toBeUndefined();
    expect(c.size()).toEqual({ runs: 0, bytes: 0 });
    c.extend('s', { firstSeq: 1, events: range('s', 1, 3, 100), version: 3 });
    expect(c.get('s')).toBeUndefined();
  });

  it('drops a prefix once the first of its items expires (TTL, epoch seconds)', () => {
    const c = cache();
    c.extend('r', { firstSeq: 1, events: range('r', 1, 1), version: 1 });
    c.extend('r', { firstSeq: 2, events: range('r', 2, 2), version: 2, expiresAt: 2000 });
    c.extend('r', { firstSeq: 3, events: range('r', 3, 3), version: 3, expiresAt: 3000 });
    now = 1_999_999;
    expect(c.heldThrough('r')).toBe(3);
    expect(c.get('r')).toBeDefined();
    now = 2_000_000;
    expect(c.get('r')).toBeUndefined();
    expect(c.size()).toEqual({ runs: 0, bytes: 0 });
  });
});
