// ULID-based ids. Event ids must strictly increase within a run so that the
// key order of the log is its commit order; `nextUlid` guarantees that even
// when the writer's clock is behind the previous event's.

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_CHARS = 10;
const RANDOM_CHARS = 16;
const MAX_TIME = 2 ** 48 - 1;

export const RUN_ID_PREFIX = 'wrun_';
export const EVENT_ID_PREFIX = 'evnt_';

export function encodeTime(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0 || ms > MAX_TIME) throw new RangeError(`ULID time out of range: ${ms}`);
  let out = '';
  for (let i = 0, t = ms; i < TIME_CHARS; i++, t = Math.floor(t / 32)) out = ALPHABET[t % 32] + out;
  return out;
}

/** 80 random bits (10 bytes) as 16 Crockford base32 characters. */
export function encodeRandom(bytes: Uint8Array): string {
  if (bytes.length < 10) throw new RangeError('ULID randomness needs 10 bytes');
  let value = 0n;
  for (let i = 0; i < 10; i++) value = (value << 8n) | BigInt(bytes[i]!);
  let out = '';
  for (let i = 0; i < RANDOM_CHARS; i++, value >>= 5n) out = ALPHABET[Number(value & 31n)] + out;
  return out;
}

/** The time part of a (possibly prefixed) ULID, or null when it is not one. */
export function ulidTime(id: string): number | null {
  const ulid = id.slice(id.lastIndexOf('_') + 1);
  if (!/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/.test(ulid)) return null;
  let ms = 0;
  for (const ch of ulid.slice(0, TIME_CHARS)) ms = ms * 32 + ALPHABET.indexOf(ch);
  return ms;
}

function incrementBase32(s: string): string {
  const chars = s.split('');
  for (let i = chars.length - 1; i >= 0; i--) {
    const digit = ALPHABET.indexOf(chars[i]!);
    if (digit < 31) {
      chars[i] = ALPHABET[digit + 1]!;
      return chars.join('');
    }
    chars[i] = '0';
  }
  throw new RangeError('ULID random part overflow');
}

/**
 * A ULID with time `at` that sorts strictly after `after` (same prefix).
 * When `after` is as new or newer, its time is kept and its random part
 * incremented: the monotonic-ULID rule, applied across processes.
 */
export function nextUlid(prefix: string, after: string | null, at: number, random: Uint8Array): string {
  const prevTime = after === null ? null : ulidTime(after);
  if (after !== null && prevTime !== null && prevTime >= at) {
    const prev = after.slice(after.lastIndexOf('_') + 1);
    return prefix + prev.slice(0, TIME_CHARS) + incrementBase32(prev.slice(TIME_CHARS));
  }
  return prefix + encodeTime(at) + encodeRandom(random);
}

export function newUlid(prefix: string, at: number, random: Uint8Array): string {
  return prefix + encodeTime(at) + encodeRandom(random);
}
