import { PayloadClaimCheck } from '../../../../src/application/storage/claim-check.js';
import { EventService } from '../../../../src/application/storage/event-service.js';
import { SnapshotCache } from '../../../../src/application/storage/snapshot-cache.js';
import { MemoryBlobStore } from '../../../../src/adapters/memory/memory-blob-store.js';
import { MemoryEventStore } from '../../../../src/adapters/memory/memory-event-store.js';
import { SystemClock } from '../../../../src/adapters/system/system-clock.js';
import { CryptoIdSource } from '../../../../src/adapters/system/crypto-id-source.js';
import { newUlid } from '../../../../src/domain/ids.js';
import type { Commit } from '../../../../src/domain/model.js';
import type { Logger } from '../../../../src/ports/logger.js';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const READS = ['getRun', 'getStep', 'getHook', 'getHookByToken', 'getWait', 'listRunChildren'] as const;

/** Counts reads and commits, like a metered DynamoDB. */
class CountingStore extends MemoryEventStore {
  reads = 0;
  conflicts = 0;
  constructor() {
    super();
    for (const name of READS) {
      const read = (this as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[name]!.bind(this);
      (this as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
        this.reads++;
        return read(...args);
      };
    }
  }
  override async commit(commit: Commit): Promise<void> {
    try {
      await super.commit(commit);
    } catch (error) {
      this.conflicts++;
      throw error;
    }
  }
}

function service(store: MemoryEventStore, cache?: SnapshotCache) {
  const claimCheck = new PayloadClaimCheck({ blobs: new MemoryBlobStore(), keyPrefix: 'p/', maxInlineBytes: 64 * 1024 });
  return new EventService({ store, claimCheck, clock: new SystemClock(), ids: new CryptoIdSource(), logger: silent, preconditionGuard: true, cache });
}

const newRunId = () => newUlid('wrun_', Date.now(), crypto.getRandomValues(new Uint8Array(10)));
const create = (svc: EventService, runId: string, request: object) => svc.create(runId, request as never);

async function runWithStep(svc: EventService, stepId = 'step_1') {
  const runId = newRunId();
  await create(svc, runId, { eventType: 'run_created', eventData: { deploymentId: 'd', workflowName: 'wf', input: new Uint8Array([1]) } });
  await create(svc, runId, { eventType: 'run_started' });
  await create(svc, runId, { eventType: 'step_created', correlationId: stepId, eventData: { stepName: 's', input: new Uint8Array([2]) } });
  return runId;
}

describe('SnapshotCache in EventService', () => {
  it('decides the events of a run this process created without reading the store', async () => {
    const store = new CountingStore();
    const svc = service(store, new SnapshotCache(Date.now));
    const runId = await runWithStep(svc);
    const readsBefore = store.reads;
    const started = await create(svc, runId, { eventType: 'step_started', correlationId: 'step_1' });
    expect(started.step).toMatchObject({ status: 'running', attempt: 1 });
    expect(started.step!.input).toEqual(new Uint8Array([2]));
    await create(svc, runId, { eventType: 'step_completed', correlationId: 'step_1', eventData: { result: new Uint8Array([3]) } });
    await create(svc, runId, { eventType: 'wait_created', correlationId: 'wait_1', eventData: { resumeAt: new Date() } });
    await create(svc, runId, { eventType: 'run_completed', eventData: { output: new Uint8Array([4]) } });
    expect(store.reads).toBe(readsBefore);
    expect(store.conflicts).toBe(0);
    expect((await store.getRun(runId))!.run.status).toBe('completed');
  });

  it('detects a run written by another process at commit, retries on fresh reads, then stops caching it', async () => {
    const store = new CountingStore();
    const mine = service(store, new SnapshotCache(Date.now));
    const theirs = service(store);
    const runId = await runWithStep(mine);
    await create(theirs, runId, { eventType: 'step_created', correlationId: 'step_2', eventData: { stepName: 's', input: new Uint8Array([9]) } });

    await create(mine, runId, { eventType: 'step_started', correlationId: 'step_1' });
    expect(store.conflicts).toBe(1);
    const readsBefore = store.reads;
    await create(mine, runId, { eventType: 'step_completed', correlationId: 'step_1', eventData: { result: new Uint8Array([3]) } });
    expect(store.reads).toBeGreaterThan(readsBefore);
    expect(store.conflicts).toBe(1);
    const events = await store.listEvents(runId, { limit: 100, order: 'asc' });
    expect(events.items.map((e) => e.eventType)).toEqual(['run_created', 'run_started', 'step_created', 'step_created', 'step_started', 'step_completed']);
  });

  it('re-checks an error answered from the cache against fresh reads', async () => {
    const store = new CountingStore();
    const mine = service(store, new SnapshotCache(Date.now));
    const theirs = service(store);
    const runId = await runWithStep(mine);
    // Another process creates a step this process has never seen.
    await create(theirs, runId, { eventType: 'step_created', correlationId: 'step_2', eventData: { stepName: 's', input: new Uint8Array([9]) } });
    const started = await create(mine, runId, { eventType: 'step_started', correlationId: 'step_2' });
    expect(started.step).toMatchObject({ stepId: 'step_2', status: 'running' });
  });

  it('re-checks a reply answered from the cache against fresh reads', async () => {
    const store = new CountingStore();
    const mine = service(store, new SnapshotCache(Date.now));
    const theirs = service(store);
    const runId = await runWithStep(mine);
    await create(theirs, runId, { eventType: 'run_cancelled' });
    // The cache still says "running"; the fresh read says cancelled.
    const error = await create(mine, runId, { eventType: 'run_started' }).catch((e: Error) => e);
    expect((error as Error).name).toBe('RunExpiredError');
  });
});

describe('SnapshotCache bounds', () => {
  const commitFor = (runId: string, version: number, steps: Array<{ stepId: string; input?: unknown }> = []): Commit =>
    ({
      runId,
      expectRun: version === 1 ? { kind: 'absent' } : { kind: 'version', version: version - 1 },
      run: { run: { runId, status: 'running' }, version, lastEventId: null, lastEventAt: 0, eventCount: version },
      runChanged: true,
      events: [],
      putSteps: steps.map((s) => ({ runId, status: 'pending', attempt: 0, stepName: 's', ...s })),
      putHooks: [],
      deleteHooks: [],
      putWaits: [],
      deleteWaits: [],
      tokenClaims: [],
      tokenReleases: [],
    }) as unknown as Commit;

  it('holds every step of a 1 000-wide fan-out by default, so no step event of it reads the store', () => {
    const cache = new SnapshotCache(Date.now);
    const runId = 'wrun_wide';
    const stepIds = Array.from({ length: 1000 }, (_, i) => `step_${i}`);
    cache.committed(commitFor(runId, 1));
    stepIds.forEach((stepId, i) => cache.committed(commitFor(runId, i + 2, [{ stepId, input: new Uint8Array([1]) }])));
    for (const stepId of stepIds) {
      const { cached, missing } = cache.lookup({ runId, stepId });
      expect(cached.step?.stepId).toBe(stepId);
      expect(missing.stepId).toBeUndefined();
    }
  });

  it('forgets the least recently used run beyond maxRuns', () => {
    const cache = new SnapshotCache(Date.now, { maxRuns: 2 });
    cache.committed(commitFor('a', 1));
    cache.committed(commitFor('b', 1));
    cache.lookup({ runId: 'a' });
    cache.committed(commitFor('c', 1));
    expect(cache.lookup({ runId: 'a' }).cached.run).toBeDefined();
    expect(cache.lookup({ runId: 'b' }).cached.run).toBeUndefined();
  });

  it('keeps the payload bytes it holds under maxTotalBytes by dropping least recently used runs', () => {
    // Each run holds one step: 1,000 payload bytes plus the fixed overhead.
    const cache = new SnapshotCache(Date.now, { maxTotalBytes: 4_000, maxEntityBytes: 10_000 });
    for (const runId of ['a', 'b', 'c', 'd']) cache.committed(commitFor(runId, 1, [{ stepId: 's', input: new Uint8Array(1_000) }]));
    const held = ['a', 'b', 'c', 'd'].filter((runId) => cache.lookup({ runId }).cached.run !== undefined);
    expect(held).toEqual(['c', 'd']);
    // Forgetting a run returns its bytes: two more fit again.
    cache.forget('c');
    cache.committed(commitFor('e', 1, [{ stepId: 's', input: new Uint8Array(1_000) }]));
    expect(['d', 'e'].every((runId) => cache.lookup({ runId }).cached.run !== undefined)).toBe(true);
  });

  it('knows an id exists but re-reads an entity too large to hold', () => {
    const cache = new SnapshotCache(Date.now, { maxEntityBytes: 10 });
    cache.committed(commitFor('r', 1, [{ stepId: 'small', input: new Uint8Array(5) }, { stepId: 'big', input: new Uint8Array(50) }]));
    expect(cache.lookup({ runId: 'r', stepId: 'small' })).toMatchObject({ missing: { runId: '' } });
    expect(cache.lookup({ runId: 'r', stepId: 'big' }).missing).toEqual({ runId: 'r', stepId: 'big' });
    // Never created, and the cache saw the whole run: known absent, no read.
    expect(cache.lookup({ runId: 'r', stepId: 'other' }).missing).toEqual({ runId: '' });
  });

  it('reads entities of runs it did not see created', () => {
    const cache = new SnapshotCache(Date.now);
    cache.loaded('r', { run: commitFor('r', 3).run });
    expect(cache.lookup({ runId: 'r', stepId: 'x' }).missing).toEqual({ runId: 'r', stepId: 'x' });
    expect(cache.lookup({ runId: 'r', runChildren: true }).missing).toEqual({ runId: 'r', runChildren: true });
  });

  it('always reads token holders, which belong to other runs', () => {
    const cache = new SnapshotCache(Date.now);
    cache.committed(commitFor('r', 1));
    expect(cache.lookup({ runId: 'r', hookId: 'h', token: 't' }).missing).toEqual({ runId: 'r', token: 't' });
  });

  it('knows whether the held run is as this process’s own last commit left it, or as a read found it', () => {
    const cache = new SnapshotCache(Date.now);
    cache.committed(commitFor('mine', 1));
    cache.committed(commitFor('mine', 2));
    expect(cache.ownCommitVersion('mine')).toBe(2);
    cache.loaded('read', { run: commitFor('read', 3).run });
    expect(cache.ownCommitVersion('read')).toBeUndefined();
    // A commit on a loaded run: the run is now as that commit left it.
    cache.committed(commitFor('read', 4));
    expect(cache.ownCommitVersion('read')).toBe(4);
    cache.stale('mine');
    expect(cache.ownCommitVersion('mine')).toBeUndefined();
    expect(cache.ownCommitVersion('unknown')).toBeUndefined();
  });

  it('does not cache a quarantined run until the quarantine ends', () => {
    let now = 0;
    const cache = new SnapshotCache(() => now, { quarantineMs: 1000 });
    cache.stale('r');
    cache.committed(commitFor('r', 1));
    expect(cache.lookup({ runId: 'r' }).cached.run).toBeUndefined();
    now = 1001;
    cache.committed(commitFor('r', 1));
    expect(cache.lookup({ runId: 'r' }).cached.run).toBeDefined();
  });
});
