import { backoffCeilingSeconds, backoffSeconds, jitteredPauseMs, type BackoffPolicy } from '../../../src/domain/backoff.js';

const policy: BackoffPolicy = { baseSeconds: 1, capSeconds: 900 };
const almostOne = 1 - Number.EPSILON;

describe('backoff', () => {
  it('doubles the ceiling with every attempt until the cap', () => {
    expect([1, 2, 3, 4, 5].map((a) => backoffCeilingSeconds(a, policy))).toEqual([1, 2, 4, 8, 16]);
    expect(backoffCeilingSeconds(10, policy)).toBe(512);
    expect(backoffCeilingSeconds(11, policy)).toBe(900);
    expect(backoffCeilingSeconds(5000, policy)).toBe(900);
  });

  it('draws uniformly between zero and the ceiling (full jitter)', () => {
    expect(backoffSeconds(4, policy, () => 0)).toBe(0);
    expect(backoffSeconds(4, policy, () => 0.5)).toBe(4);
    expect(backoffSeconds(4, policy, () => almostOne)).toBe(8);
    expect(backoffSeconds(100, policy, () => almostOne)).toBe(900);
  });

  it('scales with the base and respects a small cap', () => {
    const custom = { baseSeconds: 5, capSeconds: 30 };
    expect(backoffCeilingSeconds(1, custom)).toBe(5);
    expect(backoffCeilingSeconds(3, custom)).toBe(20);
    expect(backoffCeilingSeconds(4, custom)).toBe(30);
    expect(backoffSeconds(4, custom, () => almostOne)).toBe(30);
  });

  it('returns whole seconds for any random draw', () => {
    for (let i = 0; i < 100; i++) {
      const s = backoffSeconds(6, policy, Math.random);
      expect(Number.isInteger(s)).toBe(true);
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(32);
    }
  });

  it('rejects invalid attempts, policies and random draws', () => {
    expect(() => backoffSeconds(0, policy, () => 0)).toThrow(RangeError);
    expect(() => backoffSeconds(1.5, policy, () => 0)).toThrow(RangeError);
    expect(() => backoffSeconds(1, { baseSeconds: -1, capSeconds: 1 }, () => 0)).toThrow(RangeError);
    expect(() => backoffSeconds(1, { baseSeconds: 1, capSeconds: Infinity }, () => 0)).toThrow(RangeError);
    expect(() => backoffSeconds(1, policy, () => 1)).toThrow(RangeError);
  });
});

describe('jitteredPauseMs', () => {
  const policy = { baseMs: 4, capMs: 1000 };
  it('draws uniformly under min(cap, base·2^attempt)', () => {
    expect(jitteredPauseMs(0, policy, () => 0)).toBe(0);
    expect(jitteredPauseMs(0, policy, () => 0.5)).toBe(2);
    expect(jitteredPauseMs(3, policy, () => 0.5)).toBe(16);
    expect(jitteredPauseMs(8, policy, () => 0.5)).toBe(500);
    expect(jitteredPauseMs(2000, policy, () => 0.999)).toBeCloseTo(999);
  });
});
