// In-memory adapters. One set per installation name and process, shared by
// every world instance: the runtime builds several worlds per process (handler
// and storage instances), and they must see one state, as they would on AWS.
import type { Container } from 'inversify';
import type { WorldConfig } from '../config/world-config.js';
import { MemoryBlobStore } from '../adapters/memory/memory-blob-store.js';
import { MemoryEventStore } from '../adapters/memory/memory-event-store.js';
import { MemoryIdempotencyStore } from '../adapters/memory/memory-idempotency-store.js';
import { MemoryMessageQueue } from '../adapters/memory/memory-message-queue.js';
import { MemoryStreamStore } from '../adapters/memory/memory-stream-store.js';
import { SnapshotCache } from '../application/storage/snapshot-cache.js';
import type { Clock } from '../ports/clock.js';
import { TOKENS } from './tokens.js';

interface MemoryInstallation {
  events: MemoryEventStore;
  blobs: MemoryBlobStore;
  queue: MemoryMessageQueue;
  streams: MemoryStreamStore;
  idempotency: MemoryIdempotencyStore;
  snapshots: SnapshotCache;
}

const REGISTRY = Symbol.for('world-aws.memory-installations');
type Registry = Map<string, MemoryInstallation>;

function installations(): Registry {
  const global = globalThis as { [REGISTRY]?: Registry };
  return (global[REGISTRY] ??= new Map());
}

/** The process's in-memory installation called `name`, created on first use. */
export function memoryInstallation(config: WorldConfig, clock: Clock): MemoryInstallation {
  const registry = installations();
  let found = registry.get(config.name);
  if (!found) {
    found = {
      events: new MemoryEventStore(),
      blobs: new MemoryBlobStore(),
      queue: new MemoryMessageQueue(clock, {
        maxDelaySeconds: config.maxDelaySeconds,
        maxMessageBytes: config.maxMessageBytes,
        maxReceiveCount: config.maxReceiveCount,
      }),
      streams: new MemoryStreamStore(),
      idempotency: new MemoryIdempotencyStore(clock),
      snapshots: new SnapshotCache(() => clock.now()),
    };
    registry.set(config.name, found);
  }
  return found;
}

/** Forgets every in-memory installation of this process (tests). */
export function resetMemoryInstallations(): void {
  installations().clear();
}

export function bindMemoryAdapters(container: Container, config: WorldConfig): void {
  const installation = () => memoryInstallation(config, container.get<Clock>(TOKENS.Clock));
  container.bind(TOKENS.EventStore).toDynamicValue(() => installation().events);
  container.bind(TOKENS.BlobStore).toDynamicValue(() => installation().blobs);
  container.bind(TOKENS.MessageQueue).toDynamicValue(() => installation().queue);
  container.bind(TOKENS.StreamStore).toDynamicValue(() => installation().streams);
  container.bind(TOKENS.IdempotencyStore).toDynamicValue(() => installation().idempotency);
  container.bind(TOKENS.SnapshotCache).toDynamicValue(() => installation().snapshots);
}
