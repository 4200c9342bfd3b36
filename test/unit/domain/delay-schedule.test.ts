import { dueAtAfter, hopDelays, isDue, nextHopSeconds, planHop } from '../../../src/domain/delay-schedule.js';

const DAY = 86_400;

describe('delay schedule', () => {
  it('treats a missing or past due time as due now', () => {
    expect(isDue(undefined, 1000)).toBe(true);
    expect(isDue(1000, 1000)).toBe(true);
    expect(isDue(1001, 1000)).toBe(false);
    expect(nextHopSeconds(undefined, 5000)).toBe(0);
    expect(nextHopSeconds(4000, 5000)).toBe(0);
  });

  it('caps each hop and rounds the remainder up so a hop never lands early', () => {
    expect(nextHopSeconds(10_000_000, 0)).toBe(900);
    expect(nextHopSeconds(10_000, 0, 2)).toBe(2);
    expect(nextHopSeconds(1_500, 0, 2)).toBe(2);
    expect(nextHopSeconds(1, 0, 2)).toBe(1);
  });

  it('derives every hop from the absolute due time, so late hops do not drift', () => {
    const dueAt = 10_000;
    // The first hop arrived 700 ms late: the next hops still end on the due time.
    expect(nextHopSeconds(dueAt, 2_700, 2)).toBe(2);
    expect(nextHopSeconds(dueAt, 8_700, 2)).toBe(2);
    expect(nextHopSeconds(dueAt, 9_400, 2)).toBe(1);
    expect(isDue(dueAt, 10_000)).toBe(true);
  });

  it('computes the due time from a delay', () => {
    expect(dueAtAfter(0, 1234)).toBeUndefined();
    expect(dueAtAfter(2, 1000)).toBe(3000);
    expect(dueAtAfter(0.25, 1000)).toBe(1250);
    expect(() => dueAtAfter(-1, 0)).toThrow(RangeError);
    expect(() => dueAtAfter(Number.NaN, 0)).toThrow(RangeError);
  });

  it('lists the hops of a delay', () => {
    expect(hopDelays(0)).toEqual([0]);
    expect(hopDelays(1)).toEqual([1]);
    expect(hopDelays(900)).toEqual([900]);
    expect(hopDelays(901)).toEqual([900, 1]);
    expect(hopDelays(10, 2)).toEqual([2, 2, 2, 2, 2]);
    expect(hopDelays(11, 2)).toEqual([2, 2, 2, 2, 2, 1]);
    expect(hopDelays(20 * 60)).toEqual([900, 300]);
  });

  it('handles 30 days and beyond in 900 s hops', () => {
    const thirtyDays = hopDelays(30 * DAY);
    expect(thirtyDays).toHaveLength(2880);
    expect(thirtyDays.every((h) => h === 900)).toBe(true);
    const longer = hopDelays(400 * DAY + 5);
    expect(longer).toHaveLength(38_401);
    expect(longer.at(-1)).toBe(5);
    expect(longer.reduce((a, b) => a + b, 0)).toBe(400 * DAY + 5);
  });

  it('rejects a hop cap that is not a positive whole number', () => {
    expect(() => nextHopSeconds(1000, 0, 0)).toThrow(RangeError);
    expect(() => hopDelays(10, 1.5)).toThrow(RangeError);
  });

  describe('planHop: the due time and the count of the queue\'s delays, whichever ends first', () => {
    it('is due with no delay, a past due time, or no delay left to count', () => {
      expect(planHop({}, 5000)).toBeUndefined();
      expect(planHop({ dueAt: 5000 }, 5000)).toBeUndefined();
      expect(planHop({ dueAt: 9000, restMs: 0 }, 5000)).toBeUndefined();
      expect(planHop({ restMs: 0 }, 5000)).toBeUndefined();
    });

    it('plans the first hop from the due time and carries what is left after it', () => {
      expect(planHop({ dueAt: 1_500 }, 0)).toEqual({ delaySeconds: 2, restMs: 0 });
      expect(planHop({ dueAt: 20 * 60_000 }, 0)).toEqual({ delaySeconds: 900, restMs: 300_000 });
      expect(planHop({ dueAt: 10_000 }, 0, 3)).toEqual({ delaySeconds: 3, restMs: 7_000 });
    });

    it('delivers the last hop on arrival at a receiver whose clock is behind the sender\'s', () => {
      // Sent at 0 by a clock 30 s ahead, due at 1 s on that clock; received 1 s later by a clock 30 s behind (now = -29 s on the sender's scale).
      const sent = planHop({ dueAt: 1_000 }, 0)!;
      expect(sent).toEqual({ delaySeconds: 1, restMs: 0 });
      expect(planHop({ dueAt: 1_000, restMs: sent.restMs }, 1_000 - 60_000)).toBeUndefined();
    });

    it('lets a slow receiver\'s clock add nothing to the middle of a chain', () => {
      // 20 min, hops of 900 s; the second hop arrives at a receiver 60 s behind.
      const first = planHop({ dueAt: 1_200_000 }, 0)!;
      expect(planHop({ dueAt: 1_200_000, restMs: first.restMs }, 900_000 - 60_000)).toEqual({ delaySeconds: 300, restMs: 0 });
    });

    it('keeps time between hops from adding up: the due time ends a late chain', () => {
      // The second hop arrived 40 s late on a clock that agrees with the sender's.
      const first = planHop({ dueAt: 1_200_000 }, 0)!;
      expect(planHop({ dueAt: 1_200_000, restMs: first.restMs }, 940_000)).toEqual({ delaySeconds: 260, restMs: 0 });
    });

    it('rejects a hop cap that is not a positive whole number', () => {
      expect(() => planHop({ dueAt: 10 }, 0, 0)).toThrow(RangeError);
    });
  });
});
