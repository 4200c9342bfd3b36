// The workflow@5 line's event semantics for the shared domain: its spec
// version, slot ids, errors stored as the runtime's serialized bytes, and
// lazy step start. There is no stale-snapshot guard on this line (bump and
// report replaces it: a create never fails because its snapshot is stale).
import type { EventSemantics } from '../domain/model.js';
import { nextSlotEventId } from './slot-ids.js';

/** Event ids are slots (the floor of the beta.55 runtime's accepted range). */
export const SPEC_VERSION_SLOT_IDENTITY = 6;
/**
 * The sealed log: readers skip `noop` events. This world allocates a
 * position at the commit that fills it, so it never leaves a hole and writes
 * no `noop`; declaring 7 is opt-in (`v5SealedLog`).
 */
export const SPEC_VERSION_SEALED_LOG = 7;

export function v5Semantics(specVersion: number): EventSemantics {
  return {
    worldSpecVersion: specVersion,
    nextEventId: (after) => nextSlotEventId(after),
    opaqueErrors: true,
    lazyStepStart: true,
    preconditionGuard: false,
  };
}
