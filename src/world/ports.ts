// What a world is built on: every port, plus the per-installation snapshot
// cache (shared by the installation's world instances in a process). Each has a
// typed service identifier; adapters are chosen in aws-ports.ts or
// memory-ports.ts, and any of them can be replaced through createWorld's
// `overrides` (compose.ts).
import type { SnapshotCache } from '../application/storage/snapshot-cache.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { Clock } from '../ports/clock.js';
import type { EventStore } from '../ports/event-store.js';
import type { IdSource } from '../ports/id-source.js';
import type { IdempotencyStore } from '../ports/idempotency-store.js';
import type { Logger } from '../ports/logger.js';
import type { MessageQueue } from '../ports/message-queue.js';
import type { ResourceProbe } from '../ports/resource-probe.js';
import type { RunKeySource } from '../ports/run-key-source.js';
import type { StreamStore } from '../ports/stream-store.js';
import type { WorkflowLineMarker } from '../ports/workflow-line-marker.js';
import { token, type Token } from '../process-scope.js';

export interface Ports {
  clock: Clock;
  ids: IdSource;
  logger: Logger;
  runKeys: RunKeySource;
  events: EventStore;
  blobs: BlobStore;
  queue: MessageQueue;
  streams: StreamStore;
  idempotency: IdempotencyStore;
  snapshots: SnapshotCache;
  probe: ResourceProbe;
  lineMarker: WorkflowLineMarker;
}

export type PortName = keyof Ports;

/** Reads another port of the same installation (a factory's only way to depend on one). */
export type PortResolver = <K extends PortName>(name: K) => Ports[K];

/** How an adapter set builds each port; called once per installation container, on first use. */
export type PortFactories = { [K in PortName]: (get: PortResolver) => Ports[K] };

/** A replacement port, or a function of the port it replaces (to wrap it). Ports are objects, never functions. */
export type PortOverride<K extends PortName> = Ports[K] | ((current: Ports[K]) => Ports[K]);
export type PortOverrides = { [K in PortName]?: PortOverride<K> };

export const PORT: { [K in PortName]: Token<Ports[K]> } = {
  clock: token('Clock'),
  ids: token('IdSource'),
  logger: token('Logger'),
  runKeys: token('RunKeySource'),
  events: token('EventStore'),
  blobs: token('BlobStore'),
  queue: token('MessageQueue'),
  streams: token('StreamStore'),
  idempotency: token('IdempotencyStore'),
  snapshots: token('SnapshotCache'),
  probe: token('ResourceProbe'),
  lineMarker: token('WorkflowLineMarker'),
};

export const PORT_NAMES = Object.keys(PORT) as PortName[];

/**
 * The ports' identifiers under their interface names, for `overrides` keyed by
 * identifier (`{ [TOKENS.Clock]: clock }`), the form earlier releases documented.
 */
export const TOKENS = {
  Clock: PORT.clock,
  IdSource: PORT.ids,
  Logger: PORT.logger,
  RunKeySource: PORT.runKeys,
  EventStore: PORT.events,
  BlobStore: PORT.blobs,
  MessageQueue: PORT.queue,
  StreamStore: PORT.streams,
  IdempotencyStore: PORT.idempotency,
  SnapshotCache: PORT.snapshots,
  ResourceProbe: PORT.probe,
  WorkflowLineMarker: PORT.lineMarker,
} as const;
