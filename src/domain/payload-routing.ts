// Claim-check routing: which payloads stay inline and which go to the blob
// store. Decided from exact encoded sizes so an item or message never hits
// the service limit at write time.

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
