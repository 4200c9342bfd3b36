// events.create: the only mutation path. Load → decide → commit, and on a
// lost race reload and decide again, so the domain always judges the latest
// state and concurrent writers serialise through the run's sequence.
import { WorkflowWorldError } from '@workflow/errors';
import type { AnyEventRequest, CreateEventParams, EventResult } from '@workflow/world';
import { stripEventDataRefs } from '@workflow/world';
import { jitteredPauseMs } from '../../domain/backoff.js';
import { EVENT_ID_PREFIX, newUlid, nextUlid, RUN_ID_PREFIX } from '../../domain/ids.js';
import { WORLD_SPEC_VERSION } from '../../domain/spec-version.js';
import type { DecisionContext, DecisionResult, EventSemantics } from '../../domain/model.js';
import { decide, snapshotNeeds } from '../../domain/state-machine/index.js';
import type { Clock } from '../../ports/clock.js';
import { CommitConflict, type EventStore, type RunLog } from '../../ports/event-store.js';
import type { IdSource } from '../../ports/id-source.js';
import type { Logger } from '../../ports/logger.js';
import type { PayloadClaimCheck } from './claim-check.js';
import { eventListingScope, listingCursor } from './pagination.js';
import { serializeByRun } from './run-serializer.js';
import { assertValidEventRequest } from './validate-request.js';
import type { SnapshotCache } from './snapshot-cache.js';
import { loadSnapshot } from './snapshot-loader.js';
import { takeSelfWokenReplay } from './self-woken-replay.js';

export interface EventServiceDeps {
  store: EventStore;
  claimCheck: PayloadClaimCheck;
  clock: Clock;
  ids: IdSource;
  logger: Logger;
  preconditionGuard: boolean;
  /** Conflict retries before giving up with a retryable 503. */
  maxAttempts?: number;
  /** What this process last committed per run, to skip reads (see snapshot-cache.ts). */
  cache?: SnapshotCache;
  /** In [0, 1), for the conflict backoff's jitter. Default Math.random. */
  random?: () => number;
  /** The World line's event semantics (spec version, event ids, …); absent: the 4.x line's. */
  semantics?: Partial<EventSemantics>;
}

const CONFLICT_BACKOFF = { baseMs: 4, capMs: 1000 };

export class EventService {
  private readonly maxAttempts: number;

  constructor(private readonly deps: EventServiceDeps) {
    this.maxAttempts = deps.maxAttempts ?? 200;
  }

  async create(runId: string | null, request: AnyEventRequest, params?: CreateEventParams): Promise<EventResult> {
    assertValidEventRequest(runId, request);
    return runId ? serializeByRun(runId, () => this.decideAndCommit(runId, request, params)) : this.decideAndCommit(runId, request, params);
  }

  private async decideAndCommit(runId: string | null, request: AnyEventRequest, params?: CreateEventParams): Promise<EventResult> {
    const { store, claimCheck, clock, cache } = this.deps;
    const needs = snapshotNeeds(runId, request);
    const selfWoken = runId !== null && request.eventType === 'run_started' && takeSelfWokenReplay(runId);
    let useCache = cache !== undefined;
    for (let attempt = 1; ; attempt++) {
      const { snapshot, fromCache } = await loadSnapshot(store, needs, useCache ? cache : undefined);
      const decision = decide({ runId, request, params, snapshot, ctx: this.context() });
      let log: RunLog | undefined;
      if (decision.type !== 'commit' && fromCache) {
        // Only a commit proves the cached state current (it is conditioned
        // on the run's version); an answer without one is given from fresh
        // reads, unless the run's version shows nobody has written it since,
        // or it starts a self-woken replay that may act on this process's
        // own last commit (self-woken-replay.ts).
        const check = (selfWoken && this.ownCommittedLog(needs.runId, snapshot.run?.version)) || (await this.stillCurrent(needs.runId, snapshot.run?.version, request.eventType === 'run_started'));
        if (!check.current) {
          // Another process wrote the run: the held state is not to be trusted again for a while.
          cache?.stale(needs.runId);
          useCache = false;
          attempt--;
          continue;
        }
        log = check.log;
      }
      if (decision.type === 'reject') throw decision.error;
      if (decision.type === 'reply') return this.toResult(decision.result, params, request, log);

      const { commit } = decision;
      const prepared = await claimCheck.prepare(commit);
      try {
        await store.commit(prepared.commit);
      } catch (error) {
        await claimCheck.abandoned(prepared.uploadedKeys);
        if (error instanceof CommitConflict && error.reason === 'run') cache?.stale(commit.runId);
        else cache?.forget(commit.runId);
        if (!(error instanceof CommitConflict)) throw error;
        if (attempt >= this.maxAttempts) {
          this.deps.logger.warn('event commit kept conflicting; giving up for a redelivery', {
            runId: commit.runId,
            eventType: request.eventType,
            attempts: attempt,
          });
          throw new WorkflowWorldError(`Too much contention on run "${commit.runId}"`, { status: 503 });
        }
        useCache = false;
        // A stale cache is not contention: retry at once. Otherwise full
        // jitter keeps writers from other processes from retrying in lockstep;
        // the 1 s cap halves wasted transactions under a burst compared with
        // 250 ms (measured with 100 writers on one run).
        if (!fromCache) await clock.sleep(jitteredPauseMs(attempt, CONFLICT_BACKOFF, this.deps.random ?? Math.random));
        continue;
      }
      cache?.committed(prepared.commit);
      await claimCheck.committed(prepared.uploadedKeys);
      return this.toResult(decision.result, params, request);
    }
  }

  /**
   * Whether the run is still at the cached version, from one small strongly
   * consistent read; for run_started, the read of the whole log the answer
   * carries (one tail read past what this process holds) is that check.
   */
  private async stillCurrent(runId: string, cachedVersion: number | undefined, wantsLog: boolean): Promise<{ current: boolean; log?: RunLog }> {
    const { store } = this.deps;
    if (!runId || cachedVersion === undefined) return { current: false };
    if (wantsLog && store.readLog) {
      const log = await store.readLog(runId);
      return { current: log?.version === cachedVersion, log };
    }
    if (!store.runVersion) return { current: false };
    return { current: (await store.runVersion(runId)) === cachedVersion };
  }

  /**
   * The run's log as this process's own last commit on it left it, when the
   * held run is that commit's and the held log ends exactly there. Only on
   * the 4.x line, whose run_started returns the log (see toResult).
   */
  private ownCommittedLog(runId: string, cachedVersion: number | undefined): { current: true; log: RunLog } | undefined {
    const { store, cache, semantics } = this.deps;
    if (semantics || cachedVersion === undefined || cache?.ownCommitVersion(runId) !== cachedVersion) return undefined;
    const log = store.heldLog?.(runId);
    return log?.version === cachedVersion ? { current: true, log } : undefined;
  }

  private context(): DecisionContext {
    const { ids, clock } = this.deps;
    return {
      now: clock.now(),
      nextEventId: (after, at) => nextUlid(EVENT_ID_PREFIX, after, at, ids.randomBytes(10)),
      newRunId: (at) => newUlid(RUN_ID_PREFIX, at, ids.randomBytes(10)),
      worldSpecVersion: WORLD_SPEC_VERSION,
      preconditionGuard: this.deps.preconditionGuard,
      ...this.deps.semantics,
    };
  }

  /**
   * Entities in a result come from the decision (in memory, full data) or
   * from the snapshot (may hold pointers): resolve the latter, because
   * run_started and step_started must return full input. run_started also
   * returns the run's log (data resolved), so the replay it starts needs no
   * `events.list`; `log` is that log when the decision already read it.
   * Only on the 4.x line: on the 5 line a create's `events` are the ones it
   * skipped over (bump and report), not a preload.
   */
  private async toResult(result: DecisionResult, params: CreateEventParams | undefined, request: AnyEventRequest, log?: RunLog): Promise<EventResult> {
    const { claimCheck, store } = this.deps;
    const [run, step, hook] = await Promise.all([
      result.run && claimCheck.resolveEntity(result.run),
      result.step && claimCheck.resolveEntity(result.step),
      result.hook && claimCheck.resolveEntity(result.hook),
    ]);
    const out: EventResult = {};
    if (result.event) out.event = await claimCheck.resolveEvent(stripEventDataRefs(result.event, params?.resolveData ?? 'all'));
    if (run) out.run = run;
    if (step) out.step = step;
    if (hook) out.hook = hook;
    if (result.wait) out.wait = result.wait;
    if (run && request.eventType === 'run_started' && !this.deps.semantics) {
      const full = log ?? (await store.readLog?.(run.runId));
      if (full) {
        out.events = await Promise.all(full.events.map((event) => claimCheck.resolveEvent(event)));
        out.cursor = listingCursor(eventListingScope(run.runId), 'asc', full.lastKey);
        out.hasMore = false;
      }
    }
    if (result.stepCreated) Object.assign(out, { stepCreated: true });
    return out;
  }
}
