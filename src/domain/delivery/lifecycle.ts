// One delivery of a queue message to the runtime's handler, as an explicit
// state machine. The code that runs the step drives it (application/queue/
// delivery-lifecycle.ts); this module only says which moves are legal and
// what each move obliges the driver to do. Modelled on an idempotency record
// (in progress → completed, or expired): the lease is the in-progress mark,
// and only its holder may end it.
//
//   received ─lease-granted→ leased ─body-started→ running ─body-finished→ outcome-written ─settled→ acknowledged | released
//      │                                 │  ↺ lease-extended       │
//      ├─lease-held→ deferred            └──────deadline-passed / lease-lost──────→ abandoned
//      ├─duplicate / already-finished→ acknowledged
//      └─replayed→ refused

export type DeliveryOutcome = 'done' | 'reschedule' | 'failed';

export type DeliveryState =
  /** A copy of the message reached the handler; nothing is held yet. */
  | { name: 'received' }
  /** This delivery holds the lease (`leaseEndsAt` null: no key to lease, the transport's own lease is the only one). */
  | { name: 'leased'; leaseEndsAt: number | null }
  /** The body runs; the holder extends the lease while it does. */
  | { name: 'running'; leaseEndsAt: number | null }
  /** The body returned or threw, and what it did is committed (the runtime wrote its events). */
  | { name: 'outcome-written'; outcome: DeliveryOutcome; leaseEndsAt: number | null }
  /** Finished: the message may be acknowledged (done, rescheduled, or a duplicate that needs no run). */
  | { name: 'acknowledged'; reason: 'done' | 'rescheduled' | 'duplicate' | 'finished' }
  /** The body failed: the lease is given back so the redelivery starts at once. */
  | { name: 'released' }
  /** Another copy holds the lease: this copy waits, without running, until `until`. */
  | { name: 'deferred'; until: number }
  /** The holder gave up without an outcome (deadline, or its lease was taken): the lease is left to lapse. */
  | { name: 'abandoned'; reason: 'deadline' | 'lease-lost' }
  /** A request seen before (same delivery nonce): nothing runs. */
  | { name: 'refused' };

export type DeliveryEvent =
  | { type: 'lease-granted'; leaseEndsAt: number | null }
  | { type: 'lease-held'; leaseEndsAt: number }
  | { type: 'duplicate' }
  /** The step this message runs is already finished in the log (its sender ran it in process): nothing to run. */
  | { type: 'already-finished' }
  | { type: 'replayed' }
  | { type: 'body-started' }
  | { type: 'lease-extended'; leaseEndsAt: number }
  | { type: 'lease-lost' }
  | { type: 'deadline-passed' }
  | { type: 'body-finished'; outcome: DeliveryOutcome }
  | { type: 'settled' };

/** What a move obliges the driver to do, in order. */
export type DeliveryEffect =
  /** Give the lease back (only its holder, only after the outcome is written). `resetAttempts` for a reschedule. */
  | { kind: 'release-lease'; resetAttempts: boolean }
  /** Log an error naming the message and run (never the payload). */
  | { kind: 'report-abandoned'; reason: 'deadline' | 'lease-lost' };

export type DeliveryStateName = DeliveryState['name'];
export type DeliveryEventType = DeliveryEvent['type'];

export const DELIVERY_STATES: readonly DeliveryStateName[] = [
  'received',
  'leased',
  'running',
  'outcome-written',
  'acknowledged',
  'released',
  'deferred',
  'abandoned',
  'refused',
];

export const TERMINAL_STATES: ReadonlySet<DeliveryStateName> = new Set(['acknowledged', 'released', 'deferred', 'abandoned', 'refused']);

export class IllegalDeliveryTransition extends Error {
  override readonly name = 'IllegalDeliveryTransition';
  constructor(
    readonly state: DeliveryStateName,
    readonly event: DeliveryEventType,
  ) {
    super(`a delivery in state "${state}" cannot take event "${event}"`);
  }
}

export interface Transition {
  state: DeliveryState;
  effects: DeliveryEffect[];
}

const to = (state: DeliveryState, effects: DeliveryEffect[] = []): Transition => ({ state, effects });

/** The next state and its obligations; throws IllegalDeliveryTransition for a move the lifecycle does not have. */
export function transition(state: DeliveryState, event: DeliveryEvent): Transition {
  switch (state.name) {
    case 'received':
      switch (event.type) {
        case 'lease-granted':
          return to({ name: 'leased', leaseEndsAt: event.leaseEndsAt });
        case 'lease-held':
          return to({ name: 'deferred', until: event.leaseEndsAt });
        case 'duplicate':
          return to({ name: 'acknowledged', reason: 'duplicate' });
        case 'already-finished':
          return to({ name: 'acknowledged', reason: 'finished' });
        case 'replayed':
          return to({ name: 'refused' });
      }
      break;
    case 'leased':
      switch (event.type) {
        case 'body-started':
          return to({ name: 'running', leaseEndsAt: state.leaseEndsAt });
        case 'deadline-passed':
        case 'lease-lost':
          return abandon(event.type);
      }
      break;
    case 'running':
      switch (event.type) {
        case 'lease-extended':
          if (state.leaseEndsAt === null) break;
          return to({ name: 'running', leaseEndsAt: Math.max(state.leaseEndsAt, event.leaseEndsAt) });
        case 'body-finished':
          return to({ name: 'outcome-written', outcome: event.outcome, leaseEndsAt: state.leaseEndsAt });
        case 'deadline-passed':
        case 'lease-lost':
          return abandon(event.type);
      }
      break;
    case 'outcome-written':
      if (event.type !== 'settled') break;
      switch (state.outcome) {
        // A success leaves the lease to lapse: a copy that waits it out finds the step finished in the log.
        case 'done':
          return to({ name: 'acknowledged', reason: 'done' });
        case 'reschedule':
          return to({ name: 'acknowledged', reason: 'rescheduled' }, state.leaseEndsAt === null ? [] : [{ kind: 'release-lease', resetAttempts: true }]);
        case 'failed':
          return to({ name: 'released' }, state.leaseEndsAt === null ? [] : [{ kind: 'release-lease', resetAttempts: false }]);
      }
      break;
    case 'acknowledged':
    case 'released':
    case 'deferred':
    case 'abandoned':
    case 'refused':
      break;
  }
  throw new IllegalDeliveryTransition(state.name, event.type);
}

function abandon(reason: 'deadline-passed' | 'lease-lost'): Transition {
  const why = reason === 'deadline-passed' ? 'deadline' : 'lease-lost';
  // No release: the body may still be running; the lease lapses by itself.
  return to({ name: 'abandoned', reason: why }, [{ kind: 'report-abandoned', reason: why }]);
}
