// Builds the World from a container: storage, streamer and queue on top of
// whichever adapters the container bound.
import type { Container } from 'inversify';
import type { World } from '@workflow/world';
import { createQueueServices, attachQueueServices } from '../application/queue/index.js';
import { createStorage } from '../application/storage/index.js';
import type { SnapshotCache } from '../application/storage/snapshot-cache.js';
import { createStreamer } from '../application/streamer/index.js';
import type { WorldConfig } from '../config/world-config.js';
import { BUCKET } from '../adapters/aws/resources.js';
import { TOKENS } from '../container/tokens.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { Clock } from '../ports/clock.js';
import type { EventStore } from '../ports/event-store.js';
import type { IdSource } from '../ports/id-source.js';
import type { IdempotencyStore } from '../ports/idempotency-store.js';
import type { Logger } from '../ports/logger.js';
import type { MessageQueue } from '../ports/message-queue.js';
import type { RunKeySource } from '../ports/run-key-source.js';
import type { StreamStore } from '../ports/stream-store.js';
import { deliveryTargetCheck } from './delivery-target-check.js';

/** The spec version this world implements: CBOR-capable transport and runInput in the first message. */
export const WORLD_SPEC_VERSION = 3;

export interface AwsWorld extends World {
  specVersion: number;
  streamFlushIntervalMs: number;
  start(): Promise<void>;
  close(): Promise<void>;
}

export function assembleWorld(container: Container): AwsWorld {
  const config = container.get<WorldConfig>(TOKENS.Config);
  const clock = container.get<Clock>(TOKENS.Clock);
  const ids = container.get<IdSource>(TOKENS.IdSource);
  const logger = container.get<Logger>(TOKENS.Logger);
  const blobs = container.get<BlobStore>(TOKENS.BlobStore);

  const store = container.get<EventStore>(TOKENS.EventStore);
  const storage = createStorage({
    store,
    blobs,
    clock,
    ids,
    logger,
    maxInlinePayloadBytes: config.maxInlinePayloadBytes,
    blobKeyPrefix: BUCKET.payloadPrefix,
    preconditionGuard: config.preconditionGuard,
    snapshotCache: container.get<SnapshotCache>(TOKENS.SnapshotCache),
  });
  const streamer = createStreamer({
    store: container.get<StreamStore>(TOKENS.StreamStore),
    blobs,
    clock,
    logger,
    maxInlineBytes: config.maxInlinePayloadBytes,
  });
  const queue = createQueueServices({
    config,
    messageQueue: container.get<MessageQueue>(TOKENS.MessageQueue),
    blobStore: blobs,
    idempotencyStore: container.get<IdempotencyStore>(TOKENS.IdempotencyStore),
    clock,
    ids,
    logger,
    runs: storage.runs,
    flushDeferredWrites: async () => store.flush?.(),
  });

  const runKeys = container.get<RunKeySource>(TOKENS.RunKeySource);
  const deliveryTarget = deliveryTargetCheck(config);

  const world: AwsWorld = {
    ...storage,
    streamFlushIntervalMs: streamer.streamFlushIntervalMs,
    writeToStream: streamer.writeToStream,
    writeToStreamMulti: streamer.writeToStreamMulti,
    closeStream: streamer.closeStream,
    readFromStream: streamer.readFromStream,
    listStreamsByRunId: streamer.listStreamsByRunId,
    getStreamChunks: streamer.getStreamChunks,
    getStreamInfo: streamer.getStreamInfo,
    queue: deliveryTarget.guard(queue.queue),
    createQueueHandler: queue.createQueueHandler,
    getDeploymentId: queue.getDeploymentId,
    specVersion: WORLD_SPEC_VERSION,
    // Every overload resolves to the run id, so all processes agree on the key.
    getEncryptionKeyForRun: (runOrId: string | { runId: string }) => runKeys.keyForRun(typeof runOrId === 'string' ? runOrId : runOrId.runId),
    start: async () => {
      deliveryTarget.assert();
      await queue.consumer.start();
    },
    close: async () => {
      await queue.consumer.close();
      await streamer.close();
      await store.flush?.();
    },
  };
  return attachQueueServices(world, queue);
}
