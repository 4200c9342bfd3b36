// The World's Storage (runs, steps, events, hooks) on top of the ports.
import type { Storage } from '@workflow/world';
import type { EventSemantics } from '../../domain/model.js';
import type { BlobStore } from '../../ports/blob-store.js';
import type { Clock } from '../../ports/clock.js';
import type { EventStore } from '../../ports/event-store.js';
import type { IdSource } from '../../ports/id-source.js';
import type { Logger } from '../../ports/logger.js';
import { PayloadClaimCheck } from './claim-check.js';
import { EventService } from './event-service.js';
import { ReadService } from './read-service.js';
import type { SnapshotCache } from './snapshot-cache.js';

export interface StorageDeps {
  store: EventStore;
  blobs: BlobStore;
  clock: Clock;
  ids: IdSource;
  logger: Logger;
  maxInlinePayloadBytes: number;
  blobKeyPrefix: string;
  preconditionGuard: boolean;
  /** Skips reads for runs this process has been writing; see snapshot-cache.ts. */
  snapshotCache?: SnapshotCache;
  /** The World line's event semantics; absent: the 4.x line's. */
  semantics?: Partial<EventSemantics>;
}

export function createStorage(deps: StorageDeps): Storage {
  const claimCheck = new PayloadClaimCheck({ blobs: deps.blobs, keyPrefix: deps.blobKeyPrefix, maxInlineBytes: deps.maxInlinePayloadBytes });
  const events = new EventService({ ...deps, claimCheck, cache: deps.snapshotCache });
  const reads = new ReadService(deps.store, claimCheck, deps.snapshotCache);
  // Arrow functions: the runtime may call these unbound.
  return {
    runs: {
      get: (id, params) => reads.getRun(id, params),
      list: (params) => reads.listRuns(params),
    },
    steps: {
      get: (runId, stepId, params) => reads.getStep(runId, stepId, params),
      list: (params) => reads.listSteps(params),
    },
    events: {
      create: (runId, data, params) => events.create(runId, data, params),
      get: (runId, eventId, params) => reads.getEvent(runId, eventId, params),
      list: (params) => reads.listEvents(params),
      listByCorrelationId: (params) => reads.listEventsByCorrelationId(params),
    },
    hooks: {
      get: (hookId, params) => reads.getHook(hookId, params),
      getByToken: (token, params) => reads.getHookByToken(token, params),
      list: (params) => reads.listHooks(params),
    },
  } as Storage;
}
