// In-memory adapters. One set per installation and process, shared by
// every world instance: the runtime builds several worlds per process (handler
// and storage instances), and they must see one state, as they would on AWS.
// The set is built by the first world of its name, on that world's Clock.
import { MemoryBlobStore } from '../adapters/memory/memory-blob-store.js';
import { MemoryEventStore } from '../adapters/memory/memory-event-store.js';
import { MemoryIdempotencyStore } from '../adapters/memory/memory-idempotency-store.js';
import { MemoryMessageQueue } from '../adapters/memory/memory-message-queue.js';
import { MemoryResourceProbe } from '../adapters/memory/memory-resource-probe.js';
import { MemoryStreamStore } from '../adapters/memory/memory-stream-store.js';
import { MemoryWorkflowLineMarker } from '../adapters/memory/memory-workflow-line-marker.js';
import { SnapshotCache } from '../application/storage/snapshot-cache.js';
import { installationKey } from '../config/installation.js';
import type { WorldConfig } from '../config/world-config.js';
import type { Clock } from '../ports/clock.js';
import { processScope, token, type ProcessScope } from '../process-scope.js';
import type { PortFactories } from './ports.js';
import { systemPorts } from './system-ports.js';

export interface MemoryInstallation {
  events: MemoryEventStore;
  blobs: MemoryBlobStore;
  queue: MemoryMessageQueue;
  streams: MemoryStreamStore;
  idempotency: MemoryIdempotencyStore;
  snapshots: SnapshotCache;
  lineMarker: MemoryWorkflowLineMarker;
}

const INSTALLATIONS = token<MemoryInstallation>('memory-installations');

/** The process's in-memory installation of `config` (config/installation.ts), created on first use. */
export function memoryInstallation(config: WorldConfig, clock: Clock, scope: ProcessScope = processScope()): MemoryInstallation {
  return scope.ofInstallation(INSTALLATIONS, installationKey(config), () => ({
    events: new MemoryEventStore(),
    blobs: new MemoryBlobStore(),
    queue: new MemoryMessageQueue(clock, {
      maxDelaySeconds: config.maxDelaySeconds,
      maxMessageBytes: config.maxMessageBytes,
      maxReceiveCount: config.maxReceiveCount,
      queueNames: { workflow: config.resources.workflowQueue, step: config.resources.stepQueue },
    }),
    streams: new MemoryStreamStore(),
    idempotency: new MemoryIdempotencyStore(clock),
    snapshots: new SnapshotCache(() => clock.now()),
    lineMarker: new MemoryWorkflowLineMarker(),
  }));
}

/** Forgets every in-memory installation of this process (tests). */
export function resetMemoryInstallations(scope: ProcessScope = processScope()): void {
  scope.forget(INSTALLATIONS);
}

export function memoryPorts(config: WorldConfig, scope: ProcessScope): PortFactories {
  const installation = (get: Parameters<PortFactories['events']>[0]) => memoryInstallation(config, get('clock'), scope);
  return {
    ...systemPorts(config),
    events: (get) => installation(get).events,
    blobs: (get) => installation(get).blobs,
    queue: (get) => installation(get).queue,
    streams: (get) => installation(get).streams,
    idempotency: (get) => installation(get).idempotency,
    snapshots: (get) => installation(get).snapshots,
    probe: () => new MemoryResourceProbe(),
    lineMarker: (get) => installation(get).lineMarker,
  };
}
