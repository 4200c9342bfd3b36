// The codec must give back exactly what was stored: replay compares payload bytes and dates.
import { BlobPointer } from '../../../../src/domain/model.js';
import { decodeValue, encodeValue } from '../../../../src/adapters/aws/dynamodb/attribute-codec.js';

const roundTrip = (value: unknown) => decodeValue(encodeValue(value));

describe('attribute codec', () => {
  it('stores bytes as binary and returns the same bytes', () => {
    const payload = new Uint8Array([0, 255, 1, 128, 0]);
    expect(encodeValue(payload)).toEqual({ B: payload });
    const back = roundTrip(payload) as Uint8Array;
    expect(back).toBeInstanceOf(Uint8Array);
    expect(Array.from(back)).toEqual([0, 255, 1, 128, 0]);
    expect(Array.from(roundTrip(new Uint8Array(0)) as Uint8Array)).toEqual([]);
  });

  it('stores a BlobPointer as a tagged map and returns a BlobPointer instance', () => {
    const pointer = new BlobPointer('payloads/wrun_1/evnt_1/input.bin', 70_000);
    expect(encodeValue(pointer)).toEqual({ M: { $t: { S: 'ptr' }, k: { S: 'payloads/wrun_1/evnt_1/input.bin' }, n: { N: '70000' } } });
    const back = roundTrip(pointer);
    expect(back).toBeInstanceOf(BlobPointer);
    expect(back).toEqual(pointer);
  });

  it('returns nested dates as Date objects', () => {
    const value = { resumeAt: new Date(1_736_000_000_123), list: [new Date(5)] };
    expect(encodeValue(value.resumeAt)).toEqual({ M: { $t: { S: 'date' }, v: { N: '1736000000123' } } });
    const back = roundTrip(value) as typeof value;
    expect(back.resumeAt).toBeInstanceOf(Date);
    expect(back.resumeAt.getTime()).toBe(1_736_000_000_123);
    expect(back.list[0]!.getTime()).toBe(5);
  });

  it('round-trips legacy JSON payloads natively', () => {
    const value = { a: [1, 'two', null, true, { b: 0.1 }], empty: {}, none: [], text: '', big: 9_007_199_254_740_991 };
    expect(encodeValue(value)).toEqual({
      M: {
        a: { L: [{ N: '1' }, { S: 'two' }, { NULL: true }, { BOOL: true }, { M: { b: { N: '0.1' } } }] },
        empty: { M: {} },
        none: { L: [] },
        text: { S: '' },
        big: { N: '9007199254740991' },
      },
    });
    expect(roundTrip(value)).toEqual(value);
  });

  it('keeps numbers DynamoDB cannot hold exactly', () => {
    for (const n of [-0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e300, 5e-324, 1e21]) {
      expect(Object.is(roundTrip(n), n)).toBe(true);
    }
    expect(encodeValue(-0)).toEqual({ M: { $t: { S: 'num' }, v: { S: '-0' } } });
  });

  it('omits undefined object fields and keeps undefined array slots', () => {
    expect(roundTrip({ a: 1, b: undefined })).toEqual({ a: 1 });
    expect(Object.keys(roundTrip({ a: 1, b: undefined }) as object)).toEqual(['a']);
    const list = roundTrip([1, undefined, 3]) as unknown[];
    expect(list).toHaveLength(3);
    expect(list[1]).toBeUndefined();
  });

  it('escapes keys that could be read as the tag', () => {
    const value = { $t: 'ptr', k: 'x', '': 1, $: 2, $$x: 3 };
    expect(encodeValue(value)).toEqual({
      M: { $$t: { S: 'ptr' }, k: { S: 'x' }, $: { N: '1' }, $$: { N: '2' }, $$$x: { N: '3' } },
    });
    expect(roundTrip(value)).toEqual(value);
  });

  it('stores plain JSON deeper than DynamoDB nests as a tagged JSON string', () => {
    let deep: unknown = { leaf: [1, 'x'] };
    for (let i = 0; i < 40; i++) deep = { next: deep };
    expect(roundTrip(deep)).toEqual(deep);
    let depth = 0;
    let attribute = encodeValue(deep);
    while (attribute.M?.next) {
      attribute = attribute.M.next;
      depth++;
    }
    expect(depth).toBe(30);
    expect(attribute.M?.$t).toEqual({ S: 'json' });
  });

  it('refuses values it could not give back', () => {
    expect(() => encodeValue(new Map())).toThrow(TypeError);
    expect(() => encodeValue(10n)).toThrow(TypeError);
    expect(() => encodeValue(() => 1)).toThrow(TypeError);
  });
});
