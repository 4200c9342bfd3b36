// Stream benchmark on the local stack: write-to-read latency (p50/p95) over
// the poll path (reader in a separate streamer and DynamoDB client, as in
// another process) and with the in-process notifier, the throughput of one
// writer that awaits every chunk (as core's writable does), plus the read
// cost of an idle live reader. Timings on a loopback dynalite say nothing about
// latency to real DynamoDB; they show what the tailing strategy adds.
//
// Run: npm run bench:streams   (env: BENCH_IDLE_SECONDS, default 60;
//   BENCH_LOCAL_AWS=child-process to run the local AWS in its own process)
import { createStreamer, DEFAULT_POLL, type WorldStreamer } from '../src/application/streamer/index.js';
import { DynamoDbStreamStore } from '../src/adapters/aws/dynamodb-streams/index.js';
import type { BlobStore } from '../src/ports/blob-store.js';
import type { Clock } from '../src/ports/clock.js';
import { serveLocalAwsIfChild, startLocalStack, type LocalStack } from './streams-local.js';

const clock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    }),
};

const blobs: BlobStore = (() => {
  const objects = new Map<string, Uint8Array>();
  return {
    put: async (key, bytes) => void objects.set(key, bytes.slice()),
    get: async (key) => objects.get(key) ?? new Uint8Array(0),
    delete: async (key) => void objects.delete(key),
  };
})();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

function streamerOn(stack: LocalStack) {
  const counting = stack.newClient();
  const store = new DynamoDbStreamStore({ client: counting.client, tableName: stack.tableName, clock });
  return { streamer: createStreamer({ store, blobs, clock, maxInlineBytes: 64 * 1024 }), counts: counting.counts };
}

interface LatencyResult {
  label: string;
  samples: number;
  p50: number;
  p95: number;
  max: number;
  readerQueries: number;
  seconds: number;
}

/** Writes `samples` chunks with random gaps in [gapMin, gapMax] ms; measures send→receive per chunk. */
async function measureLatency(
  label: string,
  writer: WorldStreamer,
  reader: WorldStreamer,
  readerCounts: Map<string, number>,
  samples: number,
  gapMin: number,
  gapMax: number,
): Promise<LatencyResult> {
  const name = `strm_bench_${label.replace(/\W+/g, '_')}_${Date.now()}`;
  const sentAt: number[] = [];
  const latencies: number[] = [];
  const queriesBefore = readerCounts.get('QueryCommand') ?? 0;
  const started = performance.now();
  const stream = await reader.readFromStream(name);
  const consumed = (async () => {
    const r = stream.getReader();
    const decoder = new TextDecoder();
    for (let res = await r.read(); !res.done; res = await r.read()) {
      const seq = Number(decoder.decode(res.value));
      latencies.push(performance.now() - sentAt[seq]!);
    }
  })();
  for (let seq = 0; seq < samples; seq++) {
    await sleep(gapMin + Math.random() * (gapMax - gapMin));
    sentAt[seq] = performance.now();
    await writer.writeToStream(name, 'wrun_bench', String(seq));
  }
  await writer.closeStream(name, 'wrun_bench');
  await consumed;
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    label,
    samples: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    max: sorted.at(-1)!,
    readerQueries: (readerCounts.get('QueryCommand') ?? 0) - queriesBefore,
    seconds: (performance.now() - started) / 1000,
  };
}

interface WriteResult {
  chunks: number;
  seconds: number;
  p50: number;
  p95: number;
  /** DynamoDB requests per chunk, by command. */
  perChunk: Record<string, number>;
}

/** One writer appends `chunks` chunks to one stream, awaiting each, as core's writable does. */
async function measureSequentialWrites(stack: LocalStack, chunks: number): Promise<WriteResult> {
  const { streamer, counts } = streamerOn(stack);
  const name = `strm_bench_sequential_${Date.now()}`;
  const payload = 'x'.repeat(100);
  const latencies: number[] = [];
  const started = performance.now();
  for (let i = 0; i < chunks; i++) {
    const sent = performance.now();
    await streamer.writeToStream(name, 'wrun_bench', payload);
    latencies.push(performance.now() - sent);
  }
  const seconds = (performance.now() - started) / 1000;
  const perChunk = Object.fromEntries([...counts].map(([command, count]) => [command, Number((count / chunks).toFixed(3))]));
  // Sanity check that every chunk landed at its own index.
  const info = await streamer.getStreamInfo(name, 'wrun_bench');
  if (info.tailIndex !== chunks - 1) throw new Error(`expected ${chunks} chunks, the stream reports ${info.tailIndex + 1}`);
  await streamer.close();
  const sorted = latencies.sort((a, b) => a - b);
  return { chunks, seconds, p50: percentile(sorted, 50), p95: percentile(sorted, 95), perChunk };
}

/** Requests an idle live reader sends: over the whole window, and per minute after the back-off settles. */
async function measureIdle(stack: LocalStack, seconds: number) {
  const { streamer, counts } = streamerOn(stack);
  const total = () => [...counts.values()].reduce((a, b) => a + b, 0);
  const reader = (await streamer.readFromStream(`strm_bench_idle_${Date.now()}`)).getReader();
  const pending = reader.read().catch(() => undefined);
  const settleSeconds = Math.min(10, seconds / 2);
  await sleep(settleSeconds * 1000);
  const atSettled = total();
  await sleep((seconds - settleSeconds) * 1000);
  const all = total();
  await reader.cancel();
  await pending;
  await streamer.close();
  return { seconds, requests: all, steadyPerMinute: ((all - atSettled) / (seconds - settleSeconds)) * 60, byCommand: Object.fromEntries(counts) };
}

async function main() {
  const idleSeconds = Number(process.env.BENCH_IDLE_SECONDS ?? 60);
  const stack = await startLocalStack();
  try {
    const idle = measureIdle(stack, idleSeconds); // runs alongside: one request a second at most

    const writer = streamerOn(stack);
    const remote = streamerOn(stack);
    const results: LatencyResult[] = [];
    results.push(await measureLatency('poll path, steady (a chunk every 20-60 ms)', writer.streamer, remote.streamer, remote.counts, 300, 20, 60));
    results.push(await measureLatency('poll path, sparse (a chunk every 1.2-1.8 s)', writer.streamer, remote.streamer, remote.counts, 30, 1200, 1800));
    results.push(await measureLatency('notifier, steady (same streamer)', writer.streamer, writer.streamer, writer.counts, 300, 20, 60));

    console.log(`poll: ${JSON.stringify(DEFAULT_POLL)} ms; local dynalite on loopback (${stack.mode})\n`);
    console.log('scenario'.padEnd(48), 'n'.padStart(4), 'p50 ms'.padStart(8), 'p95 ms'.padStart(8), 'max ms'.padStart(8), 'reader Query/min'.padStart(18));
    for (const r of results) {
      console.log(
        r.label.padEnd(48),
        String(r.samples).padStart(4),
        r.p50.toFixed(1).padStart(8),
        r.p95.toFixed(1).padStart(8),
        r.max.toFixed(1).padStart(8),
        ((r.readerQueries / r.seconds) * 60).toFixed(0).padStart(18),
      );
    }
    const sequential = await measureSequentialWrites(stack, 1000);
    console.log(
      `\nsequential writer: ${sequential.chunks} chunks in ${sequential.seconds.toFixed(2)} s ` +
        `(${(sequential.chunks / sequential.seconds).toFixed(0)} chunks/s; per chunk p50 ${sequential.p50.toFixed(1)} ms, ` +
        `p95 ${sequential.p95.toFixed(1)} ms; requests per chunk ${JSON.stringify(sequential.perChunk)})`,
    );
    const idleResult = await idle;
    console.log(
      `\nidle live reader: ${idleResult.requests} requests in its first ${idleResult.seconds} s ` +
        `(${JSON.stringify(idleResult.byCommand)}); steady ${idleResult.steadyPerMinute.toFixed(1)} reads/min ` +
        `= ${idleResult.steadyPerMinute.toFixed(1)} RCU/min (each idle poll is one strongly consistent Query that finds nothing new: 1 RCU, the minimum)`,
    );
    await writer.streamer.close();
    await remote.streamer.close();
  } finally {
    await stack.stop();
  }
}

if (!(await serveLocalAwsIfChild())) await main();
