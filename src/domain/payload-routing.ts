// Claim-check routing: which payloads stay inline and which go to the blob
// store. Decided from exact encoded sizes so an item or message never hits
// the service limit at write time.
import { BlobPointer } from './model.js';

/** DynamoDB's hard item limit (names + values). */
export const DYNAMODB_ITEM_LIMIT_BYTES = 400 * 1024;
/** Room kept for keys, bookkeeping attributes and attribute names. */
export const DYNAMODB_ITEM_HEADROOM_BYTES = 16 * 1024;
/** SQS's default message limit (the hard limit is 1 MiB). */
export const SQS_DEFAULT_MESSAGE_BYTES = 256 * 1024;

const utf8 = new TextEncoder();

/** Exact size of a payload as it will be stored: bytes as-is, anything else as JSON. */
export function encodedSize(value: unknown): number {
  if (value === undefined) return 0;
  if (value instanceof Uint8Array) return value.byteLength;
  if (typeof value === 'string') return utf8.encode(value).byteLength;
  return utf8.encode(JSON.stringify(value) ?? '').byteLength;
}

/**
 * Size of a payload once stored as a DynamoDB attribute value, by AWS's item
 * size rules (what the 400 KB item limit counts), mirroring the event store's
 * attribute codec: strings are UTF-8 bytes, bytes are binary, numbers take
 * ⌈significant digits / 2⌉ + 1 bytes, booleans and null 1 byte, lists and maps
 * 3 bytes plus 1 byte per element (map keys count like attribute names), and
 * values DynamoDB cannot hold natively become small tagged maps. JSON length
 * understates lists and maps of short values by up to half.
 */
export function dynamoDbSize(value: unknown, depth = 0): number {
  if (value === null) return 1;
  switch (typeof value) {
    case 'undefined':
      return tagged(0);
    case 'string':
      return utf8.encode(value).byteLength;
    case 'boolean':
      return 1;
    case 'number':
      return numberSize(value);
    case 'object':
      break;
    default:
      return utf8.encode(String(value)).byteLength;
  }
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof BlobPointer) return tagged(1 + utf8.encode(value.blobKey).byteLength + 1 + 1 + numberSize(value.byteLength) + 1);
  if (value instanceof Date) return tagged(1 + numberSize(value.getTime()) + 1);
  if (depth >= MAX_CODEC_DEPTH) return tagged(1 + utf8.encode(JSON.stringify(value) ?? '').byteLength + 1);
  if (Array.isArray(value)) return value.reduce<number>((sum, item) => sum + dynamoDbSize(item, depth + 1) + 1, LIST_OR_MAP_OVERHEAD);
  let size = LIST_OR_MAP_OVERHEAD;
  for (const [key, field] of Object.entries(value)) {
    if (field === undefined) continue;
    const stored = key === '' || key.startsWith('$') ? `$${key}` : key;
    size += utf8.encode(stored).byteLength + dynamoDbSize(field, depth + 1) + 1;
  }
  return size;
}

const LIST_OR_MAP_OVERHEAD = 3;
/** The codec stores deeper plain JSON as a tagged string (DynamoDB nests 32 levels). */
const MAX_CODEC_DEPTH = 30;
/** A tagged map `{ "$t": <kind>, …fields }`: overhead, the tag entry, and `fieldBytes`. */
const tagged = (fieldBytes: number): number => LIST_OR_MAP_OVERHEAD + 2 + 5 + 1 + fieldBytes;

function numberSize(n: number): number {
  const text = String(n);
  // Stored as a tagged string when DynamoDB cannot hold the number.
  if (!Number.isFinite(n) || Object.is(n, -0) || /e/i.test(text)) return tagged(1 + text.length + 1);
  const digits = text.replace('-', '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1 + (n < 0 ? 1 : 0);
}

export interface PayloadField {
  name: string;
  byteLength: number;
}

/**
 * Fields of one item to move to the blob store: every field above
 * `maxInlineBytes`, then the largest remaining ones until the item fits under
 * the DynamoDB limit with headroom. `otherBytes` is the rest of the item.
 */
export function fieldsToOffload(fields: PayloadField[], maxInlineBytes: number, otherBytes = 0): string[] {
  const budget = DYNAMODB_ITEM_LIMIT_BYTES - DYNAMODB_ITEM_HEADROOM_BYTES - otherBytes;
  const offload = new Set(fields.filter((f) => f.byteLength > maxInlineBytes).map((f) => f.name));
  let inline = fields.filter((f) => !offload.has(f.name)).reduce((sum, f) => sum + f.byteLength, 0);
  for (const field of [...fields].sort((a, b) => b.byteLength - a.byteLength)) {
    if (inline <= budget) break;
    if (offload.has(field.name)) continue;
    offload.add(field.name);
    inline -= field.byteLength;
  }
  return fields.filter((f) => offload.has(f.name)).map((f) => f.name);
}

/** A queue message body above the transport limit travels as a pointer. */
export function messageGoesToBlob(byteLength: number, maxMessageBytes: number): boolean {
  return byteLength > maxMessageBytes;
}

/** Blob keys are scoped per run, so a run's payloads share one prefix. */
export function payloadBlobKey(prefix: string, runId: string, ownerId: string, field: string): string {
  return `${prefix}${encodeURIComponent(runId)}/${encodeURIComponent(ownerId)}/${encodeURIComponent(field)}`;
}
