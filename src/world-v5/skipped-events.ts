// The "report" half of bump and report. A create never fails because the
// slot its writer expected (`eventCount + 1`) is taken: the commit lands on
// the run's next free slot anyway (the log's conditional append), and the
// events on the slots in between come back on the result so the writer
// learns what it had not seen. They are read newest first from the log's
// end, which is where they are.
import type { Event } from '@workflow/world';
import { eventIdToSlot } from '../domain/slot-ids.js';

/** A report spanning more slots than this is sent truncated (`hasMore`), which the runtime drops whole. */
export const MAX_REPORTED_EVENTS = 1000;

export interface SkippedReport {
  events: Event[];
  cursor: null;
  hasMore: boolean;
}

export type ListEventsDesc = (runId: string, limit: number, cursor: string | undefined) => Promise<{ data: Event[]; cursor: string | null; hasMore: boolean }>;

/**
 * The report for a commit at `committedSlot` whose writer had seen
 * `eventCount` events, or undefined when it skipped nothing. `cursor` is null:
 * a report is not a read position (the runtime keeps its own).
 */
export async function skippedEvents(
  list: ListEventsDesc,
  runId: string,
  eventCount: number,
  committedSlot: number,
): Promise<SkippedReport | undefined> {
  const first = Math.max(eventCount, 0) + 1;
  const last = committedSlot - 1;
  if (last < first) return undefined;
  if (last - first + 1 > MAX_REPORTED_EVENTS) return { events: [], cursor: null, hasMore: true };
  const found = new Map<number, Event>();
  let cursor: string | undefined;
  for (;;) {
    // Later commits may sit above ours: ask for a little more than the span.
    const page = await list(runId, Math.min(MAX_REPORTED_EVENTS, committedSlot - first + 8), cursor);
    let reachedFirst = false;
    for (const event of page.data) {
      const slot = eventIdToSlot(event.eventId);
      if (slot === null) continue;
      if (slot >= first && slot <= last) found.set(slot, event);
      if (slot <= first) reachedFirst = true;
    }
    if (reachedFirst || !page.hasMore || page.cursor === null) break;
    cursor = page.cursor;
  }
  const events = [...found.entries()].sort(([a], [b]) => a - b).map(([, event]) => event);
  return { events, cursor: null, hasMore: events.length !== last - first + 1 };
}
