// The §7-23 streamer contract on the DynamoDB store against local DynamoDB,
// plus what only a shared table shows: concurrent writers (as store
// instances and as real processes), a close racing them, and the requests
// an append costs.
import { fork } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jest } from '@jest/globals';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectTaggingCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { build } from 'esbuild';
import { createStreamer } from '../../../src/application/streamer/index.js';
import { DynamoDbStreamStore, HEAD_SK } from '../../../src/adapters/aws/dynamodb-streams/index.js';
import type { BlobStore } from '../../../src/ports/blob-store.js';
import { streamerContract } from '../../unit/application/streamer/contract-suite.js';
import { MapBlobStore, readAll, realClock, text, uniqueName } from '../../unit/application/streamer/helpers.js';
import { startLocalStreams, type LocalStreamsStack } from './local-streams.js';
import type { WriterJob } from './writer-process.js';

jest.setTimeout(60_000);

const HERE = dirname(fileURLToPath(import.meta.url));
const utf8 = new TextEncoder();

let local: LocalStreamsStack;
beforeAll(async () => {
  local = await startLocalStreams();
});
afterAll(async () => {
  await local.stop();
});

const storeOf = () => new DynamoDbStreamStore({ client: local.newClient(), tableName: local.tableName, clock: realClock });

const streamerOf = (store: DynamoDbStreamStore, maxInlineBytes = 64 * 1024, blobs: BlobStore = new MapBlobStore()) =>
  createStreamer({ store, blobs, clock: realClock, maxInlineBytes, poll: { minMs: 10, maxMs: 100, graceMs: 200 } });

/** Every item of a stream, straight from the table. */
async function itemsOf(name: string) {
  const out = await local.newClient().send(
    new QueryCommand({ TableName: local.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: name } }, ConsistentRead: true }),
  );
  return out.Items ?? [];
}

/** Chunks of `got` in the order they appear, checked against what each writer appended. */
function expectOrderedAndContiguous(got: string[], appendsByWriter: string[][][]) {
  for (const [w, appends] of appendsByWriter.entries()) {
    expect(got.filter((c) => c.startsWith(`${w}:`))).toEqual(appends.flat());
    for (const chunks of appends) {
      const at = got.indexOf(chunks[0]!);
      expect(got.slice(at, at + chunks.length)).toEqual(chunks);
    }
  }
}

streamerContract('DynamoDbStreamStore (local DynamoDB)', () => ({
  liveWaitMs: 5000,
  // Every streamer gets its own store instance, as separate processes would.
  streamer: (options = {}) => streamerOf(storeOf(), options.maxInlineBytes, options.blobs),
}));

describe('DynamoDbStreamStore on local DynamoDB', () => {
  it('gives concurrent writers with their own stores distinct, dense indexes', async () => {
    const name = uniqueName();
    const writers = Array.from({ length: 4 }, () => streamerOf(storeOf()));
    const appends = writers.map((_, wi) => Array.from({ length: 10 }, (_, i) => [`${wi}:${i}:a`, `${wi}:${i}:b`]));
    await Promise.all(
      writers.map(async (w, wi) => {
        for (const chunks of appends[wi]!) await w.writeToStreamMulti(name, 'wrun_c', chunks);
      }),
    );
    await writers[0]!.closeStream(name, 'wrun_c');
    const got = (await readAll(await streamerOf(storeOf()).readFromStream(name))).map(text);
    expect(got).toHaveLength(80);
    expectOrderedAndContiguous(got, appends);
    expect(await writers[1]!.getStreamInfo(name, 'wrun_c')).toEqual({ tailIndex: 79, done: true });
  });

  it('lets every writer through when several append back to back (no writer starves)', async () => {
    const name = uniqueName();
    const writers = Array.from({ length: 4 }, () => storeOf());
    const appends = writers.map((_, w) => Array.from({ length: 50 }, (_, i) => [`${w}:${i}`]));
    await Promise.all(
      writers.map(async (store, w) => {
        for (const chunks of appends[w]!) await store.append(name, 'wrun_b2b', chunks.map((c) => utf8.encode(c)));
      }),
    );
    const page = await storeOf().read(name, 0, 1000);
    expect(page.chunks.map((c) => c.index)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expectOrderedAndContiguous(page.chunks.map((c) => text(c.data)), appends);
  });

  it('gives writers in separate processes distinct, dense indexes', async () => {
    const worker = join(process.cwd(), 'node_modules', '.cache', 'stream-tests', `writer-${process.pid}.mjs`);
    mkdirSync(dirname(worker), { recursive: true });
    await build({ entryPoints: [join(HERE, 'writer-process.ts')], outfile: worker, bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'silent' });
    const name = uniqueName();
    const children = Array.from({ length: 3 }, (_, writer) => {
      const job: WriterJob = { client: local.clientConfig, table: local.tableName, stream: name, writer, appends: 30 };
      return fork(worker, [], { env: { ...process.env, STREAM_WRITER_JOB: JSON.stringify(job) }, execArgv: [], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    });
    const next = (child: (typeof children)[number], type: string) =>
      new Promise<{ appended: string[][]; failures: string[] }>((resolve, reject) => {
        const onMessage = (m: { type: string; appended: string[][]; failures: string[] }) => m.type === type && (child.off('message', onMessage), resolve(m));
        child.on('message', onMessage);
        child.once('exit', (code) => reject(new Error(`writer process exited (${code}) before '${type}'`)));
      });
    try {
      await Promise.all(children.map((child) => next(child, 'ready')));
      const done = children.map((child) => next(child, 'done'));
      for (const child of children) child.send('go');
      const reports = await Promise.all(done);
      expect(reports.flatMap((r) => r.failures)).toEqual([]);

      const store = storeOf();
      await store.close(name, 'wrun_procs');
      const page = await store.read(name, 0, 1000);
      expect(page.done).toBe(true);
      expect(page.chunks.map((c) => c.index)).toEqual(Array.from({ length: 120 }, (_, i) => i)); // 3 × (20 × 1 + 10 × 2)
      expectOrderedAndContiguous(page.chunks.map((c) => text(c.data)), reports.map((r) => r.appended));
      expect(await store.info(name)).toEqual({ dataCount: 120, done: true });
    } finally {
      for (const child of children) if (child.exitCode === null) child.kill();
      rmSync(worker, { force: true });
    }
  });

  it('a close racing writers wins its index: every earlier append is kept, nothing after it is stored', async () => {
    const name = uniqueName();
    const writers = Array.from({ length: 3 }, () => storeOf());
    const acknowledged: string[] = []; // appends that returned before the close was called
    let closing = false;
    let midway!: () => void;
    const reachedMidway = new Promise<void>((resolve) => (midway = resolve));
    const writing = writers.map(async (store, w) => {
      for (let i = 0; i < 40; i++) {
        const chunk = `${w}:${i}`;
        await store.append(name, 'wrun_eof', [utf8.encode(chunk)]);
        if (!closing) acknowledged.push(chunk);
        if (acknowledged.length >= 30) midway();
      }
    });
    await reachedMidway;
    closing = true;
    await storeOf().close(name, 'wrun_eof');
    await Promise.all(writing);
    await writers[0]!.close(name, 'wrun_eof'); // a second close changes nothing

    const reader = storeOf();
    const page = await reader.read(name, 0, 1000);
    const got = page.chunks.map((c) => text(c.data));
    expect(page.done).toBe(true);
    expect(page.dataCount).toBe(got.length);
    expect(got.length).toBeLessThan(120); // the close landed mid-stream
    expect(got).toEqual(expect.arrayContaining(acknowledged));
    expect(await reader.info(name)).toEqual({ dataCount: got.length, done: true });
    // From the EOF on there are the two end items, then the head, and nothing else.
    const after = (await itemsOf(name)).filter((item) => Number(item.sk!.N) >= got.length);
    expect(after.map((item) => Number(item.sk!.N))).toEqual([got.length, got.length + 1, HEAD_SK]);
  });

  it('appends with one request once the stream end is known', async () => {
    const name = uniqueName();
    const client = local.newClient();
    const sent: string[] = [];
    client.middlewareStack.add((next, context) => (args) => (sent.push(String(context.commandName)), next(args)), { step: 'initialize' });
    const store = new DynamoDbStreamStore({ client, tableName: local.tableName, clock: realClock });
    await store.append(name, 'wrun_rt', [utf8.encode('first')]);
    expect(sent).toEqual(['QueryCommand', 'PutItemCommand']); // a stream this process has not written: find its end first
    sent.length = 0;
    for (let i = 0; i < 5; i++) await store.append(name, 'wrun_rt', [utf8.encode(`c${i}`)]);
    await store.append(name, 'wrun_rt', [utf8.encode('x'), utf8.encode('y')]);
    await store.close(name, 'wrun_rt');
    await store.append(name, 'wrun_rt', [utf8.encode('ignored')]);
    expect(sent).toEqual([...Array(5).fill('PutItemCommand'), 'TransactWriteItemsCommand', 'TransactWriteItemsCommand']);
    expect(await store.info(name)).toEqual({ dataCount: 8, done: true });
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

  it('lists a stream under its run while open and after close', async () => {
    const store = storeOf();
    const runId = `wrun_${uniqueName('list')}`;
    const [open, closed, empty] = [uniqueName('open'), uniqueName('closed'), uniqueName('empty')];
    await store.append(open, runId, [utf8.encode('a')]);
    await store.append(closed, runId, [utf8.encode('a'), utf8.encode('b')]);
    await store.close(closed, runId);
    await store.close(empty, runId);
    expect((await store.listByRun(runId)).sort()).toEqual([open, closed, empty].sort());
  });
});
