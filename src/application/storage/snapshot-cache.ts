// What this process knows about runs it has been writing, so the next
// decision on the same run can skip its reads.
//
// Safe by construction: every commit is conditioned on the run's version, so
// a decision made on a stale entry cannot commit; the entry is dropped and the
// decision made again on fresh reads. Cheap when it misses: a run found stale
// (another process wrote it) is not cached again for a while, so runs whose
// messages hop between processes (Lambda, several app replicas) pay at most
// one wasted commit per process per quarantine period.
import type { Hook, Step, Wait } from '@workflow/world';
import type { Commit, RunRecord, Snapshot, SnapshotNeeds } from '../../domain/model.js';
import { encodedSize } from '../../domain/payload-routing.js';

export interface SnapshotCacheOptions {
  /** Runs remembered at once (least recently used are dropped). */
  maxRuns?: number;
  /**
   * Entities (steps, hooks, waits) remembered per run. Above the width of a
   * fan-out, every step event of it re-reads its step (a log tail Query and a
   * GetItem, inside the run's serialized commit path): measured at width
   * 400–1 000 with the old 256, 3 Queries and 2.5 GetItems per step.
   */
  maxEntitiesPerRun?: number;
  /** Entities whose inline payloads exceed this are re-read rather than held. */
  maxEntityBytes?: number;
  /** Payload bytes held across all runs; least recently used runs go first. */
  maxTotalBytes?: number;
  /** How long a run found stale is read fresh every time. */
  quarantineMs?: number;
}

interface RunState {
  record: RunRecord;
  /** Entities by kind and id; a bounded subset of what the run has. */
  entities: Map<string, Step | Hook | Wait>;
  /** Approximate bytes held by `entities` (payloads plus a fixed overhead each). */
  bytes: number;
  /**
   * Ids of every step, hook and wait the run has, when this process saw the
   * run created and every commit since: then an id not listed does not exist.
   */
  ids?: Set<string>;
  /** `record` is as this process's own last commit left it (not a read): see ownCommitVersion. */
  ownCommit: boolean;
}

const PAYLOAD_FIELDS = ['input', 'output', 'error', 'metadata'] as const;
/** What an entity costs beyond its payloads: ids, dates, status. */
const ENTITY_OVERHEAD_BYTES = 512;

const stepKey = (id: string) => `S:${id}`;
const hookKey = (id: string) => `H:${id}`;
const waitKey = (id: string) => `W:${id}`;

export class SnapshotCache {
  private readonly runs = new Map<string, RunState>();
  private readonly quarantined = new Map<string, number>();
  private readonly maxRuns: number;
  private readonly maxEntities: number;
  private readonly maxEntityBytes: number;
  private readonly maxTotalBytes: number;
  private readonly quarantineMs: number;
  private totalBytes = 0;

  constructor(
    private readonly now: () => number,
    options: SnapshotCacheOptions = {},
  ) {
    this.maxRuns = options.maxRuns ?? 1000;
    this.maxEntities = options.maxEntitiesPerRun ?? 2048;
    this.maxEntityBytes = options.maxEntityBytes ?? 16 * 1024;
    this.maxTotalBytes = options.maxTotalBytes ?? 64 * 1024 * 1024;
    this.quarantineMs = options.quarantineMs ?? 5 * 60_000;
  }

  /**
   * The cached parts of a snapshot, and which reads are still needed. Token
   * holders belong to other runs and are always read.
   */
  lookup(needs: SnapshotNeeds): { cached: Snapshot; missing: SnapshotNeeds } {
    const state = needs.runId ? this.runs.get(needs.runId) : undefined;
    if (!state) return { cached: {}, missing: needs };
    this.touch(needs.runId, state);
    const cached: Snapshot = { run: state.record };
    const missing: SnapshotNeeds = { runId: '' };
    const resolve = (id: string | undefined, key: (id: string) => string, assign: (entity: never) => void): boolean => {
      if (id === undefined) return true;
      const entity = state.entities.get(key(id));
      if (entity) assign(entity as never);
      return entity !== undefined || state.ids?.has(key(id)) === false;
    };
    if (!resolve(needs.stepId, stepKey, (step: Step) => (cached.step = step))) missing.stepId = needs.stepId;
    if (!resolve(needs.hookId, hookKey, (hook: Hook) => (cached.hook = hook))) missing.hookId = needs.hookId;
    if (!resolve(needs.waitId, waitKey, (wait: Wait) => (cached.wait = wait))) missing.waitId = needs.waitId;
    if (needs.token !== undefined) missing.token = needs.token;
    if (needs.runChildren) {
      const children = this.children(state);
      if (children) Object.assign(cached, children);
      else missing.runChildren = true;
    }
    const needsRead = missing.stepId !== undefined || missing.hookId !== undefined || missing.waitId !== undefined || missing.token !== undefined || missing.runChildren;
    // Entity reads are keyed by run: keep the run id when any read remains.
    if (needsRead) missing.runId = needs.runId;
    return { cached, missing };
  }

  /** The run as this process last committed or read it, if held (to be confirmed by its version before use). */
  run(runId: string): RunRecord | undefined {
    const state = this.runs.get(runId);
    if (state) this.touch(runId, state);
    return state?.record;
  }

  /**
   * The run's version when the held run is as this process's own last
   * commit on it left it, not as a read found it: this process then knew
   * the whole log up to that version when it committed.
   */
  ownCommitVersion(runId: string): number | undefined {
    const state = this.runs.get(runId);
    return state?.ownCommit ? state.record.version : undefined;
  }

  /** Remembers what a fresh read returned, unless the run is quarantined. */
  loaded(runId: string, snapshot: Snapshot): void {
    if (!snapshot.run || this.isQuarantined(runId) || this.runs.has(runId)) return;
    const state: RunState = { record: snapshot.run, entities: new Map(), bytes: 0, ownCommit: false };
    if (snapshot.step) this.hold(state, stepKey(snapshot.step.stepId), snapshot.step);
    if (snapshot.hook && snapshot.hook.runId === runId) this.hold(state, hookKey(snapshot.hook.hookId), snapshot.hook);
    if (snapshot.wait) this.hold(state, waitKey(snapshot.wait.waitId), snapshot.wait);
    this.store(runId, state);
  }

  /** Applies a commit this process made (as written, claim checks included). */
  committed(commit: Commit): void {
    const { runId } = commit;
    if (this.isQuarantined(runId)) return;
    let state = this.runs.get(runId);
    if (commit.expectRun.kind === 'absent') {
      this.remove(runId);
      state = { record: commit.run, entities: new Map(), bytes: 0, ids: new Set(), ownCommit: true };
    } else if (!state || state.record.version !== commit.expectRun.version) {
      this.remove(runId);
      state = { record: commit.run, entities: new Map(), bytes: 0, ownCommit: true };
    }
    state.record = commit.run;
    state.ownCommit = true;
    for (const step of commit.putSteps) this.hold(state, stepKey(step.stepId), step);
    for (const wait of commit.putWaits) this.hold(state, waitKey(wait.waitId), wait);
    for (const wait of commit.deleteWaits) this.drop(state, waitKey(wait.waitId));
    for (const hook of commit.putHooks) if (hook.runId === runId) this.hold(state, hookKey(hook.hookId), hook);
    for (const hook of commit.deleteHooks) this.drop(state, hookKey(hook.hookId));
    this.store(runId, state);
  }

  /** Another process wrote the run: forget it and read it fresh for a while. */
  stale(runId: string): void {
    this.remove(runId);
    this.quarantined.set(runId, this.now() + this.quarantineMs);
  }

  /** Something failed mid-way: forget what we think we know. */
  forget(runId: string): void {
    this.remove(runId);
  }

  private children(state: RunState): Pick<Snapshot, 'runHooks' | 'runWaits'> | undefined {
    if (!state.ids) return undefined;
    const hooks: Hook[] = [];
    const waits: Wait[] = [];
    for (const key of state.ids) {
      const entity = state.entities.get(key);
      if (key.startsWith('S:')) continue;
      if (!entity) return undefined; // known to exist, but not held: read
      if (key.startsWith('H:')) hooks.push(entity as Hook);
      else waits.push(entity as Wait);
    }
    return { runHooks: hooks, runWaits: waits };
  }

  private hold(state: RunState, key: string, entity: Step | Hook | Wait): void {
    state.ids?.add(key);
    this.release(state, key);
    const bytes = this.payloadBytes(entity);
    if (bytes > this.maxEntityBytes) return;
    state.entities.set(key, entity);
    this.account(state, bytes + ENTITY_OVERHEAD_BYTES);
    if (state.entities.size > this.maxEntities) this.release(state, state.entities.keys().next().value!);
  }

  private drop(state: RunState, key: string): void {
    state.ids?.delete(key);
    this.release(state, key);
  }

  /** Stops holding one entity (its id stays known). */
  private release(state: RunState, key: string): void {
    const entity = state.entities.get(key);
    if (!entity) return;
    state.entities.delete(key);
    this.account(state, -(this.payloadBytes(entity) + ENTITY_OVERHEAD_BYTES));
  }

  private account(state: RunState, delta: number): void {
    state.bytes += delta;
    if (this.runs.get(state.record.run.runId) === state) this.totalBytes += delta;
  }

  private remove(runId: string): void {
    const state = this.runs.get(runId);
    if (!state) return;
    this.runs.delete(runId);
    this.totalBytes -= state.bytes;
  }

  private payloadBytes(entity: Step | Hook | Wait): number {
    const fields = entity as Partial<Record<(typeof PAYLOAD_FIELDS)[number], unknown>>;
    return PAYLOAD_FIELDS.reduce((sum, field) => sum + encodedSize(fields[field]), 0);
  }

  private isQuarantined(runId: string): boolean {
    const until = this.quarantined.get(runId);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.quarantined.delete(runId);
    return false;
  }

  private store(runId: string, state: RunState): void {
    if (this.runs.get(runId) !== state) {
      this.remove(runId);
      this.totalBytes += state.bytes;
    }
    this.runs.delete(runId);
    this.runs.set(runId, state);
    // Least recently used first; never the run just stored.
    while ((this.runs.size > this.maxRuns || this.totalBytes > this.maxTotalBytes) && this.runs.size > 1) {
      this.remove(this.runs.keys().next().value!);
    }
    if (this.quarantined.size > this.maxRuns) this.quarantined.delete(this.quarantined.keys().next().value!);
  }

  private touch(runId: string, state: RunState): void {
    this.runs.delete(runId);
    this.runs.set(runId, state);
  }
}
