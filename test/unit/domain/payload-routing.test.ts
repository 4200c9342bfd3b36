import {
  DYNAMODB_ITEM_HEADROOM_BYTES,
  DYNAMODB_ITEM_LIMIT_BYTES,
  encodedSize,
  fieldsToOffload,
  messageGoesToBlob,
  payloadBlobKey,
} from '../../../src/domain/payload-routing.js';

describe('payload routing', () => {
  it('measures exact encoded sizes', () => {
    expect(encodedSize(new Uint8Array(1234))).toBe(1234);
    expect(encodedSize('héllo')).toBe(6);
    expect(encodedSize({ a: 'é' })).toBe(JSON.stringify({ a: 'é' }).length + 1);
    expect(encodedSize(undefined)).toBe(0);
    expect(encodedSize(null)).toBe(4);
  });

  it('keeps small fields inline', () => {
    expect(fieldsToOffload([{ name: 'input', byteLength: 100 }], 64 * 1024)).toEqual([]);
  });

  it('offloads every field above the inline limit', () => {
    const fields = [
      { name: 'input', byteLength: 70_000 },
      { name: 'output', byteLength: 10 },
    ];
    expect(fieldsToOffload(fields, 64 * 1024)).toEqual(['input']);
  });

  it('offloads the largest remaining fields until the item fits with headroom', () => {
    const budget = DYNAMODB_ITEM_LIMIT_BYTES - DYNAMODB_ITEM_HEADROOM_BYTES;
    const fields = [
      { name: 'a', byteLength: budget / 2 },
      { name: 'b', byteLength: budget / 2 + 10 },
      { name: 'c', byteLength: 100 },
    ];
    // With no per-field limit, only the size of the whole item matters.
    expect(fieldsToOffload(fields, Number.MAX_SAFE_INTEGER)).toEqual(['b']);
    expect(fieldsToOffload(fields, Number.MAX_SAFE_INTEGER, budget / 2)).toEqual(['a', 'b']);
  });

  it('offloads everything when the limit is zero', () => {
    expect(fieldsToOffload([{ name: 'x', byteLength: 1 }], 0)).toEqual(['x']);
  });

  it('routes queue messages above the limit to the blob store', () => {
    expect(messageGoesToBlob(256 * 1024, 256 * 1024)).toBe(false);
    expect(messageGoesToBlob(256 * 1024 + 1, 256 * 1024)).toBe(true);
  });

  it('scopes blob keys per run and escapes separators', () => {
    expect(payloadBlobKey('payloads/', 'wrun_1', 'evnt_2', 'output')).toBe('payloads/wrun_1/evnt_2/output');
    expect(payloadBlobKey('p/', 'a/b', 'c', 'd')).toBe('p/a%2Fb/c/d');
  });
});
