// events.createBatch: validate the batch, split it into chunks one atomic
// commit can hold, and commit each chunk as one commit of consecutive slots
// (on DynamoDB one TransactWriteItems), reading fresh and deciding again when
// another writer got to the run first. Per-event outcomes as the single
// create would have had them.
import { WorkflowWorldError } from '@workflow/errors';
import { stripEventDataRefs, type Event } from '@workflow/world';
import { jitteredPauseMs } from '../../domain/backoff.js';
import type { DecisionContext, Snapshot } from '../../domain/model.js';
import { snapshotNeeds } from '../../domain/state-machine/index.js';
import type { AnyEventRequest } from '@workflow/world';
import type { PayloadClaimCheck } from '../../application/storage/claim-check.js';
import { serializeByRun } from '../../application/storage/run-serializer.js';
import { loadSnapshot } from '../../application/storage/snapshot-loader.js';
import type { SnapshotCache } from '../../application/storage/snapshot-cache.js';
import type { Clock } from '../../ports/clock.js';
import { CommitConflict, type EventStore } from '../../ports/event-store.js';
import { assertValidBatch, type BatchRequest } from './batch-rules.js';
import { chunkBatch, MAX_CHUNK_BYTES, MAX_CHUNK_EVENTS } from './batch-chunks.js';
import { foldChunk, type FoldedOutcome } from './batch-fold.js';

export interface BatchItemResult {
  status: number;
  event?: Event;
  run?: unknown;
  step?: unknown;
  wait?: unknown;
  error?: string;
  message?: string;
}

export interface BatchDeps {
  store: EventStore;
  claimCheck: PayloadClaimCheck;
  clock: Clock;
  cache?: SnapshotCache;
  context: () => DecisionContext;
  maxInlinePayloadBytes: number;
  maxAttempts?: number;
  random?: () => number;
}

const CONFLICT_BACKOFF = { baseMs: 4, capMs: 1000 };
const MAX_READ_ATTEMPTS = 10;

export class BatchCommitter {
  constructor(private readonly deps: BatchDeps) {}

  async createBatch(runId: string, items: ReadonlyArray<{ event: BatchRequest }>, resolveData: 'all' | 'none' = 'all'): Promise<BatchItemResult[]> {
    if (typeof runId !== 'string' || runId === '') throw new WorkflowWorldError('runId is required for a batch', { status: 400 });
    if (!Array.isArray(items)) throw new WorkflowWorldError('Invalid event batch: expected an array of events', { status: 400 });
    const requests = items.map((item) => item?.event);
    assertValidBatch(requests);
    const limits = { maxEvents: MAX_CHUNK_EVENTS, maxBytes: MAX_CHUNK_BYTES, maxInlinePayloadBytes: this.deps.maxInlinePayloadBytes };
    const results: BatchItemResult[] = [];
    for (const [start, end] of chunkBatch(requests, limits)) {
      const chunk = requests.slice(start, end);
      const outcomes = await serializeByRun(runId, () => this.commitChunk(runId, chunk));
      results.push(...(await Promise.all(outcomes.map((outcome) => this.toItem(outcome, resolveData)))));
    }
    return results;
  }

  private async commitChunk(runId: string, requests: BatchRequest[]): Promise<FoldedOutcome[]> {
    const { store, claimCheck, clock, cache } = this.deps;
    const maxAttempts = this.deps.maxAttempts ?? 200;
    for (let attempt = 1; ; attempt++) {
      const snapshots = await this.read(runId, requests);
      const folded = foldChunk(runId, requests, snapshots, this.deps.context());
      if (!folded.commit) return folded.outcomes;
      const prepared = await claimCheck.prepare(folded.commit);
      try {
        await store.commit(prepared.commit);
      } catch (error) {
        await claimCheck.abandoned(prepared.uploadedKeys);
        cache?.forget(runId);
        if (!(error instanceof CommitConflict)) throw error;
        if (attempt >= maxAttempts) throw new WorkflowWorldError(`Too much contention on run "${runId}"`, { status: 503 });
        await clock.sleep(jitteredPauseMs(attempt, CONFLICT_BACKOFF, this.deps.random ?? Math.random));
        continue;
      }
      // The cache was not consulted: it may hold an older version of the run.
      cache?.forget(runId);
      await claimCheck.committed(prepared.uploadedKeys);
      return folded.outcomes;
    }
  }

  /** Fresh reads for every event's needs; the run is read once per event but shared by the store's in-flight tail. */
  private async read(runId: string, requests: BatchRequest[]): Promise<Snapshot[]> {
    for (let attempt = 1; attempt <= MAX_READ_ATTEMPTS; attempt++) {
      const loaded = await Promise.all(requests.map((request) => loadSnapshot(this.deps.store, snapshotNeeds(runId, request as AnyEventRequest))));
      // Reads that straddle another writer's commit cannot be folded: read again.
      if (new Set(loaded.map(({ snapshot }) => snapshot.run?.version)).size === 1) return loaded.map(({ snapshot }) => snapshot);
    }
    throw new WorkflowWorldError(`Too much contention on run "${runId}": its state kept changing while the batch was read`, { status: 503 });
  }

  private async toItem(outcome: FoldedOutcome, resolveData: 'all' | 'none'): Promise<BatchItemResult> {
    const { claimCheck } = this.deps;
    if (!outcome.ok) return errorItem(outcome.error);
    const { result } = outcome;
    if (!result.event) return { status: 409, error: 'conflict', message: 'The event changed nothing and was not written' };
    const [event, run, step] = await Promise.all([
      claimCheck.resolveEvent(stripEventDataRefs(result.event, resolveData)),
      result.run && claimCheck.resolveEntity(result.run),
      result.step && claimCheck.resolveEntity(result.step),
    ]);
    const item: BatchItemResult = { status: 200, event };
    if (run) item.run = run;
    if (step) item.step = step;
    if (result.wait) item.wait = result.wait;
    return item;
  }
}

const ERROR_CODES: Record<number, string> = { 400: 'bad_request', 404: 'not_found', 409: 'conflict', 410: 'gone', 425: 'too_early' };

/** The status and code the single create would have failed with. */
function errorItem(error: Error): BatchItemResult {
  const { status: raw } = error as Error & { status?: unknown };
  const status = typeof raw === 'number' ? raw : 500;
  return { status, error: ERROR_CODES[status] ?? error.name, message: error.message };
}
