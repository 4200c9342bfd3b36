// Bump and report: the events on the slots a commit skipped, read from the
// log's end, newest first, in pages.
import type { Event } from '@workflow/world';
import { MAX_REPORTED_EVENTS, skippedEvents, type ListEventsDesc } from '../../../src/world-v5/skipped-events.js';
import { slotToEventId } from '../../../src/domain/slot-ids.js';

const RUN = 'wrun_1';
const log = (length: number): Event[] =>
  Array.from({ length }, (_, i) => ({ runId: RUN, eventId: slotToEventId(i + 1), eventType: 'step_created', correlationId: `s${i + 1}`, createdAt: new Date(0) }) as Event);

/** A desc listing over `events` with numeric cursors, counting its calls. */
function lister(events: Event[]) {
  const calls: Array<{ limit: number; cursor?: string }> = [];
  const list: ListEventsDesc = async (runId, limit, cursor) => {
    expect(runId).toBe(RUN);
    calls.push({ limit, cursor });
    const desc = [...events].reverse();
    const start = cursor === undefined ? 0 : Number(cursor);
    const data = desc.slice(start, start + limit);
    const hasMore = start + limit < desc.length;
    return { data, cursor: data.length > 0 ? String(start + data.length) : null, hasMore };
  };
  return { list, calls };
}
const slots = (events: Event[]) => events.map((e) => Number(e.eventId.slice(5)));

describe('skippedEvents', () => {
  it('is undefined when the commit landed where the writer expected', async () => {
    const { list, calls } = lister(log(5));
    expect(await skippedEvents(list, RUN, 4, 5)).toBeUndefined();
    expect(calls).toHaveLength(0);
  });

  it('is undefined for a writer that had seen more than the commit skipped (an understated count is the safe side only)', async () => {
    const { list } = lister(log(5));
    expect(await skippedEvents(list, RUN, 7, 5)).toBeUndefined();
  });

  it.each([
    [0, 5],
    [1, 5],
    [3, 5],
    [2, 10],
    [0, 1],
  ])('reports the slots after %d below the commit at %d, in slot order, in one read', async (eventCount, committed) => {
    const { list, calls } = lister(log(committed));
    const report = (await skippedEvents(list, RUN, eventCount, committed))!;
    const expected = Array.from({ length: committed - 1 - eventCount }, (_, i) => eventCount + 1 + i);
    if (expected.length === 0) return expect(report).toBeUndefined();
    expect(slots(report.events)).toEqual(expected);
    expect(report).toMatchObject({ cursor: null, hasMore: false });
    expect(calls).toHaveLength(1);
  });

  it('skips commits that landed above its own since', async () => {
    const { list } = lister(log(30));
    const report = (await skippedEvents(list, RUN, 2, 6))!;
    expect(slots(report.events)).toEqual([3, 4, 5]);
    expect(report.hasMore).toBe(false);
  });

  it('pages back until it reaches the writer’s position', async () => {
    const { list, calls } = lister(log(60));
    // Span 3..19; the first page (limit 17 + 8 = 25) holds 60..36 only.
    const report = (await skippedEvents(list, RUN, 2, 20))!;
    expect(slots(report.events)).toEqual(Array.from({ length: 17 }, (_, i) => i + 3));
    expect(calls.length).toBeGreaterThan(1);
    expect(calls[0]!.cursor).toBeUndefined();
  });

  it('says the report is incomplete when slots in the span cannot be read', async () => {
    const events = log(10).filter((e) => !e.eventId.endsWith('07'));
    const { list } = lister(events);
    const report = (await skippedEvents(list, RUN, 2, 10))!;
    expect(slots(report.events)).toEqual([3, 4, 5, 6, 8, 9]);
    expect(report.hasMore).toBe(true);
  });

  it('sends a span above the report limit as truncated without reading it (the runtime drops it whole)', async () => {
    const { list, calls } = lister(log(3));
    expect(await skippedEvents(list, RUN, 0, MAX_REPORTED_EVENTS + 2)).toEqual({ events: [], cursor: null, hasMore: true });
    expect(calls).toHaveLength(0);
  });
});
