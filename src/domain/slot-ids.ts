// Slot event ids, the workflow@5 line's event identity: `evnt_` and the
// event's dense 1-based position in its run's log, zero-padded to 26 digits
// (`slotToEventId` in @workflow/world 5). The log's sequence number is that
// position. Written here so the 5 facade loads no 5 package at runtime.
import { WorkflowWorldError } from '@workflow/errors';

export const EVENT_ID_PREFIX = 'evnt_';
export const FIRST_SLOT = 1;
const BODY_LENGTH = 26;
/** A slot body starts with ten zeros: a ULID never has a zero timestamp, so the two cannot be confused. */
const LEADING_ZEROS = 10;
const SLOT_BODY = new RegExp(`^0{${LEADING_ZEROS}}[0-9]{${BODY_LENGTH - LEADING_ZEROS}}$`);

export function slotToEventId(slot: number): string {
  if (!Number.isSafeInteger(slot) || slot < FIRST_SLOT) throw new RangeError(`Invalid event slot: ${slot}`);
  return `${EVENT_ID_PREFIX}${String(slot).padStart(BODY_LENGTH, '0')}`;
}

/** The slot of a slot id (prefixed or bare), or null for any other id. */
export function eventIdToSlot(eventId: string): number | null {
  const body = eventId.slice(eventId.indexOf('_') + 1);
  if (!SLOT_BODY.test(body)) return null;
  const slot = Number(body);
  return Number.isSafeInteger(slot) && slot >= FIRST_SLOT ? slot : null;
}

/**
 * The id of the event after `after` (null: the run's first event). A run
 * whose log holds another kind of id was written by the 4.x facade, and this
 * facade cannot continue it.
 */
export function nextSlotEventId(after: string | null): string {
  if (after === null) return slotToEventId(FIRST_SLOT);
  const slot = eventIdToSlot(after);
  if (slot === null) {
    throw new WorkflowWorldError(
      `The run's newest event "${after}" is not slot-numbered: the run was written by the workflow@4 facade, which the workflow@5 facade cannot continue`,
      { status: 409, code: 'WORLD_LINE_MISMATCH' },
    );
  }
  return slotToEventId(slot + 1);
}
