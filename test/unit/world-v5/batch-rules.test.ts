// What one createBatch may hold, and how a batch is split into atomic chunks.
import { assertValidBatch, entityOf, isPairStart, type BatchRequest } from '../../../src/world-v5/batch/batch-rules.js';
import { chunkBatch, estimatedBytes, MAX_CHUNK_BYTES, MAX_CHUNK_EVENTS } from '../../../src/world-v5/batch/batch-chunks.js';

const created = (id: string, input: unknown = new Uint8Array(8)): BatchRequest => ({ eventType: 'step_created', correlationId: id, eventData: { stepName: 's', input } });
const started = (id: string): BatchRequest => ({ eventType: 'step_started', correlationId: id });
const waitCreated = (id: string): BatchRequest => ({ eventType: 'wait_created', correlationId: id, eventData: { resumeAt: new Date(0) } });

describe('assertValidBatch', () => {
  it.each(['run_created', 'run_started', 'run_cancelled', 'hook_created', 'hook_disposed', 'attr_set'])('refuses %s whole (400)', (eventType) => {
    expect(() => assertValidBatch([created('a'), { eventType, correlationId: 'x', eventData: {} }])).toThrow(
      expect.objectContaining({ status: 400, message: expect.stringContaining(`event 1: ${eventType} cannot be written in a batch`) }),
    );
  });

  it.each(['step_created', 'step_completed', 'step_failed', 'step_retrying', 'wait_created', 'wait_completed', 'hook_received', 'run_completed', 'run_failed'])(
    'accepts %s',
    (eventType) => {
      expect(() => assertValidBatch([{ eventType, correlationId: 'a', eventData: {} }])).not.toThrow();
    },
  );

  it('accepts an empty batch and a fan-out', () => {
    expect(() => assertValidBatch([])).not.toThrow();
    expect(() => assertValidBatch(Array.from({ length: 32 }, (_, i) => created(`step_${i}`)))).not.toThrow();
  });

  it('accepts a step born running: step_created then step_started of the same step', () => {
    expect(() => assertValidBatch([created('a'), started('a'), created('b'), started('b'), waitCreated('w')])).not.toThrow();
  });

  it.each([
    ['two creates of one step', [created('a'), created('a')]],
    ['a start before its create', [started('a'), created('a')]],
    ['a start not right after its create', [created('a'), created('b'), started('a')]],
    ['two run terminals', [{ eventType: 'run_completed', eventData: {} }, { eventType: 'run_failed', eventData: {} }]],
    ['a step and a wait... of one wait twice', [waitCreated('w'), { eventType: 'wait_completed', correlationId: 'w' }]],
  ] as Array<[string, BatchRequest[]]>)('refuses more than one event per entity: %s', (_label, requests) => {
    expect(() => assertValidBatch(requests)).toThrow(expect.objectContaining({ status: 400, message: expect.stringContaining('more than one event for') }));
  });

  it('refuses a batched step_started carrying input: it rides the step_created', () => {
    const lazy = { eventType: 'step_started', correlationId: 'a', eventData: { stepName: 's', input: new Uint8Array(1) } };
    expect(() => assertValidBatch([created('a'), lazy])).toThrow(expect.objectContaining({ status: 400, message: expect.stringContaining('may not carry input') }));
  });

  it.each([
    [null, 'event 0 has no eventType'],
    [{}, 'event 0 has no eventType'],
  ])('refuses a malformed event %j', (request, message) => {
    expect(() => assertValidBatch([request as unknown as BatchRequest])).toThrow(expect.objectContaining({ status: 400, message: expect.stringContaining(message) }));
  });

  it('names entities by kind and correlation id; both run terminals are the run', () => {
    expect(entityOf(created('a'))).toBe('step:a');
    expect(entityOf(waitCreated('a'))).toBe('wait:a');
    expect(entityOf({ eventType: 'hook_received', correlationId: 'a' })).toBe('hook:a');
    expect(entityOf({ eventType: 'run_completed' })).toBe('run');
    expect(entityOf({ eventType: 'run_failed' })).toBe('run');
  });

  it('finds pair starts only right after their create', () => {
    const requests = [created('a'), started('a'), started('b'), created('c'), started('d')];
    expect(requests.map((_, i) => isPairStart(requests, i))).toEqual([false, true, false, false, false]);
  });
});

describe('chunkBatch', () => {
  const limits = (maxEvents: number, maxBytes = Number.MAX_SAFE_INTEGER) => ({ maxEvents, maxBytes, maxInlinePayloadBytes: 1000 });

  /** Every request in exactly one chunk, in order; no chunk over the limits; no pair split. */
  function checkChunks(requests: BatchRequest[], l: ReturnType<typeof limits>): Array<[number, number]> {
    const chunks = chunkBatch(requests, l);
    let next = 0;
    for (const [start, end] of chunks) {
      expect(start).toBe(next);
      expect(end).toBeGreaterThan(start);
      expect(end - start).toBeLessThanOrEqual(l.maxEvents);
      expect(isPairStart(requests, start)).toBe(false);
      next = end;
    }
    expect(next).toBe(requests.length);
    return chunks;
  }

  it('puts an empty batch in no chunk', () => {
    expect(chunkBatch([], limits(10))).toEqual([]);
  });

  it('splits n plain events into ⌈n / max⌉ full chunks, for every n up to 3 × max and max 1–12', () => {
    for (let max = 1; max <= 12; max++) {
      for (let n = 0; n <= 3 * max; n++) {
        const requests = Array.from({ length: n }, (_, i) => created(`s${i}`));
        const chunks = checkChunks(requests, limits(max));
        expect(chunks).toHaveLength(Math.ceil(n / max));
        chunks.slice(0, -1).forEach(([s, e]) => expect(e - s).toBe(max));
      }
    }
  });

  it('never splits a born-running pair, for every mix of pairs and singles up to 10 events and max 2–6', () => {
    for (let max = 2; max <= 6; max++) {
      // Each bit: a pair (1) or a single create (0).
      for (let mask = 0; mask < 1 << 7; mask++) {
        const requests: BatchRequest[] = [];
        for (let bit = 0; bit < 7; bit++) {
          const id = `s${bit}`;
          requests.push(created(id));
          if (mask & (1 << bit)) requests.push(started(id));
        }
        checkChunks(requests, limits(max));
      }
    }
  });

  it('closes a chunk before the estimated bytes pass the limit', () => {
    const big = created('a', new Uint8Array(900));
    const size = estimatedBytes(big, 1000);
    const requests = Array.from({ length: 10 }, (_, i) => created(`s${i}`, new Uint8Array(900)));
    const chunks = checkChunks(requests, limits(100, size * 3));
    expect(chunks.map(([s, e]) => e - s)).toEqual([3, 3, 3, 1]);
  });

  it('counts a payload above the inline limit as the pointer it becomes', () => {
    expect(estimatedBytes(created('a', new Uint8Array(5000)), 1000)).toBeLessThan(estimatedBytes(created('a', new Uint8Array(900)), 1000));
  });

  it('gives one oversized event its own chunk rather than refusing it', () => {
    const requests = [created('a'), created('b', { text: 'x'.repeat(5000) }), created('c')];
    expect(checkChunks(requests, { maxEvents: 10, maxBytes: 2000, maxInlinePayloadBytes: 100_000 })).toEqual([[0, 1], [1, 2], [2, 3]]);
  });

  it('keeps the runtime’s largest batch (32 events) in one chunk under the production limits', () => {
    const requests = Array.from({ length: 32 }, (_, i) => created(`s${i}`, new Uint8Array(64 * 1024)));
    expect(chunkBatch(requests, { maxEvents: MAX_CHUNK_EVENTS, maxBytes: MAX_CHUNK_BYTES, maxInlinePayloadBytes: 128 * 1024 })).toEqual([[0, 32]]);
  });
});
