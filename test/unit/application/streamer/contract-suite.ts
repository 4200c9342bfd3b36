// WORLD-CONTRACT §7 item 23, as one suite run against every StreamStore:
// the memory store in unit tests, the DynamoDB store in integration tests.
import { WorkflowWorldError } from '@workflow/errors';
import type { WorldStreamer } from '../../../../src/application/streamer/index.js';
import { MapBlobStore, nextChunk, readAll, staysPending, text, uniqueName } from './helpers.js';

export interface ContractEnv {
  /** A streamer on the shared store; each call is a separate instance (own notifier). */
  streamer(options?: { maxInlineBytes?: number; blobs?: MapBlobStore }): WorldStreamer;
  /** How long a live reader may take to see a write (poll path); generous, never a performance claim. */
  liveWaitMs: number;
}

const utf8 = new TextEncoder();
const bytes = (...values: number[]) => new Uint8Array(values);
const texts = (chunks: Uint8Array[]) => chunks.map(text);

export function streamerContract(label: string, setup: () => ContractEnv): void {
  describe(`Streamer contract (§7-23) on ${label}`, () => {
    let env: ContractEnv;
    let streamer: WorldStreamer;
    let runId: string;
    beforeAll(() => {
      env = setup();
    });
    beforeEach(() => {
      streamer = env.streamer();
      runId = `wrun_${uniqueName('run')}`;
    });
    afterEach(async () => {
      await streamer.close();
    });

    describe('chunk order and indices', () => {
      it('numbers chunks 0.. in call order and round-trips bytes and UTF-8 strings', async () => {
        const name = uniqueName();
        await streamer.writeToStream(name, runId, 'héllo ✓');
        await streamer.writeToStream(name, runId, bytes(0, 255, 1));
        await streamer.writeToStream(name, runId, 'c');
        const page = await streamer.getStreamChunks(name, runId);
        expect(page.data.map((c) => c.index)).toEqual([0, 1, 2]);
        expect(page.data[0]!.data).toEqual(utf8.encode('héllo ✓'));
        expect(page.data[1]!.data).toEqual(bytes(0, 255, 1));
        await streamer.closeStream(name, runId);
        const chunks = await readAll(await streamer.readFromStream(name));
        expect(chunks).toEqual([utf8.encode('héllo ✓'), bytes(0, 255, 1), utf8.encode('c')]);
      });

      it('keeps call order for writes that are not awaited one by one', async () => {
        const name = uniqueName();
        await Promise.all(Array.from({ length: 12 }, (_, i) => streamer.writeToStream(name, runId, `c${i}`)));
        await streamer.closeStream(name, runId);
        expect(texts(await readAll(await streamer.readFromStream(name)))).toEqual(Array.from({ length: 12 }, (_, i) => `c${i}`));
      });

      it('skips zero-length chunks when reading but counts their index', async () => {
        const name = uniqueName();
        await streamer.writeToStream(name, runId, 'a');
        await streamer.writeToStream(name, runId, new Uint8Array(0));
        await streamer.writeToStream(name, runId, 'b');
        await streamer.closeStream(name, runId);
        expect(texts(await readAll(await streamer.readFromStream(name)))).toEqual(['a', 'b']);
        expect(texts(await readAll(await streamer.readFromStream(name, 2)))).toEqual(['b']);
        expect(await streamer.getStreamInfo(name, runId)).toEqual({ tailIndex: 2, done: true });
        const page = await streamer.getStreamChunks(name, runId);
        expect(page.data.map((c) => [c.index, c.data.byteLength])).toEqual([
          [0, 1],
          [1, 0],
          [2, 1],
        ]);
      });
    });

    describe('writeToStreamMulti', () => {
      it('writes several chunks as consecutive indices, in order, after earlier ones', async () => {
        const name = uniqueName();
        await streamer.writeToStream(name, runId, 'first');
        await streamer.writeToStreamMulti(name, runId, ['a', bytes(1, 2), 'c']);
        await streamer.writeToStreamMulti(name, runId, []);
        await streamer.writeToStream(name, runId, 'last');
        const page = await streamer.getStreamChunks(name, runId);
        expect(page.data.map((c) => c.index)).toEqual([0, 1, 2, 3, 4]);
        expect(page.data[2]!.data).toEqual(bytes(1, 2));
        expect(text(page.data[4]!.data)).toBe('last');
      });

      it('handles more chunks than one storage batch', async () => {
        const name = uniqueName();
        const many = Array.from({ length: 60 }, (_, i) => `m${i}`);
        await streamer.writeToStreamMulti(name, runId, many);
        await streamer.closeStream(name, runId);
        expect(texts(await readAll(await streamer.readFromStream(name)))).toEqual(many);
      });
    });

    describe('closeStream', () => {
      it('first EOF wins: a write after it is refused (409) and stored nowhere', async () => {
        const name = uniqueName();
        await streamer.writeToStream(name, runId, 'kept');
        await streamer.closeStream(name, runId);
        await expect(streamer.writeToStream(name, runId, 'refused')).rejects.toMatchObject({ status: 409, message: expect.stringContaining('closed') });
        await expect(streamer.writeToStreamMulti(name, runId, ['refused too', 'and this'])).rejects.toMatchObject({ status: 409 });
        // A write from another streamer (another process) is refused by the store's own EOF.
        await expect(env.streamer().writeToStream(name, runId, 'elsewhere')).rejects.toMatchObject({ status: 409 });
        await streamer.closeStream(name, runId);
        expect(texts(await readAll(await streamer.readFromStream(name)))).toEqual(['kept']);
        expect(await streamer.getStreamInfo(name, runId)).toEqual({ tailIndex: 0, done: true });
        const page = await streamer.getStreamChunks(name, runId);
        expect(texts(page.data.map((c) => c.data))).toEqual(['kept']);
        expect(page.done).toBe(true);
      });
    });

    describe('readFromStream live tail', () => {
      it('tails writes made after it opened, then ends at close (reader in another streamer)', async () => {
        const name = uniqueName();
        const reader = (await env.streamer().readFromStream(name)).getReader();
        const firstRead = reader.read();
        await streamer.writeToStream(name, runId, 'one');
        expect(text((await firstRead).value!)).toBe('one');
        await streamer.writeToStreamMulti(name, runId, ['two', 'three']);
        expect(text((await nextChunk(reader, env.liveWaitMs)) as Uint8Array)).toBe('two');
        expect(text((await nextChunk(reader, env.liveWaitMs)) as Uint8Array)).toBe('three');
        await streamer.closeStream(name, runId);
        expect(await nextChunk(reader, env.liveWaitMs)).toBe('done');
      });

      it('replays existing chunks, then tails, then ends', async () => {
        const name = uniqueName();
        await streamer.writeToStreamMulti(name, runId, ['a', 'b']);
        const reader = (await streamer.readFromStream(name)).getReader();
        expect(text((await nextChunk(reader, env.liveWaitMs)) as Uint8Array)).toBe('a');
        expect(text((await nextChunk(reader, env.liveWaitMs)) as Uint8Array)).toBe('b');
        const pending = reader.read();
        await streamer.writeToStream(name, runId, 'c');
        expect(text((await pending).value!)).toBe('c');
        await streamer.closeStream(name, runId);
        expect(await nextChunk(reader, env.liveWaitMs)).toBe('done');
      });

      it('after close: replays everything and ends without waiting', async () => {
        const name = uniqueName();
        await streamer.writeToStreamMulti(name, runId, ['x', 'y']);
        await streamer.closeStream(name, runId);
        expect(texts(await readAll(await env.streamer().readFromStream(name), env.liveWaitMs))).toEqual(['x', 'y']);
      });

      it('keeps an unknown or empty stream open until data arrives, and cancel ends it', async () => {
        const unknown = (await streamer.readFromStream(uniqueName('unknown'))).getReader();
        expect(await staysPending(unknown.read(), 150)).toBe(true);
        await unknown.cancel();

        const name = uniqueName();
        await streamer.writeToStreamMulti(name, runId, []);
        const empty = (await streamer.readFromStream(name)).getReader();
        const read = empty.read();
        expect(await staysPending(read, 150)).toBe(true);
        await streamer.writeToStream(name, runId, 'finally');
        expect(text((await read).value!)).toBe('finally');
        await empty.cancel();
      });

      it('ends an empty closed stream at once', async () => {
        const name = uniqueName();
        await streamer.closeStream(name, runId);
        expect(await readAll(await streamer.readFromStream(name), env.liveWaitMs)).toEqual([]);
        expect(await streamer.getStreamInfo(name, runId)).toEqual({ tailIndex: -1, done: true });
      });
    });

    describe('startIndex', () => {
      it('positive start skips that many chunks', async () => {
        const name = uniqueName();
        await streamer.writeToStreamMulti(name, runId, ['0', '1', '2', '3']);
        await streamer.closeStream(name, runId);
        expect(texts(await readAll(await streamer.readFromStream(name, 2)))).toEqual(['2', '3']);
      });

      it('negative start resolves at open to max(0, count + start)', async () => {
        const name = uniqueName();
        await streamer.writeToStreamMulti(name, runId, ['0', '1', '2', '3', '4']);
        await streamer.closeStream(name, runId);
        expect(texts(await readAll(await streamer.readFromStream(name, -2)))).toEqual(['3', '4']);
        expect(texts(await readAll(await streamer.readFromStream(name, -99)))).toEqual(['0', '1', '2', '3', '4']);
      });

      it('negative start on an open stream then tails new chunks', async () => {
        const name = uniqueName();
        await streamer.writeToStreamMulti(name, runId, ['0', '1', '2']);
        const reader = (await streamer.readFromStream(name, -1)).getReader();
        expect(text((await nextChunk(reader, env.liveWaitMs)) as Uint8Array)).toBe('2');
        await streamer.writeToStream(name, runId, '3');
        expect(text((await nextChunk(reader, env.liveWaitMs)) as Uint8Array)).toBe('3');
        await reader.cancel();
      });

      it('a start at or past the end of a closed stream ends at once', async () => {
        const name = uniqueName();
        await streamer.writeToStreamMulti(name, runId, ['0', '1']);
        await streamer.closeStream(name, runId);
        expect(await readAll(await streamer.readFromStream(name, 2), env.liveWaitMs)).toEqual([]);
        expect(await readAll(await streamer.readFromStream(name, 50), env.liveWaitMs)).toEqual([]);
        const empty = uniqueName();
        await streamer.closeStream(empty, runId);
        expect(await readAll(await streamer.readFromStream(empty, -3), env.liveWaitMs)).toEqual([]);
      });

      it('a start past the end of an open stream waits for that index', async () => {
        const name = uniqueName();
        await streamer.writeToStream(name, runId, '0');
        const reader = (await streamer.readFromStream(name, 2)).getReader();
        const read = reader.read();
        await streamer.writeToStream(name, runId, '1');
        expect(await staysPending(read, 100)).toBe(true);
        await streamer.writeToStream(name, runId, '2');
        expect(text((await read).value!)).toBe('2');
        await reader.cancel();
      });
    });

    describe('getStreamChunks', () => {
      it('pages with an opaque cursor; hasMore only while written chunks remain; done after close', async () => {
        const name = uniqueName();
        await streamer.writeToStreamMulti(name, runId, ['0', '1', '2', '3', '4', '5', '6']);
        const p1 = await streamer.getStreamChunks(name, runId, { limit: 3 });
        expect(p1.data.map((c) => c.index)).toEqual([0, 1, 2]);
        expect(p1).toMatchObject({ hasMore: true, done: false });
        expect(typeof p1.cursor).toBe('string');
        const p2 = await streamer.getStreamChunks(name, runId, { limit: 3, cursor: p1.cursor! });
        expect(p2.data.map((c) => c.index)).toEqual([3, 4, 5]);
        expect(p2.hasMore).toBe(true);
        expect(p2.cursor).not.toBe(p1.cursor);
        const p3 = await streamer.getStreamChunks(name, runId, { limit: 3, cursor: p2.cursor! });
        expect(p3.data.map((c) => [c.index, text(c.data)])).toEqual([[6, '6']]);
        expect(p3).toMatchObject({ hasMore: false, cursor: null, done: false });

        await streamer.closeStream(name, runId);
        const all = await streamer.getStreamChunks(name, runId);
        expect(all.data).toHaveLength(7);
        expect(all).toMatchObject({ hasMore: false, cursor: null, done: true });
        const closedPage = await streamer.getStreamChunks(name, runId, { limit: 3 });
        expect(closedPage).toMatchObject({ hasMore: true, done: true });
      });

      it('defaults to 100 chunks per page', async () => {
        const name = uniqueName();
        await streamer.writeToStreamMulti(
          name,
          runId,
          Array.from({ length: 101 }, (_, i) => String(i)),
        );
        const page = await streamer.getStreamChunks(name, runId);
        expect(page.data).toHaveLength(100);
        expect(page.hasMore).toBe(true);
        const rest = await streamer.getStreamChunks(name, runId, { cursor: page.cursor! });
        expect(rest.data.map((c) => c.index)).toEqual([100]);
      });

      it('returns an empty, not-done page for an unknown stream', async () => {
        expect(await streamer.getStreamChunks(uniqueName('none'), runId)).toEqual({ data: [], cursor: null, hasMore: false, done: false });
      });

      it('rejects a malformed cursor, or one from another stream, with a 400', async () => {
        const name = uniqueName();
        await streamer.writeToStreamMulti(name, runId, ['a', 'b']);
        const other = uniqueName();
        await streamer.writeToStreamMulti(other, runId, ['a', 'b']);
        const foreign = (await streamer.getStreamChunks(other, runId, { limit: 1 })).cursor!;
        for (const cursor of ['garbage', 'eyJ4IjoxfQ.abc', foreign]) {
          const error = await streamer.getStreamChunks(name, runId, { cursor }).catch((e: unknown) => e);
          expect(WorkflowWorldError.is(error)).toBe(true);
          expect((error as WorkflowWorldError).status).toBe(400);
        }
      });
    });

    describe('getStreamInfo', () => {
      it('is -1/false when empty, tracks the tail while open, and done after close', async () => {
        const name = uniqueName();
        expect(await streamer.getStreamInfo(name, runId)).toEqual({ tailIndex: -1, done: false });
        await streamer.writeToStreamMulti(name, runId, ['a', 'b']);
        expect(await streamer.getStreamInfo(name, runId)).toEqual({ tailIndex: 1, done: false });
        await streamer.closeStream(name, runId);
        expect(await streamer.getStreamInfo(name, runId)).toEqual({ tailIndex: 1, done: true });
      });

      it('agrees with the reader: a reader ends exactly after tailIndex + 1 chunks', async () => {
        const name = uniqueName();
        await streamer.writeToStreamMulti(name, runId, ['a', 'b', 'c']);
        await streamer.closeStream(name, runId);
        const info = await streamer.getStreamInfo(name, runId);
        const chunks = await readAll(await streamer.readFromStream(name));
        expect(info.done && chunks.length > info.tailIndex).toBe(true);
      });
    });

    describe('listStreamsByRunId', () => {
      it('lists the distinct streams written or closed under a run', async () => {
        const [a, b, c] = [uniqueName('a'), uniqueName('b'), uniqueName('c')];
        await streamer.writeToStream(a, runId, 'x');
        await streamer.writeToStream(a, runId, 'y');
        await streamer.closeStream(b, runId);
        await streamer.writeToStream(c, `${runId}_other`, 'z');
        expect((await streamer.listStreamsByRunId(runId)).sort()).toEqual([a, b].sort());
        expect(await streamer.listStreamsByRunId(`wrun_${uniqueName('nobody')}`)).toEqual([]);
      });
    });

    describe('runs that do not exist', () => {
      it('accepts writes under a fake run id, as the health check does', async () => {
        const name = `__health_check__${uniqueName('hc')}`;
        const reader = env.streamer().readFromStream(name);
        await streamer.writeToStream(name, 'wrun_fake_health_check', JSON.stringify({ healthy: true }));
        await streamer.closeStream(name, 'wrun_fake_health_check');
        expect(texts(await readAll(await reader, env.liveWaitMs))).toEqual(['{"healthy":true}']);
      });
    });

    describe('claim checks', () => {
      it('moves chunks above maxInlineBytes to the blob store and reads them back transparently', async () => {
        const blobs = new MapBlobStore();
        const small = env.streamer({ maxInlineBytes: 16, blobs });
        const name = uniqueName();
        const big = new Uint8Array(5000).map((_, i) => i % 251);
        await small.writeToStreamMulti(name, runId, ['tiny', big]);
        await small.closeStream(name, runId);
        expect(blobs.objects.size).toBe(1);
        const [key] = [...blobs.objects.keys()];
        expect(key).toContain(encodeURIComponent(runId));
        // Referenced by the stream now, so exempt from the expiry of uncommitted uploads.
        expect([...blobs.committed]).toEqual([key]);
        expect(await readAll(await small.readFromStream(name))).toEqual([utf8.encode('tiny'), big]);
        const page = await small.getStreamChunks(name, runId);
        expect(page.data[1]!.data).toEqual(big);
        await small.close();
      });
    });
  });
}
