// A run's event log, read through the process's cache of log prefixes
// (domain/run-log-cache.ts): what is held is served from memory, and what
// follows it is ONE strongly consistent Query of the items after the last held
// sequence number. That Query is what makes the answer current across
// processes: another process's appends land after the prefix, so the tail
// read finds them. The prefix itself is never stale, because event items
// never change and each takes the run's next free sequence number.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Event } from '@workflow/world';
import type { RunLogCache } from '../../../domain/run-log-cache.js';
import type { Page, PageRequest } from '../../../ports/event-store.js';
import { itemToEvent, type Item } from './item-mappers.js';
import { seqOf, seqSk } from './keys.js';
import { queryAll } from './query-pages.js';

export interface FullLog {
  /** Every event of the run, oldest first: `events[i]` is at sequence number i + 1. */
  events: Event[];
  /** The run's version after its newest event. */
  version: number;
}

export class RunLogReader {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    private readonly cache: RunLogCache,
  ) {}

  /** The whole log, current: the held prefix plus one Query (all its pages) of what follows it. Undefined when the run has no events. */
  async read(runId: string): Promise<FullLog | undefined> {
    const held = this.cache.get(runId);
    const from = held?.events.length ?? 0;
    // Copied before the cache is extended below (the held array grows in place).
    const prefix = held ? held.events.slice(0, from) : [];
    const items = await this.itemsAfter(runId, from);
    const newest = items.at(-1);
    if (!newest) return held && { events: prefix.map(copyEvent), version: held.version };
    const added = items.map(itemToEvent);
    if (items.every((item, i) => seqOf(item.sk!.S!) === from + 1 + i)) {
      this.cache.extend(runId, { firstSeq: from + 1, events: added, version: versionOf(newest), expiresAt: earliestExpiry(items) });
    } else {
      // Items are missing below the tail (TTL removes a run item by item): hold nothing of it.
      this.cache.forget(runId);
    }
    return { events: [...prefix, ...added].map(copyEvent), version: versionOf(newest) };
  }

  /** The held prefix alone, no read (it may end before the run's newest event). */
  held(runId: string): FullLog | undefined {
    const held = this.cache.get(runId);
    return held && { events: held.events.map(copyEvent), version: held.version };
  }

  /**
   * A page of the log. Served from the held prefix without a read when the
   * page and the item after it (for `hasMore`) lie inside it; otherwise from
   * a current read of the whole log when a prefix is held or the listing starts
   * at the beginning (a replay). `undefined`: neither, the caller queries the page.
   */
  async page(runId: string, page: PageRequest): Promise<Page<Event> | undefined> {
    const after = page.after === undefined ? undefined : seqOf(page.after);
    if (after !== undefined && !(Number.isInteger(after) && after >= 0)) return undefined;
    const held = this.cache.get(runId);
    if (held && after !== undefined && withinPrefix(held.events.length, after, page)) return slicePage(held.events, after, page);
    if (!held && !(page.order === 'asc' && after === undefined)) return undefined;
    const log = await this.read(runId);
    return log ? slicePage(log.events, after, page) : { items: [], lastKey: null, hasMore: false };
  }

  /** The event items of a commit this process made, oldest first: the log now ends with them. */
  committed(runId: string, items: Item[]): void {
    const last = items.at(-1);
    if (!last) return;
    this.cache.extend(runId, { firstSeq: seqOf(items[0]!.sk!.S!), events: items.map(itemToEvent), version: versionOf(last), expiresAt: earliestExpiry(items) });
  }

  private itemsAfter(runId: string, seq: number): Promise<Item[]> {
    return queryAll(this.client, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :runId AND sk > :after',
      ExpressionAttributeValues: { ':runId': { S: runId }, ':after': { S: seqSk(seq) } },
      ConsistentRead: true,
    });
  }
}

/** Whether a page after `after` (and the item deciding `hasMore`) lies inside a prefix of `held` events. */
function withinPrefix(held: number, after: number, page: PageRequest): boolean {
  return page.order === 'asc' ? held > after + page.limit : after - 1 <= held;
}

/** A page of a whole (or prefix) log whose i-th event is at sequence number i + 1; cursors are sort keys. */
export function slicePage(events: readonly Event[], after: number | undefined, page: PageRequest): Page<Event> {
  if (page.order === 'asc') {
    const start = Math.min(after ?? 0, events.length);
    const items = events.slice(start, start + page.limit).map(copyEvent);
    return { items, lastKey: items.length ? seqSk(start + items.length) : null, hasMore: events.length > start + page.limit };
  }
  const end = Math.max(Math.min(after === undefined ? events.length : after - 1, events.length), 0);
  const begin = Math.max(end - page.limit, 0);
  const items = events.slice(begin, end).reverse().map(copyEvent);
  return { items, lastKey: items.length ? seqSk(begin + 1) : null, hasMore: begin > 0 };
}

/** Held events are shared: callers get their own event and eventData objects. */
function copyEvent(event: Event): Event {
  const { eventData } = event as { eventData?: Record<string, unknown> };
  return (eventData && typeof eventData === 'object' ? { ...event, eventData: { ...eventData } } : { ...event }) as Event;
}

const versionOf = (item: Item): number => Number(item.v?.N ?? 0);

function earliestExpiry(items: Item[]): number | undefined {
  const stamps = items.flatMap((item) => (item.expiresAt?.N === undefined ? [] : [Number(item.expiresAt.N)]));
  return stamps.length ? Math.min(...stamps) : undefined;
}
