// The workflow@5 line's event semantics for the shared domain: its spec
// version, slot ids, errors stored as the runtime's serialized bytes, run
// attributes and lazy step start. There is no stale-snapshot guard on this
// line (bump and report replaces it: a create never fails because its
// snapshot is stale).
import type { EventSemantics } from './model.js';
import { nextSlotEventId } from './slot-ids.js';

/**
 * The spec versions the facade can declare (`v5SpecVersion`). Its log is the
 * same for all three: slot ids, allocated at the commit that fills the slot.
 * - 6, slot identity: the floor of the beta.55 runtime's accepted range (6–7).
 * - 7, sealed log: readers skip `noop` events; this world never leaves a
 *   hole, so it has none to seal. Opt-in, as in the 5 packages.
 * - 5, compression: the beta.35 runtime accepts exactly 5 and reads event
 *   ids as ULIDs only for its stale-snapshot guard, which this facade does
 *   not apply.
 */
export const SPEC_VERSION_COMPRESSION = 5;
export const SPEC_VERSION_SLOT_IDENTITY = 6;
export const SPEC_VERSION_SEALED_LOG = 7;

/** The highest spec version the 5 facade declares: what a fold of a 5 log accepts. */
export const SPEC_VERSION_MAX_V5 = SPEC_VERSION_SEALED_LOG;

export function v5Semantics(specVersion: number): EventSemantics {
  return {
    worldSpecVersion: specVersion,
    nextEventId: (after) => nextSlotEventId(after),
    opaqueErrors: true,
    lazyStepStart: true,
    runAttributes: true,
    preconditionGuard: false,
  };
}
