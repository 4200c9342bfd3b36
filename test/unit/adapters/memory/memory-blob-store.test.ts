// The in-memory blob store: 404 for missing keys, and stored bytes no caller can change.
import { WorkflowWorldError } from '@workflow/errors';
import { MemoryBlobStore } from '../../../../src/adapters/memory/memory-blob-store.js';

describe('MemoryBlobStore', () => {
  it('returns what was put, and overwrites on a second put', async () => {
    const store = new MemoryBlobStore();
    await store.put('payloads/r1/a', new Uint8Array([1, 2, 3]));
    expect(await store.get('payloads/r1/a')).toEqual(new Uint8Array([1, 2, 3]));
    await store.put('payloads/r1/a', new Uint8Array([9]));
    expect(await store.get('payloads/r1/a')).toEqual(new Uint8Array([9]));
    expect(store.keys()).toEqual(['payloads/r1/a']);
  });

  it('throws a 404 WorkflowWorldError for a missing key', async () => {
    const error = await new MemoryBlobStore().get('nope').catch((e: unknown) => e);
    expect(WorkflowWorldError.is(error)).toBe(true);
    expect(error).toMatchObject({ status: 404 });
  });

  it('copies bytes on put and on get', async () => {
    const store = new MemoryBlobStore();
    const input = new Uint8Array([1, 2, 3]);
    await store.put('k', input);
    input[0] = 99;
    const read = await store.get('k');
    read[1] = 99;
    expect(await store.get('k')).toEqual(new Uint8Array([1, 2, 3]));
  });

  it('copies only the view it is given, not the whole underlying buffer', async () => {
    const store = new MemoryBlobStore();
    const buffer = new Uint8Array([0, 1, 2, 3, 4]);
    await store.put('k', buffer.subarray(1, 3));
    const read = await store.get('k');
    expect(read).toEqual(new Uint8Array([1, 2]));
    expect(read.buffer.byteLength).toBe(2);
  });

  it('deletes, and deleting a missing key succeeds', async () => {
    const store = new MemoryBlobStore();
    await store.put('k', new Uint8Array([1]));
    await store.delete('k');
    await store.delete('k');
    await expect(store.get('k')).rejects.toMatchObject({ status: 404 });
  });
});
