// The delivery lifecycle: every state × every event, legal or not.
import {
  DELIVERY_STATES,
  IllegalDeliveryTransition,
  TERMINAL_STATES,
  transition,
  type DeliveryEvent,
  type DeliveryState,
  type DeliveryStateName,
} from '../../../src/domain/delivery/lifecycle.js';
import { LEASE_SKEW_MARGIN_MS, deferralSeconds, extensionDelayMs, lapsedBefore, leaseLapsed, nearDeadLetter, safetyNetDueAt } from '../../../src/domain/delivery/lease.js';

const LEASE = 1_000_000;

const STATES: Record<DeliveryStateName, DeliveryState[]> = {
  received: [{ name: 'received' }],
  leased: [
    { name: 'leased', leaseEndsAt: LEASE },
    { name: 'leased', leaseEndsAt: null },
  ],
  running: [
    { name: 'running', leaseEndsAt: LEASE },
    { name: 'running', leaseEndsAt: null },
  ],
  'outcome-written': (['done', 'reschedule', 'failed'] as const).flatMap((outcome) => [
    { name: 'outcome-written' as const, outcome, leaseEndsAt: LEASE },
    { name: 'outcome-written' as const, outcome, leaseEndsAt: null },
  ]),
  acknowledged: [{ name: 'acknowledged', reason: 'done' }],
  released: [{ name: 'released' }],
  deferred: [{ name: 'deferred', until: LEASE }],
  abandoned: [{ name: 'abandoned', reason: 'deadline' }],
  refused: [{ name: 'refused' }],
};

const EVENTS: DeliveryEvent[] = [
  { type: 'lease-granted', leaseEndsAt: LEASE },
  { type: 'lease-held', leaseEndsAt: LEASE },
  { type: 'duplicate' },
  { type: 'already-finished' },
  { type: 'replayed' },
  { type: 'body-started' },
  { type: 'lease-extended', leaseEndsAt: LEASE + 500 },
  { type: 'lease-lost' },
  { type: 'deadline-passed' },
  { type: 'body-finished', outcome: 'done' },
  { type: 'settled' },
];

/** The legal moves: the expected next state and effects, or 'illegal'. */
function expected(state: DeliveryState, event: DeliveryEvent): ReturnType<typeof transition> | 'illegal' {
  const lease = 'leaseEndsAt' in state ? state.leaseEndsAt : undefined;
  switch (`${state.name}/${event.type}`) {
    case 'received/lease-granted':
      return { state: { name: 'leased', leaseEndsAt: LEASE }, effects: [] };
    case 'received/lease-held':
      return { state: { name: 'deferred', until: LEASE }, effects: [] };
    case 'received/duplicate':
      return { state: { name: 'acknowledged', reason: 'duplicate' }, effects: [] };
    case 'received/already-finished':
      return { state: { name: 'acknowledged', reason: 'finished' }, effects: [] };
    case 'received/replayed':
      return { state: { name: 'refused' }, effects: [] };
    case 'leased/body-started':
      return { state: { name: 'running', leaseEndsAt: lease! }, effects: [] };
    case 'leased/deadline-passed':
    case 'running/deadline-passed':
      return { state: { name: 'abandoned', reason: 'deadline' }, effects: [{ kind: 'report-abandoned', reason: 'deadline' }] };
    case 'leased/lease-lost':
    case 'running/lease-lost':
      return { state: { name: 'abandoned', reason: 'lease-lost' }, effects: [{ kind: 'report-abandoned', reason: 'lease-lost' }] };
    case 'running/lease-extended':
      return lease === null ? 'illegal' : { state: { name: 'running', leaseEndsAt: LEASE + 500 }, effects: [] };
    case 'running/body-finished':
      return { state: { name: 'outcome-written', outcome: 'done', leaseEndsAt: lease! }, effects: [] };
    case 'outcome-written/settled': {
      const s = state as Extract<DeliveryState, { name: 'outcome-written' }>;
      const release = (resetAttempts: boolean) => (s.leaseEndsAt === null ? [] : [{ kind: 'release-lease' as const, resetAttempts }]);
      if (s.outcome === 'done') return { state: { name: 'acknowledged', reason: 'done' }, effects: [] };
      if (s.outcome === 'reschedule') return { state: { name: 'acknowledged', reason: 'rescheduled' }, effects: release(true) };
      return { state: { name: 'released' }, effects: release(false) };
    }
    default:
      return 'illegal';
  }
}

describe('delivery lifecycle', () => {
  it('names every state once', () => {
    expect([...DELIVERY_STATES].sort()).toEqual(Object.keys(STATES).sort());
  });

  const cases = Object.values(STATES).flatMap((variants) => variants.flatMap((state) => EVENTS.map((event) => [state, event] as const)));
  it.each(cases.map(([state, event]) => [`${JSON.stringify(state)} + ${event.type}`, state, event] as const))('%s', (_name, state, event) => {
    const want = expected(state, event);
    if (want === 'illegal') {
      expect(() => transition(state, event)).toThrow(IllegalDeliveryTransition);
      expect(() => transition(state, event)).toThrow(`"${state.name}" cannot take event "${event.type}"`);
    } else {
      expect(transition(state, event)).toEqual(want);
    }
  });

  it('terminal states take no event', () => {
    for (const name of TERMINAL_STATES) for (const state of STATES[name]) for (const event of EVENTS) expect(() => transition(state, event)).toThrow(IllegalDeliveryTransition);
  });

  it('a lease is released only after the outcome is written, and never on success or abandonment', () => {
    for (const variants of Object.values(STATES)) {
      for (const state of variants) {
        for (const event of EVENTS) {
          if (expected(state, event) === 'illegal') continue;
          if (transition(state, event).effects.some((e) => e.kind === 'release-lease')) {
            expect(state.name).toBe('outcome-written');
            expect((state as { outcome: string }).outcome).not.toBe('done');
          }
        }
      }
    }
  });

  it('an extension never shortens the lease', () => {
    expect(transition({ name: 'running', leaseEndsAt: 2_000 }, { type: 'lease-extended', leaseEndsAt: 1_000 }).state).toEqual({ name: 'running', leaseEndsAt: 2_000 });
  });

  it('walks the happy path: received → leased → running → outcome written → acknowledged', () => {
    let state: DeliveryState = { name: 'received' };
    const path: DeliveryEvent[] = [
      { type: 'lease-granted', leaseEndsAt: LEASE },
      { type: 'body-started' },
      { type: 'lease-extended', leaseEndsAt: LEASE + 1 },
      { type: 'body-finished', outcome: 'done' },
      { type: 'settled' },
    ];
    for (const event of path) state = transition(state, event).state;
    expect(state).toEqual({ name: 'acknowledged', reason: 'done' });
  });
});

describe('lease timing', () => {
  it('a lease counts as lapsed only the skew margin after its written end', () => {
    expect(lapsedBefore(100_000)).toBe(100_000 - LEASE_SKEW_MARGIN_MS);
    expect(leaseLapsed(50_000, 50_000 + LEASE_SKEW_MARGIN_MS)).toBe(false);
    expect(leaseLapsed(50_000, 50_001 + LEASE_SKEW_MARGIN_MS)).toBe(true);
  });

  it('clocks 30 s apart never see a lease the holder keeps extending as lapsed', () => {
    const leaseMs = 60_000;
    // The holder extends at half its lease, so its written end is always at least half a lease ahead of its clock.
    for (const skew of [-30_000, 30_000]) {
      for (let holderNow = 0; holderNow < 5 * leaseMs; holderNow += 1_000) {
        const lastExtension = Math.floor(holderNow / extensionDelayMs(leaseMs)) * extensionDelayMs(leaseMs);
        expect(leaseLapsed(lastExtension + leaseMs, holderNow + skew)).toBe(false);
      }
    }
  });

  it('extends when half the lease is left', () => {
    expect(extensionDelayMs(60_000)).toBe(30_000);
  });

  it('a copy waits out the lease and the margin, in whole seconds within [1, max]', () => {
    expect(deferralSeconds(10_000, 0, 900)).toBe(10 + LEASE_SKEW_MARGIN_MS / 1000);
    expect(deferralSeconds(0, 10_000_000, 900)).toBe(1);
    expect(deferralSeconds(10_000_000, 0, 900)).toBe(900);
    expect(deferralSeconds(10_001, 0, 900)).toBe(11 + LEASE_SKEW_MARGIN_MS / 1000);
  });

  it('a safety net is due just after its lease counts as lapsed, never before', () => {
    for (const leaseEndsAt of [0, 60_000, 1_700_000_000_000]) {
      const due = safetyNetDueAt(leaseEndsAt);
      expect(leaseLapsed(leaseEndsAt, due)).toBe(true);
      expect(leaseLapsed(leaseEndsAt, due - 1_000)).toBe(false);
    }
  });

  it('near the dead-letter threshold means the last tenth of the receives, never the first', () => {
    expect([44, 45, 50].map((n) => nearDeadLetter(n, 50))).toEqual([false, true, true]);
    expect([3, 4, 5].map((n) => nearDeadLetter(n, 5))).toEqual([false, true, true]);
    expect(nearDeadLetter(1, 1)).toBe(false);
  });
});
