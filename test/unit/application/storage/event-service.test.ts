import { PayloadClaimCheck } from '../../../../src/application/storage/claim-check.js';
import { SnapshotCache } from '../../../../src/application/storage/snapshot-cache.js';
import { EventService } from '../../../../src/application/storage/event-service.js';
import { serializeByRun } from '../../../../src/application/storage/run-serializer.js';
import { MemoryBlobStore } from '../../../../src/adapters/memory/memory-blob-store.js';
import { MemoryEventStore } from '../../../../src/adapters/memory/memory-event-store.js';
import { SystemClock } from '../../../../src/adapters/system/system-clock.js';
import { CryptoIdSource } from '../../../../src/adapters/system/crypto-id-source.js';
import { newUlid } from '../../../../src/domain/ids.js';
import type { Commit } from '../../../../src/domain/model.js';
import { CommitConflict } from '../../../../src/ports/event-store.js';
import type { Logger } from '../../../../src/ports/logger.js';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** A memory store that loses the next `n` commits, as if another process won each race. */
class LosingStore extends MemoryEventStore {
  commits: Commit[] = [];
  constructor(public losses: number) {
    super();
  }
  override async commit(commit: Commit): Promise<void> {
    this.commits.push(commit);
    if (this.losses > 0) {
      this.losses--;
      throw new CommitConflict('run');
    }
    return super.commit(commit);
  }
}

function service(store: MemoryEventStore, blobs = new MemoryBlobStore(), maxAttempts?: number) {
  const claimCheck = new PayloadClaimCheck({ blobs, keyPrefix: 'payloads/', maxInlineBytes: 16 });
  return new EventService({ store, claimCheck, clock: new SystemClock(), ids: new CryptoIdSource(), logger: silent, preconditionGuard: true, maxAttempts });
}

const runCreated = (input: Uint8Array) => ({ eventType: 'run_created', eventData: { deploymentId: 'd', workflowName: 'wf', input } }) as never;
const newRunId = () => newUlid('wrun_', Date.now(), new Uint8Array(10).fill(1));

describe('EventService', () => {
  it('reloads and decides again after losing a commit, then succeeds', async () => {
    const store = new LosingStore(2);
    const runId = newRunId();
    const result = await service(store).create(runId, runCreated(new Uint8Array([1])));
    expect(result.run?.runId).toBe(runId);
    expect(store.commits).toHaveLength(3);
    expect((await store.getRun(runId))?.version).toBe(1);
  });

  it('gives up with a retryable 503 after too many lost commits', async () => {
    const store = new LosingStore(100);
    const error = await service(store, new MemoryBlobStore(), 3)
      .create(newRunId(), runCreated(new Uint8Array([1])))
      .catch((e: unknown) => e as { status?: number; name?: string });
    expect(error).toMatchObject({ name: 'WorkflowWorldError', status: 503 });
    expect(store.commits).toHaveLength(3);
  });

  it('deletes blobs uploaded for a lost commit and keeps those of the winning one', async () => {
    const store = new LosingStore(1);
    const blobs = new MemoryBlobStore();
    const runId = newRunId();
    const big = new Uint8Array(1000).fill(7);
    const { run } = await service(store, blobs).create(runId, runCreated(big));
    expect(run?.input).toEqual(big);
    const keys = blobs.keys();
    expect(keys.length).toBeGreaterThan(0);
    // The winning commit's pointers are the only blobs left.
    const winner = store.commits.at(-1)!;
    const pointerKeys = [winner.run.run.input, (winner.events[0] as { eventData: { input: unknown } }).eventData.input].map(
      (p) => (p as { blobKey: string }).blobKey,
    );
    expect([...new Set(pointerKeys)].sort()).toEqual([...keys].sort());
    expect(await blobs.get(keys[0]!)).toEqual(big);
  });
});

describe('EventService with the snapshot cache', () => {
  /** Counts full run reads, `runVersion` (the cheap check) and `readLog` (run_started's check and answer). */
  class CountingStore extends MemoryEventStore {
    getRuns = 0;
    versionChecks = 0;
    logReads = 0;
    override async getRun(runId: string) {
      this.getRuns++;
      return super.getRun(runId);
    }
    override async runVersion(runId: string) {
      this.versionChecks++;
      return super.runVersion(runId);
    }
    override async readLog(runId: string) {
      this.logReads++;
      return super.readLog(runId);
    }
  }
  const withCache = (store: MemoryEventStore, cache: SnapshotCache) => {
    const claimCheck = new PayloadClaimCheck({ blobs: new MemoryBlobStore(), keyPrefix: 'payloads/', maxInlineBytes: 1024 });
    return new EventService({ store, claimCheck, clock: new SystemClock(), ids: new CryptoIdSource(), logger: silent, preconditionGuard: true, cache });
  };

  it('answers a repeated run_started from the cache once the log read confirms the version: one read, which the answer carries', async () => {
    const store = new CountingStore();
    const events = withCache(store, new SnapshotCache(() => Date.now()));
    const runId = newRunId();
    await events.create(runId, runCreated(new Uint8Array([1])));
    await events.create(runId, { eventType: 'run_started' } as never);
    const reads = store.getRuns;
    const logReads = store.logReads;
    const again = await events.create(runId, { eventType: 'run_started' } as never);
    expect(again.run?.status).toBe('running');
    expect(store.getRuns).toBe(reads);
    expect(store.versionChecks).toBe(0);
    expect(store.logReads).toBe(logReads + 1);
    expect(again.events?.map((e) => e.eventType)).toEqual(['run_created', 'run_started']);
    expect(again.hasMore).toBe(false);
  });

  it('other answers from the cache are confirmed by the run version alone', async () => {
    const store = new CountingStore();
    const events = withCache(store, new SnapshotCache(() => Date.now()));
    const runId = newRunId();
    await events.create(runId, runCreated(new Uint8Array([1])));
    await events.create(runId, { eventType: 'run_started' } as never);
    await events.create(runId, { eventType: 'step_created', correlationId: 'step_1', eventData: { stepName: 's', input: new Uint8Array([2]) } } as never);
    const logReads = store.logReads;
    const error = await events
      .create(runId, { eventType: 'step_created', correlationId: 'step_1', eventData: { stepName: 's', input: new Uint8Array([2]) } } as never)
      .then(() => undefined, (e: unknown) => e as Error);
    expect(error?.name).toBe('EntityConflictError');
    expect(store.versionChecks).toBe(1);
    expect(store.logReads).toBe(logReads);
  });

  it('decides again on fresh reads when another writer moved the run on', async () => {
    const store = new CountingStore();
    const cache = new SnapshotCache(() => Date.now());
    const mine = withCache(store, cache);
    const theirs = withCache(store, new SnapshotCache(() => Date.now()));
    const runId = newRunId();
    await mine.create(runId, runCreated(new Uint8Array([1])));
    await mine.create(runId, { eventType: 'run_started' } as never);
    await theirs.create(runId, { eventType: 'run_cancelled' } as never);
    const reads = store.getRuns;
    const error = await mine.create(runId, { eventType: 'run_started' } as never).catch((e: unknown) => e as Error);
    expect((error as Error).name).toBe('RunExpiredError');
    expect(store.getRuns).toBe(reads + 1);
  });
});

describe('run_started returns the run log', () => {
  const bigInput = new Uint8Array(2000).fill(3);

  it('with data resolved, and a cursor that continues events.list after it', async () => {
    const store = new MemoryEventStore();
    const blobs = new MemoryBlobStore();
    const events = service(store, blobs);
    const runId = newRunId();
    await events.create(runId, runCreated(bigInput));
    const started = await events.create(runId, { eventType: 'run_started' } as never);
    expect(started.events?.map((e) => e.eventType)).toEqual(['run_created', 'run_started']);
    // The input went to the blob store (maxInlineBytes 16); the answer carries it resolved.
    expect(blobs.keys().length).toBeGreaterThan(0);
    expect((started.events![0] as { eventData: { input: unknown } }).eventData.input).toEqual(bigInput);
    expect(started).toMatchObject({ hasMore: false, cursor: expect.any(String) });
  });

  it('on the resilient start that creates the run, both events', async () => {
    const store = new MemoryEventStore();
    const runId = newRunId();
    const started = await service(store).create(runId, {
      eventType: 'run_started',
      specVersion: 3,
      eventData: { input: new Uint8Array([1]), deploymentId: 'd', workflowName: 'wf' },
    } as never);
    expect(started.events?.map((e) => e.eventType)).toEqual(['run_created', 'run_started']);
  });

  it('not on other events, and not when the store cannot read a whole log', async () => {
    const store = new MemoryEventStore();
    const events = service(store);
    const runId = newRunId();
    const created = await events.create(runId, runCreated(new Uint8Array([1])));
    expect(created.events).toBeUndefined();
    Object.defineProperty(store, 'readLog', { value: undefined });
    const started = await events.create(runId, { eventType: 'run_started' } as never);
    expect(started.run?.status).toBe('running');
    expect(started.events).toBeUndefined();
  });
});

describe('serializeByRun', () => {
  it('runs work for one run one at a time, in call order, and other runs in parallel', async () => {
    const log: string[] = [];
    const step = (run: string, id: number, ms: number) =>
      serializeByRun(run, async () => {
        log.push(`start ${run}${id}`);
        await new Promise((r) => setTimeout(r, ms));
        log.push(`end ${run}${id}`);
        return id;
      });
    const results = await Promise.all([step('a', 1, 20), step('a', 2, 1), step('b', 1, 1)]);
    expect(results).toEqual([1, 2, 1]);
    expect(log.indexOf('end a1')).toBeLessThan(log.indexOf('start a2'));
    expect(log.indexOf('end b1')).toBeLessThan(log.indexOf('end a1'));
  });

  it('keeps going after a failure', async () => {
    const failed = serializeByRun('c', async () => {
      throw new Error('first fails');
    });
    const next = serializeByRun('c', async () => 'second runs');
    await expect(failed).rejects.toThrow('first fails');
    await expect(next).resolves.toBe('second runs');
  });
});
