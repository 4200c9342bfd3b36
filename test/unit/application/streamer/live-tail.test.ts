// Live-tail mechanics on a fake clock: adaptive backoff, reset on data,
// cancel, in-process wake-ups, shutdown and store failures.
import { ThrottleError, WorkflowWorldError } from '@workflow/errors';
import { createStreamer, type PollOptions } from '../../../../src/application/streamer/index.js';
import { MemoryStreamStore } from '../../../../src/adapters/memory/memory-stream-store.js';
import type { StreamStore } from '../../../../src/ports/stream-store.js';
import { FakeClock, MapBlobStore, settle, text, uniqueName } from './helpers.js';

const poll: PollOptions = { minMs: 10, maxMs: 80, graceMs: 30 };
const runId = 'wrun_tail';

/** A store that counts reads and can be made to fail. */
class CountingStore extends MemoryStreamStore {
  reads = 0;
  failures: unknown[] = [];
  override async read(name: string, fromIndex: number, limit: number) {
    this.reads++;
    const failure = this.failures.shift();
    if (failure) throw failure;
    return super.read(name, fromIndex, limit);
  }
}

function setup() {
  const clock = new FakeClock();
  const store = new CountingStore();
  const make = () => createStreamer({ store, blobs: new MapBlobStore(), clock, maxInlineBytes: 1024, poll });
  return { clock, store, reader: make(), writer: make() };
}

describe('live tail', () => {
  it('polls fast during the grace period, then doubles up to the cap while idle', async () => {
    const { clock, reader } = setup();
    const stream = await reader.readFromStream(uniqueName());
    const pending = stream.getReader().read();
    pending.catch(() => undefined); // errored by close() below
    for (let i = 0; i < 7; i++) await clock.runNextSleep();
    expect(clock.requested).toEqual([10, 10, 10, 20, 40, 80, 80]);
    await reader.close();
  });

  it('goes back to fast polling as soon as a poll finds data', async () => {
    const { clock, store, reader, writer } = setup();
    const name = uniqueName();
    const r = (await reader.readFromStream(name)).getReader();
    const first = r.read();
    for (let i = 0; i < 5; i++) await clock.runNextSleep();
    await clock.untilSleeping();
    expect(clock.requested.at(-1)).toBe(80);
    // The writer is another streamer: only polling can see its write.
    await writer.writeToStream(name, runId, 'data');
    const readsBefore = store.reads;
    await clock.runNextSleep();
    expect(text((await first).value!)).toBe('data');
    expect(store.reads).toBe(readsBefore + 1);
    const second = r.read();
    second.catch(() => undefined); // errored by close() below
    await clock.untilSleeping();
    expect(clock.requested.at(-1)).toBe(10);
    await reader.close();
  });

  it('does not poll before the consumer asks for data', async () => {
    const { store, reader } = setup();
    await reader.readFromStream(uniqueName());
    await settle();
    expect(store.reads).toBe(0);
  });

  it('cancel stops polling and releases the pending sleep', async () => {
    const { clock, store, reader } = setup();
    const r = (await reader.readFromStream(uniqueName())).getReader();
    void r.read().catch(() => undefined);
    await clock.runNextSleep();
    await clock.untilSleeping();
    await r.cancel();
    await settle();
    expect(clock.pendingSleeps).toBe(0);
    const reads = store.reads;
    clock.advance(60_000);
    for (let i = 0; i < 10; i++) await settle();
    expect(store.reads).toBe(reads);
  });

  it('stops polling once the stream closes', async () => {
    const { clock, store, reader, writer } = setup();
    const name = uniqueName();
    const r = (await reader.readFromStream(name)).getReader();
    const read = r.read();
    await clock.untilSleeping();
    await writer.closeStream(name, runId);
    await clock.runNextSleep();
    expect(await read).toEqual({ done: true, value: undefined });
    const reads = store.reads;
    clock.advance(60_000);
    for (let i = 0; i < 10; i++) await settle();
    expect(store.reads).toBe(reads);
    expect(clock.pendingSleeps).toBe(0);
  });

  it('a write through the same streamer wakes its readers without waiting for the poll', async () => {
    const { clock, reader } = setup();
    const name = uniqueName();
    const r = (await reader.readFromStream(name)).getReader();
    const read = r.read();
    for (let i = 0; i < 5; i++) await clock.runNextSleep();
    await clock.untilSleeping();
    expect(clock.requested.at(-1)).toBe(80);
    const sleepsSoFar = clock.requested.length;
    await reader.writeToStream(name, runId, 'now');
    expect(text((await read).value!)).toBe('now'); // no clock advance needed
    expect(clock.requested.length).toBe(sleepsSoFar);
    await reader.close();
  });

  it('close() errors live readers and refuses new reads', async () => {
    const { clock, reader } = setup();
    const r = (await reader.readFromStream(uniqueName())).getReader();
    const read = r.read();
    await clock.runNextSleep();
    await reader.close();
    await expect(read).rejects.toThrow(/closed/);
    await expect(reader.readFromStream(uniqueName())).rejects.toThrow(/closed/);
  });

  it('rides out retryable store failures, and fails the stream on others', async () => {
    const { clock, store, reader, writer } = setup();
    const name = uniqueName();
    await writer.writeToStream(name, runId, 'a');
    store.failures.push(new ThrottleError('slow down'), new WorkflowWorldError('unavailable', { status: 503 }));
    const r = (await reader.readFromStream(name)).getReader();
    const read = r.read();
    await clock.runNextSleep();
    await clock.runNextSleep();
    expect(text((await read).value!)).toBe('a');

    store.failures.push(new WorkflowWorldError('denied', { status: 403 }));
    const failing = r.read();
    await expect(failing).rejects.toThrow('denied');
  });

  it('gives up after repeated retryable failures', async () => {
    const { clock, store, reader } = setup();
    store.failures.push(...Array.from({ length: 5 }, () => new ThrottleError('slow down')));
    const r = (await reader.readFromStream(uniqueName())).getReader();
    const read = r.read();
    read.catch(() => undefined);
    for (let i = 0; i < 4; i++) await clock.runNextSleep();
    await expect(read).rejects.toThrow('slow down');
  });

  it('replays a long stream page by page', async () => {
    const { store, reader, writer } = setup();
    const name = uniqueName();
    await writer.writeToStreamMulti(
      name,
      runId,
      Array.from({ length: 250 }, (_, i) => `c${i}`),
    );
    await writer.closeStream(name, runId);
    const r = (await reader.readFromStream(name)).getReader();
    const got: string[] = [];
    for (let res = await r.read(); !res.done; res = await r.read()) got.push(text(res.value));
    expect(got).toEqual(Array.from({ length: 250 }, (_, i) => `c${i}`));
    expect(store.reads).toBe(3);
  });
});

describe('writes', () => {
  /** Appends arrive at the store after a random delay, as over a network. */
  class JitteryStore extends MemoryStreamStore {
    override async append(name: string, runId: string, chunks: Uint8Array[]) {
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
      return super.append(name, runId, chunks);
    }
  }

  it('keeps call order and closes after earlier writes even when the store answers out of order', async () => {
    const store = new JitteryStore();
    const streamer = createStreamer({ store, blobs: new MapBlobStore(), clock: new FakeClock(), maxInlineBytes: 1024 });
    const name = uniqueName();
    const calls = Array.from({ length: 20 }, (_, i) =>
      i % 3 === 0 ? streamer.writeToStreamMulti(name, runId, [`${i}a`, `${i}b`]) : streamer.writeToStream(name, runId, `${i}`),
    );
    const closed = streamer.closeStream(name, runId);
    await Promise.all([...calls, closed]);
    const page = await streamer.getStreamChunks(name, runId, { limit: 1000 });
    const expected = Array.from({ length: 20 }, (_, i) => (i % 3 === 0 ? [`${i}a`, `${i}b`] : [`${i}`])).flat();
    expect(page.data.map((c) => text(c.data))).toEqual(expected);
    expect(page.done).toBe(true);
  });

  it('removes the uploaded blob when the append fails, and later writes still go through', async () => {
    const blobs = new MapBlobStore();
    let fail = true;
    class FailingOnce extends MemoryStreamStore {
      override async append(name: string, runId: string, chunks: Uint8Array[]) {
        if (fail) {
          fail = false;
          throw new WorkflowWorldError('unavailable', { status: 503 });
        }
        return super.append(name, runId, chunks);
      }
    }
    const streamer = createStreamer({ store: new FailingOnce(), blobs, clock: new FakeClock(), maxInlineBytes: 4 });
    const name = uniqueName();
    const first = streamer.writeToStream(name, runId, 'too big for inline');
    const second = streamer.writeToStream(name, runId, 'ok');
    await expect(first).rejects.toThrow('unavailable');
    await second;
    expect(blobs.objects.size).toBe(0);
    expect(blobs.committed.size).toBe(0);
    const page = await streamer.getStreamChunks(name, runId);
    expect(page.data.map((c) => text(c.data))).toEqual(['ok']);
  });

  it('removes the uploads that succeeded when another chunk of the same write fails to upload', async () => {
    class FlakyBlobs extends MapBlobStore {
      puts = 0;
      override async put(key: string, bytes: Uint8Array) {
        if (++this.puts === 2) throw new WorkflowWorldError('S3 unavailable', { status: 503 });
        return super.put(key, bytes);
      }
    }
    const blobs = new FlakyBlobs();
    const store = new MemoryStreamStore();
    const streamer = createStreamer({ store, blobs, clock: new FakeClock(), maxInlineBytes: 4 });
    const name = uniqueName();
    await expect(streamer.writeToStreamMulti(name, runId, ['first big chunk', 'second big chunk'])).rejects.toThrow('S3 unavailable');
    expect(blobs.puts).toBe(2);
    expect(blobs.objects.size).toBe(0);
    expect(await store.info(name)).toEqual({ dataCount: 0, done: false });
  });

  it('rejects an empty stream name or a chunk that is neither string nor bytes with a 400', async () => {
    const streamer = createStreamer({ store: new MemoryStreamStore(), blobs: new MapBlobStore(), clock: new FakeClock(), maxInlineBytes: 4 });
    await expect(streamer.writeToStream('', runId, 'x')).rejects.toMatchObject({ status: 400 });
    await expect(streamer.writeToStream('s', runId, 42 as unknown as string)).rejects.toMatchObject({ status: 400 });
  });

  it('flushes core writes immediately', () => {
    const streamer = createStreamer({ store: new MemoryStreamStore(), blobs: new MapBlobStore(), clock: new FakeClock(), maxInlineBytes: 4 });
    expect(streamer.streamFlushIntervalMs).toBe(0);
  });
});

describe('getStreamChunks limits', () => {
  it('reads one more than the page size, and refuses a limit outside 1..1000 as listings do', async () => {
    const calls: number[] = [];
    class Recording extends MemoryStreamStore {
      override async read(name: string, fromIndex: number, limit: number) {
        calls.push(limit);
        return super.read(name, fromIndex, limit);
      }
    }
    const store: StreamStore = new Recording();
    const streamer = createStreamer({ store, blobs: new MapBlobStore(), clock: new FakeClock(), maxInlineBytes: 4 });
    await expect(streamer.getStreamChunks('s', runId, { limit: 5000 })).rejects.toMatchObject({ status: 400, message: expect.stringContaining('limit') });
    await expect(streamer.getStreamChunks('s', runId, { limit: 0 })).rejects.toMatchObject({ status: 400 });
    await streamer.getStreamChunks('s', runId, { limit: 1000 });
    await streamer.getStreamChunks('s', runId, { limit: 1 });
    await streamer.getStreamChunks('s', runId);
    expect(calls).toEqual([1001, 2, 101]);
  });
});
