// The §7-23 streamer contract on the DynamoDB store against local DynamoDB,
// plus what only a shared table shows: concurrent writers and dead writers.
import { jest } from '@jest/globals';
import { createStreamer } from '../../../src/application/streamer/index.js';
import { DynamoDbStreamStore } from '../../../src/adapters/aws/dynamodb-streams/index.js';
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectTaggingCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { BlobStore } from '../../../src/ports/blob-store.js';
import { streamerContract } from '../../unit/application/streamer/contract-suite.js';
import { MapBlobStore, nextChunk, readAll, realClock, staysPending, text, uniqueName } from '../../unit/application/streamer/helpers.js';
import { startLocalStreams, type LocalStreamsStack } from './local-streams.js';

jest.setTimeout(30_000);

let local: LocalStreamsStack;
beforeAll(async () => {
  local = await startLocalStreams();
});
afterAll(async () => {
  await local.stop();
});

const storeOf = (gapTimeoutMs?: number) =>
  new DynamoDbStreamStore({ client: local.newClient(), tableName: local.tableName, clock: realClock, gapTimeoutMs });

const streamerOf = (store: DynamoDbStreamStore, maxInlineBytes = 64 * 1024, blobs: BlobStore = new MapBlobStore()) =>
  createStreamer({ store, blobs, clock: realClock, maxInlineBytes, poll: { minMs: 10, maxMs: 100, graceMs: 200 } });

streamerContract('DynamoDbStreamStore (local DynamoDB)', () => ({
  liveWaitMs: 5000,
  // Every streamer gets its own store instance, as separate processes would.
  streamer: (options = {}) => streamerOf(storeOf(), options.maxInlineBytes, options.blobs),
}));

describe('DynamoDbStreamStore on local DynamoDB', () => {
  it('gives concurrent writers in different processes distinct, dense indexes', async () => {
    const name = uniqueName();
    const writers = Array.from({ length: 4 }, () => streamerOf(storeOf()));
    await Promise.all(
      writers.map((w, wi) =>
        (async () => {
          for (let i = 0; i < 10; i++) await w.writeToStreamMulti(name, 'wrun_c', [`${wi}:${i}:a`, `${wi}:${i}:b`]);
        })(),
      ),
    );
    await writers[0]!.closeStream(name, 'wrun_c');
    const got = (await readAll(await streamerOf(storeOf()).readFromStream(name))).map(text);
    expect(got).toHaveLength(80);
    // Each writer's chunks keep their order and each multi-write stays contiguous.
    for (let wi = 0; wi < 4; wi++) {
      const mine = got.filter((c) => c.startsWith(`${wi}:`));
      expect(mine).toEqual(Array.from({ length: 10 }, (_, i) => [`${wi}:${i}:a`, `${wi}:${i}:b`]).flat());
      const firstA = got.indexOf(`${wi}:0:a`);
      expect(got[firstA + 1]).toBe(`${wi}:0:b`);
    }
    expect(await writers[1]!.getStreamInfo(name, 'wrun_c')).toEqual({ tailIndex: 79, done: true });
  });

  it('waits for a reserved index, then skips it as a gap once its writer is presumed dead', async () => {
    const streamer = streamerOf(storeOf(1500));
    const name = uniqueName();
    await streamer.writeToStream(name, 'wrun_g', 'before');
    // A writer that reserves index 1 and dies before writing it.
    await local.newClient().send(
      new UpdateItemCommand({
        TableName: local.tableName,
        Key: { pk: { S: name }, sk: { N: String(Number.MAX_SAFE_INTEGER) } },
        UpdateExpression: 'SET #at = :now ADD #next :one',
        ExpressionAttributeNames: { '#at': 'reservedAt', '#next': 'next' },
        ExpressionAttributeValues: { ':now': { N: String(Date.now()) }, ':one': { N: '1' } },
      }),
    );
    await streamer.writeToStream(name, 'wrun_g', 'after');
    await streamer.closeStream(name, 'wrun_g');
    expect(await streamer.getStreamInfo(name, 'wrun_g')).toEqual({ tailIndex: 2, done: true });

    const reader = (await streamer.readFromStream(name)).getReader();
    expect(text((await nextChunk(reader, 5000)) as Uint8Array)).toBe('before');
    const next = reader.read();
    expect(await staysPending(next, 300)).toBe(true); // index 1 is reserved: wait, do not skip
    expect(text((await next).value!)).toBe('after'); // skipped once older than the timeout
    expect(await nextChunk(reader, 5000)).toBe('done');
    const page = await streamer.getStreamChunks(name, 'wrun_g');
    expect(page.data.map((c) => c.data.byteLength)).toEqual([6, 0, 5]);
  });

  it('offloads chunks too large for an item to S3, marks them committed, and reads them back', async () => {
    const streamer = streamerOf(storeOf(), 350 * 1024, local.blobs);
    const name = uniqueName();
    const runId = `wrun_${uniqueName('big')}`;
    const big = new Uint8Array(500 * 1024).map((_, i) => i % 256);
    const inline = new Uint8Array(300 * 1024).fill(7);
    await streamer.writeToStreamMulti(name, runId, [inline, big]);
    await streamer.closeStream(name, runId);
    const listed = await local.s3.send(new ListObjectsV2Command({ Bucket: local.bucket, Prefix: `payloads/${encodeURIComponent(runId)}/` }));
    expect(listed.Contents?.map((o) => o.Key)).toHaveLength(1);
    const tags = await local.s3.send(new GetObjectTaggingCommand({ Bucket: local.bucket, Key: listed.Contents![0]!.Key! }));
    expect(tags.TagSet ?? []).toEqual([]);
    const chunks = await readAll(await streamer.readFromStream(name));
    expect(chunks.map((c) => c.byteLength)).toEqual([inline.byteLength, big.byteLength]);
    expect(chunks[1]).toEqual(big);
  });
});
