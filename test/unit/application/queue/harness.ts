// Test harness for the queue application: memory adapters on a manual clock,
// a recording logger, deterministic ids and a private handler registry.
import type { Storage } from '@workflow/world';
import { ManualClock } from '../../../../src/adapters/memory/manual-clock.js';
import { MemoryBlobStore } from '../../../../src/adapters/memory/memory-blob-store.js';
import { MemoryIdempotencyStore } from '../../../../src/adapters/memory/memory-idempotency-store.js';
import { MemoryMessageQueue } from '../../../../src/adapters/memory/memory-message-queue.js';
import { createHandlerRegistry, type HandlerRegistry } from '../../../../src/application/queue/handler-registry.js';
import { createQueueServices, type QueueConfig, type QueueServices } from '../../../../src/application/queue/queue-services.js';
import type { IdSource } from '../../../../src/ports/id-source.js';
import type { LogFields, Logger } from '../../../../src/ports/logger.js';
import type { MessageQueue, QueueChannel, ReceivedMessage } from '../../../../src/ports/message-queue.js';

export const START = Date.UTC(2030, 0, 1);

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields?: LogFields;
}

export class RecordingLogger implements Logger {
  readonly entries: LogEntry[] = [];
  debug(message: string, fields?: LogFields) {
    this.entries.push({ level: 'debug', message, fields });
  }
  info(message: string, fields?: LogFields) {
    this.entries.push({ level: 'info', message, fields });
  }
  warn(message: string, fields?: LogFields) {
    this.entries.push({ level: 'warn', message, fields });
  }
  error(message: string, fields?: LogFields) {
    this.entries.push({ level: 'error', message, fields });
  }
  at(level: LogEntry['level']): LogEntry[] {
    return this.entries.filter((e) => e.level === level);
  }
  /** Every logged string, to check nothing sensitive was logged. */
  text(): string {
    return JSON.stringify(this.entries);
  }
}

/** Counter-based random bytes: ids are unique and reproducible. */
export class CountingIdSource implements IdSource {
  private n = 0;
  randomBytes(size: number): Uint8Array {
    const bytes = new Uint8Array(size);
    let v = ++this.n;
    for (let i = size - 1; i >= 0 && v > 0; i--, v = Math.floor(v / 256)) bytes[i] = v % 256;
    return bytes;
  }
}

export const baseConfig: QueueConfig = {
  deploymentId: 'aws:test',
  consumer: 'process',
  delivery: 'in-process',
  concurrency: 4,
  maxDelaySeconds: 900,
  maxReceiveCount: 5,
  retryBaseSeconds: 1,
  retryMaxSeconds: 60,
  visibilitySeconds: 30,
  maxHandlerSeconds: 900,
  maxMessageBytes: 256 * 1024,
  idempotencyWindowSeconds: 3600,
};

export interface Harness {
  clock: ManualClock;
  queue: MemoryMessageQueue;
  blobs: MemoryBlobStore;
  idempotency: MemoryIdempotencyStore;
  ids: CountingIdSource;
  logger: RecordingLogger;
  registry: HandlerRegistry;
}

/** The physical queues the harness's memory queue stands in for (Lambda records name them in their ARN). */
export const HARNESS_QUEUE_NAMES: Record<QueueChannel, string> = { workflow: 'wf-workflow', step: 'wf-step' };

export function createHarness(options: { maxReceiveCount?: number; maxMessageBytes?: number } = {}): Harness {
  const clock = new ManualClock(START);
  return {
    clock,
    queue: new MemoryMessageQueue(clock, {
      maxReceiveCount: options.maxReceiveCount ?? 5,
      maxMessageBytes: options.maxMessageBytes,
      queueNames: HARNESS_QUEUE_NAMES,
    }),
    blobs: new MemoryBlobStore(),
    idempotency: new MemoryIdempotencyStore(clock),
    ids: new CountingIdSource(),
    logger: new RecordingLogger(),
    registry: createHandlerRegistry(),
  };
}

/** Receives whatever is visible now on `channel`, without waiting. */
export function receiveNow(h: Harness, channel: QueueChannel, visibilitySeconds = 30): Promise<ReceivedMessage[]> {
  return h.queue.receive(channel, { maxMessages: 10, waitSeconds: 0, visibilitySeconds });
}

/** A runs API with a fixed set of active runs, paged two at a time. */
export function fakeRuns(active: Array<{ runId: string; workflowName: string; status: 'pending' | 'running' }>): Storage['runs'] {
  const list = async (params?: { status?: string; pagination?: { cursor?: string } }) => {
    const matching = active.filter((r) => r.status === params?.status);
    const start = Number(params?.pagination?.cursor ?? 0);
    const data = matching.slice(start, start + 2);
    const hasMore = start + 2 < matching.length;
    return { data, cursor: hasMore ? String(start + 2) : null, hasMore };
  };
  return { list, get: async () => Promise.reject(new Error('not used')) } as unknown as Storage['runs'];
}

/** Records send/ack/setVisibility into `ops` in order, to check what happens before the ack. */
export function recording(queue: MessageQueue, ops: string[]): MessageQueue {
  return {
    maxDelaySeconds: queue.maxDelaySeconds,
    maxMessageBytes: queue.maxMessageBytes,
    send: async (channel, message) => {
      ops.push(`send:${channel}:${message.delaySeconds}`);
      return queue.send(channel, message);
    },
    receive: (channel, options) => queue.receive(channel, options),
    ack: async (channel, receipt) => {
      ops.push(`ack:${channel}`);
      return queue.ack(channel, receipt);
    },
    setVisibility: async (channel, receipt, seconds) => {
      ops.push(`visibility:${channel}:${seconds}`);
      return queue.setVisibility(channel, receipt, seconds);
    },
  };
}

/** Queue services on the harness with a recorded message queue and a polling consumer (1 s polls, no close grace). */
export function recordedQueueServices(h: Harness, ops: string[], config: Partial<QueueConfig> = {}, runs: Storage['runs'] = fakeRuns([])): QueueServices {
  return createQueueServices({
    config: { ...baseConfig, ...config },
    messageQueue: recording(h.queue, ops),
    blobStore: h.blobs,
    idempotencyStore: h.idempotency,
    clock: h.clock,
    ids: h.ids,
    logger: h.logger,
    runs,
    options: { registry: h.registry, pollWaitSeconds: 1, closeGraceMs: 0, random: () => 0 },
  });
}

/** Lets the event loop turn until `condition` holds; throws if it does not within `turns` turns. */
export async function until(condition: () => boolean, turns = 400): Promise<void> {
  for (let i = 0; i < turns && !condition(); i++) await new Promise((resolve) => setImmediate(resolve));
  if (!condition()) throw new Error('condition not reached');
}
