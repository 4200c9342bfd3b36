// Exact, self-describing mapping between the world's values and DynamoDB
// attribute values. Replay needs every payload back exactly as written, so:
// - bytes are binary (B), JSON-like values are native maps/lists/strings/numbers;
// - values DynamoDB cannot hold natively (BlobPointer, Date, -0, NaN/±Infinity,
//   numbers it would print in exponent form, `undefined` inside arrays) are
//   written as a tagged map `{ "$t": <kind>, ... }`;
// - object keys that could be mistaken for the tag are escaped: `''` → `'$'`
//   and `'$x'` → `'$$x'`, so a user map can never contain the key `$t`
//   (and `'__proto__'` → `'$__proto__'`, which the SDK's parser would drop).
// Maps and lists nest at most 32 levels in DynamoDB; deeper plain-JSON subtrees
// are stored as a tagged JSON string.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { BlobPointer } from '../../../domain/model.js';

export const TAG_KEY = '$t';
/** Below DynamoDB's 32 levels, leaving room for one tagged map. */
const MAX_DEPTH = 30;

type Tag = 'ptr' | 'date' | 'num' | 'undef' | 'json';

export function encodeValue(value: unknown, depth = 0): AttributeValue {
  if (value === null) return { NULL: true };
  if (value === undefined) return tagged('undef', {});
  switch (typeof value) {
    case 'string':
      return { S: value };
    case 'boolean':
      return { BOOL: value };
    case 'number':
      return encodeNumber(value);
    case 'object':
      break;
    default:
      throw new TypeError(`cannot store a value of type ${typeof value}`);
  }
  if (value instanceof Uint8Array) return { B: value };
  if (value instanceof BlobPointer) return tagged('ptr', { k: { S: value.blobKey }, n: { N: String(value.byteLength) } });
  if (value instanceof Date) return tagged('date', { v: encodeNumber(value.getTime()) });
  if (depth >= MAX_DEPTH) return encodeDeepJson(value);
  if (Array.isArray(value)) return { L: value.map((item) => encodeValue(item, depth + 1)) };
  if (!isPlainObject(value)) throw new TypeError(`cannot store an instance of ${value.constructor?.name ?? 'unknown'}`);
  const map: Record<string, AttributeValue> = {};
  for (const [key, field] of Object.entries(value)) {
    if (field !== undefined) setOwn(map, escapeKey(key), encodeValue(field, depth + 1));
  }
  return { M: map };
}

export function decodeValue(attribute: AttributeValue): unknown {
  if (attribute.S !== undefined) return attribute.S;
  if (attribute.N !== undefined) return Number(attribute.N);
  if (attribute.BOOL !== undefined) return attribute.BOOL;
  if (attribute.NULL !== undefined) return null;
  if (attribute.B !== undefined) return attribute.B;
  if (attribute.L !== undefined) return attribute.L.map(decodeValue);
  if (attribute.M !== undefined) {
    const map = attribute.M;
    if (map[TAG_KEY] !== undefined) return decodeTagged(map);
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(map)) setOwn(out, unescapeKey(key), decodeValue(field));
    return out;
  }
  throw new TypeError('unexpected DynamoDB attribute type');
}

function encodeNumber(n: number): AttributeValue {
  const text = String(n);
  // DynamoDB normalises -0 and rejects NaN/Infinity; exponent forms can exceed its range.
  if (!Number.isFinite(n) || Object.is(n, -0) || /e/i.test(text)) return tagged('num', { v: { S: Object.is(n, -0) ? '-0' : text } });
  return { N: text };
}

function encodeDeepJson(value: object): AttributeValue {
  if (!isPlainJson(value)) throw new TypeError('a value nested deeper than 30 levels must be plain JSON');
  return tagged('json', { v: { S: JSON.stringify(value) } });
}

function tagged(tag: Tag, fields: Record<string, AttributeValue>): AttributeValue {
  return { M: { [TAG_KEY]: { S: tag }, ...fields } };
}

function decodeTagged(map: Record<string, AttributeValue>): unknown {
  const tag = map[TAG_KEY]?.S as Tag | undefined;
  switch (tag) {
    case 'ptr':
      return new BlobPointer(String(map.k?.S), Number(map.n?.N));
    case 'date':
      return new Date(Number(decodeValue(required(map, 'v'))));
    case 'num':
      return Number(required(map, 'v').S);
    case 'undef':
      return undefined;
    case 'json':
      return JSON.parse(String(required(map, 'v').S));
    default:
      throw new TypeError('unknown tagged attribute');
  }
}

function required(map: Record<string, AttributeValue>, key: string): AttributeValue {
  const value = map[key];
  if (value === undefined) throw new TypeError(`tagged attribute without "${key}"`);
  return value;
}

export function escapeKey(key: string): string {
  // "__proto__" too: the SDK rebuilds maps by assignment, which would drop it.
  return key === '' || key.startsWith('$') || key === '__proto__' ? `$${key}` : key;
}

export function unescapeKey(key: string): string {
  return key.startsWith('$') ? key.slice(1) : key;
}

/** `obj[key] = value`, except that a "__proto__" key stays an own data property (as JSON.parse makes it). */
function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isPlainJson(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0);
  if (typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.every((item) => item !== undefined && isPlainJson(item));
  if (!isPlainObject(value)) return false;
  return Object.values(value).every((field) => field === undefined || isPlainJson(field));
}
