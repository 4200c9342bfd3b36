// The World object from the application services: storage, streamer and
// queue, whatever adapters they run on (compose.ts binds them).
import type { Storage, World } from '@workflow/world';
import { attachQueueServices, gateCommits, type QueueServices } from '../application/queue/index.js';
import type { WorldStreamer } from '../application/streamer/index.js';
import type { WorldConfig } from '../config/world-config.js';
import { WORLD_SPEC_VERSION } from '../domain/spec-version.js';
import type { EventStore } from '../ports/event-store.js';
import type { RunKeySource } from '../ports/run-key-source.js';
import { deliveryTargetCheck } from './delivery-target-check.js';
import type { ResourceCheck } from './resource-check.js';
import type { WorkflowLineCheck } from './workflow-line-check.js';

export interface AwsWorld extends World {
  specVersion: number;
  streamFlushIntervalMs: number;
  start(): Promise<void>;
  close(): Promise<void>;
}

export interface WorldParts {
  config: WorldConfig;
  storage: Storage;
  streamer: WorldStreamer;
  queue: QueueServices;
  runKeys: RunKeySource;
  store: EventStore;
  /** The configured tables, queues and bucket answer: checked on start() and on the first queue(). */
  resources: ResourceCheck;
  /** The installation serves this facade's Workflow line: checked with the resources. */
  line: WorkflowLineCheck;
}

export function assembleWorld({ config, storage, streamer, queue, runKeys, store, resources, line }: WorldParts): AwsWorld {
  const deliveryTarget = deliveryTargetCheck(config);
  const world: AwsWorld = {
    ...storage,
    // Steps run in process: who created them, and their first commit waits for their claim (inline-steps.ts).
    events: { ...storage.events, create: gateCommits(storage.events.create.bind(storage.events)) as Storage['events']['create'] },
    streamFlushIntervalMs: streamer.streamFlushIntervalMs,
    writeToStream: streamer.writeToStream,
    writeToStreamMulti: streamer.writeToStreamMulti,
    closeStream: streamer.closeStream,
    readFromStream: streamer.readFromStream,
    listStreamsByRunId: streamer.listStreamsByRunId,
    getStreamChunks: streamer.getStreamChunks,
    getStreamInfo: streamer.getStreamInfo,
    queue: deliveryTarget.guard(resources.guard(line.guard(queue.queue))),
    createQueueHandler: queue.createQueueHandler,
    getDeploymentId: queue.getDeploymentId,
    specVersion: WORLD_SPEC_VERSION,
    // Every overload resolves to the run id, so all processes agree on the key.
    getEncryptionKeyForRun: (runOrId: string | { runId: string }) => runKeys.keyForRun(typeof runOrId === 'string' ? runOrId : runOrId.runId),
    start: async () => {
      deliveryTarget.assert();
      await resources.assert();
      await line.assert();
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
