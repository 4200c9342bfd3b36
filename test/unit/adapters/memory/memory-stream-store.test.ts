import { MemoryStreamStore } from '../../../../src/adapters/memory/memory-stream-store.js';

const b = (...values: number[]) => new Uint8Array(values);

describe('MemoryStreamStore', () => {
  it('appends consecutive indexes and reads a window with the data count', async () => {
    const store = new MemoryStreamStore();
    await store.append('s', 'r', [b(1), b(2)]);
    await store.append('s', 'r', [b(3)]);
    expect(await store.read('s', 1, 5)).toEqual({ chunks: [{ index: 1, data: b(2) }, { index: 2, data: b(3) }], done: false, dataCount: 3 });
    expect(await store.read('s', 0, 1)).toEqual({ chunks: [{ index: 0, data: b(1) }], done: false, dataCount: 3 });
    expect(await store.read('s', 9, 5)).toEqual({ chunks: [], done: false, dataCount: 3 });
  });

  it('reads an unknown stream as empty and open', async () => {
    const store = new MemoryStreamStore();
    expect(await store.read('none', 0, 10)).toEqual({ chunks: [], done: false, dataCount: 0 });
    expect(await store.info('none')).toEqual({ dataCount: 0, done: false });
  });

  it('first EOF wins and data appended after it is dropped', async () => {
    const store = new MemoryStreamStore();
    await store.append('s', 'r', [b(1)]);
    await store.close('s', 'r');
    await store.append('s', 'r', [b(2)]);
    await store.close('s', 'r');
    expect(await store.info('s')).toEqual({ dataCount: 1, done: true });
    expect(await store.read('s', 0, 10)).toEqual({ chunks: [{ index: 0, data: b(1) }], done: true, dataCount: 1 });
  });

  it('keeps its own copies of the bytes', async () => {
    const store = new MemoryStreamStore();
    const input = b(1, 2);
    await store.append('s', 'r', [input]);
    input[0] = 9;
    const first = await store.read('s', 0, 1);
    first.chunks[0]!.data[1] = 9;
    expect((await store.read('s', 0, 1)).chunks[0]!.data).toEqual(b(1, 2));
  });

  it('links a stream to the run of its first write or close', async () => {
    const store = new MemoryStreamStore();
    await store.append('a', 'run1', [b(1)]);
    await store.close('b', 'run1');
    await store.append('c', 'run2', [b(1)]);
    await store.append('a', 'run2', [b(2)]);
    expect((await store.listByRun('run1')).sort()).toEqual(['a', 'b']);
    expect(await store.listByRun('run2')).toEqual(['c']);
  });
});
