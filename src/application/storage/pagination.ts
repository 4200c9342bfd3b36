// Maps the World's pagination options onto key-ordered store pages, with
// opaque cursors bound to the listing they came from.
import type { PaginatedResponse, PaginationOptions } from '@workflow/world';
import { WorkflowWorldError } from '@workflow/errors';
import { decodeCursor, encodeCursor } from '../../domain/cursor.js';
import type { Page, PageRequest } from '../../ports/event-store.js';

export const MAX_PAGE_SIZE = 1000;

export interface ListingDefaults {
  limit: number;
  order: 'asc' | 'desc';
}

export function toPageRequest(scope: string, options: PaginationOptions | undefined, defaults: ListingDefaults): PageRequest {
  const limit = options?.limit ?? defaults.limit;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new WorkflowWorldError(`Invalid pagination limit ${limit}: use an integer from 1 to ${MAX_PAGE_SIZE}`, { status: 400 });
  }
  const order = options?.sortOrder ?? defaults.order;
  if (order !== 'asc' && order !== 'desc') {
    throw new WorkflowWorldError(`Invalid sortOrder "${String(order)}": use "asc" or "desc"`, { status: 400 });
  }
  const request: PageRequest = { limit, order };
  if (options?.cursor) request.after = decodeCursor(`${scope}:${order}`, options.cursor);
  return request;
}

/**
 * The cursor is non-null on every non-empty page, even the last one: the
 * runtime keeps the last cursor and later asks for "events after it".
 */
export function toPaginatedResponse<T>(scope: string, request: PageRequest, page: Page<unknown>, data: T[]): PaginatedResponse<T> {
  return {
    data,
    cursor: page.lastKey === null ? null : listingCursor(scope, request.order, page.lastKey),
    hasMore: page.hasMore,
  };
}

/** The cursor continuing a listing after `lastKey`. */
export function listingCursor(scope: string, order: 'asc' | 'desc', lastKey: string): string {
  return encodeCursor(`${scope}:${order}`, lastKey);
}

/** The scope of `events.list` for a run (its cursors are bound to it). */
export const eventListingScope = (runId: string): string => `events:${runId}`;
