import { ulidToDate } from '@workflow/world';
import { encodeRandom, encodeTime, newUlid, nextUlid, ulidTime } from '../../../src/domain/ids.js';

const bytes = (fill: number) => new Uint8Array(10).fill(fill);

describe('ULID ids', () => {
  it('encodes time so that the SDK decodes the same instant', () => {
    const at = Date.UTC(2026, 10, 26, 12, 0, 0, 123);
    const id = newUlid('evnt_', at, bytes(7));
    expect(id).toMatch(/^evnt_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(ulidTime(id)).toBe(at);
    expect(ulidToDate(id.slice(5))?.getTime()).toBe(at);
  });

  it('sorts lexicographically by time', () => {
    expect(encodeTime(1) < encodeTime(2)).toBe(true);
    expect(encodeTime(31) < encodeTime(32)).toBe(true);
    expect(encodeTime(2 ** 48 - 1)).toBe('7ZZZZZZZZZ');
  });

  it('rejects times outside 48 bits and short randomness', () => {
    expect(() => encodeTime(-1)).toThrow(RangeError);
    expect(() => encodeTime(2 ** 48)).toThrow(RangeError);
    expect(() => encodeRandom(new Uint8Array(9))).toThrow(RangeError);
  });

  it('encodes all-zero and all-one randomness at the edges of the alphabet', () => {
    expect(encodeRandom(bytes(0))).toBe('0000000000000000');
    expect(encodeRandom(bytes(255))).toBe('ZZZZZZZZZZZZZZZZ');
  });

  it('returns null for strings that are not ULIDs', () => {
    expect(ulidTime('evnt_nope')).toBeNull();
    expect(ulidTime('evnt_' + 'I'.repeat(26))).toBeNull();
    expect(ulidTime('8ZZZZZZZZZZZZZZZZZZZZZZZZZ')).toBeNull();
  });

  describe('nextUlid (strictly after the previous id)', () => {
    it('uses the new time when it is later', () => {
      const prev = newUlid('evnt_', 1000, bytes(200));
      const next = nextUlid('evnt_', prev, 2000, bytes(0));
      expect(next > prev).toBe(true);
      expect(ulidTime(next)).toBe(2000);
    });

    it('keeps the previous time and increments when the clock did not advance', () => {
      const prev = newUlid('evnt_', 5000, bytes(0));
      const next = nextUlid('evnt_', prev, 5000, bytes(255));
      expect(next > prev).toBe(true);
      expect(ulidTime(next)).toBe(5000);
      expect(next.slice(-1)).toBe('1');
    });

    it('stays after the previous id when the clock goes backwards', () => {
      const prev = newUlid('evnt_', 9000, bytes(3));
      const next = nextUlid('evnt_', prev, 1000, bytes(0));
      expect(next > prev).toBe(true);
      expect(ulidTime(next)).toBe(9000);
    });

    it('carries the increment across base32 digits', () => {
      const prev = 'evnt_' + encodeTime(7) + '000000000000000Z';
      expect(nextUlid('evnt_', prev, 7, bytes(0))).toBe('evnt_' + encodeTime(7) + '0000000000000010');
    });

    it('starts fresh without a previous id', () => {
      expect(nextUlid('evnt_', null, 42, bytes(1))).toBe(newUlid('evnt_', 42, bytes(1)));
    });

    it('is strictly increasing over many same-millisecond ids', () => {
      let prev: string | null = null;
      for (let i = 0; i < 1000; i++) {
        const next: string = nextUlid('evnt_', prev, 77, bytes(i % 256));
        if (prev !== null) expect(next > prev).toBe(true);
        prev = next;
      }
    });
  });
});
