// DynamoDB's item size rules, applied to the exact attribute values about to
// be written, and the guard that refuses a commit DynamoDB would reject:
// 400 KB per item, 4 MB per TransactWriteItems request. Refusing before the
// request gives a clear 413 instead of a ValidationException after uploads.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { WorkflowWorldError } from '@workflow/errors';

/** DynamoDB's hard limit on one item: attribute names plus values. */
export const MAX_ITEM_BYTES = 400 * 1024;
/** DynamoDB's limit on the items of one TransactWriteItems request. */
export const MAX_TRANSACTION_BYTES = 4 * 1024 * 1024;

const utf8 = (s: string): number => Buffer.byteLength(s, 'utf8');

function numberSize(text: string): number {
  const digits = text.replace(/^-/, '').replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1 + (text.startsWith('-') ? 1 : 0);
}

/** Size of one attribute value (AWS: "Item size calculations"). */
export function attributeSize(value: AttributeValue): number {
  if (value.S !== undefined) return utf8(value.S);
  if (value.N !== undefined) return numberSize(value.N);
  if (value.B !== undefined) return value.B.byteLength;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.L !== undefined) return value.L.reduce((sum, item) => sum + attributeSize(item) + 1, 3);
  if (value.M !== undefined) return Object.entries(value.M).reduce((sum, [key, item]) => sum + utf8(key) + attributeSize(item) + 1, 3);
  if (value.SS !== undefined) return value.SS.reduce((sum, s) => sum + utf8(s), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, n) => sum + numberSize(n), 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, b) => sum + b.byteLength, 0);
  return 0;
}

/** Size of an item: Σ (UTF-8 attribute name + value). */
export function itemSize(item: Record<string, AttributeValue>): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + utf8(name) + attributeSize(value), 0);
}

/** Throws a 413 naming what is too large when `items` cannot be written in one request. */
export function assertWritable(items: Array<{ what: string; item: Record<string, AttributeValue> }>, transactional: boolean): void {
  let total = 0;
  for (const { what, item } of items) {
    const size = itemSize(item);
    total += size;
    if (size > MAX_ITEM_BYTES) {
      throw new WorkflowWorldError(`${what} would be ${size} bytes; a DynamoDB item holds at most ${MAX_ITEM_BYTES}. Lower maxInlinePayloadBytes so payloads go to S3`, {
        status: 413,
        code: 'ITEM_TOO_LARGE',
      });
    }
  }
  if (transactional && total > MAX_TRANSACTION_BYTES) {
    throw new WorkflowWorldError(`commit would write ${total} bytes in one transaction; DynamoDB allows ${MAX_TRANSACTION_BYTES}`, {
      status: 413,
      code: 'COMMIT_TOO_LARGE',
    });
  }
}
