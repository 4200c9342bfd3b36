// JSON that round-trips Uint8Array exactly: bytes travel as {"__bytes":"<base64>"}.
// A payload object that happens to look like a tag (its only key is `__bytes`
// or `__literal`) is wrapped as {"__literal": …} so decoding never mistakes it
// for bytes.

const BYTES = '__bytes';
const LITERAL = '__literal';

export function stringifyTagged(value: unknown): string {
  const wrappers = new WeakSet<object>();
  return JSON.stringify(value, function (this: unknown, key: string, replaced: unknown) {
    // Read the raw value: Buffer#toJSON has already run on `replaced`.
    const raw = (this as Record<string, unknown>)[key];
    if (raw instanceof Uint8Array) {
      return { [BYTES]: Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64') };
    }
    if (this !== null && typeof this === 'object' && wrappers.has(this)) return replaced;
    if (looksLikeTag(replaced)) {
      const wrapper = { [LITERAL]: replaced };
      wrappers.add(wrapper);
      return wrapper;
    }
    return replaced;
  });
}

export function parseTagged(text: string): unknown {
  return revive(JSON.parse(text));
}

// Top-down, so a literal wrapper is seen before the object it protects.
function revive(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(revive);
  const record = value as Record<string, unknown>;
  if (looksLikeTag(record)) {
    if (LITERAL in record) return reviveChildren(record[LITERAL]);
    const encoded = record[BYTES];
    if (typeof encoded !== 'string') throw new SyntaxError('malformed bytes tag');
    return new Uint8Array(Buffer.from(encoded, 'base64'));
  }
  return reviveChildren(record);
}

function reviveChildren(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(revive);
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    // defineProperty: a "__proto__" key stays data, as JSON.parse left it.
    Object.defineProperty(out, key, { value: revive(child), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function looksLikeTag(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === BYTES || keys[0] === LITERAL);
}
