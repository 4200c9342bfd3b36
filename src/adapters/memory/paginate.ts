import type { Page, PageRequest } from '../../ports/event-store.js';

/** Pages a list already sorted ascending by `keyOf`, the way a key-ordered Query would. */
export function paginate<T>(sortedAsc: T[], keyOf: (item: T) => string, request: PageRequest): Page<T> {
  const ordered = request.order === 'desc' ? [...sortedAsc].reverse() : sortedAsc;
  const after = request.after;
  const start =
    after === undefined ? 0 : ordered.findIndex((item) => (request.order === 'desc' ? keyOf(item) < after : keyOf(item) > after));
  const from = start === -1 ? ordered.length : start;
  const items = ordered.slice(from, from + request.limit);
  const last = items.at(-1);
  return { items, lastKey: last === undefined ? null : keyOf(last), hasMore: from + items.length < ordered.length };
}

export const byKey =
  <T>(keyOf: (item: T) => string) =>
  (a: T, b: T): number =>
    keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0;
