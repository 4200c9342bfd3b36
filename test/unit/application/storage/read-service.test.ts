import { PayloadClaimCheck } from '../../../../src/application/storage/claim-check.js';
import { EventService } from '../../../../src/application/storage/event-service.js';
import { ReadService } from '../../../../src/application/storage/read-service.js';
import { SnapshotCache } from '../../../../src/application/storage/snapshot-cache.js';
import { MemoryBlobStore } from '../../../../src/adapters/memory/memory-blob-store.js';
import { MemoryEventStore } from '../../../../src/adapters/memory/memory-event-store.js';
import { CryptoIdSource } from '../../../../src/adapters/system/crypto-id-source.js';
import { SystemClock } from '../../../../src/adapters/system/system-clock.js';
import { newUlid } from '../../../../src/domain/ids.js';
import type { Logger } from '../../../../src/ports/logger.js';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** Counts projection reads (`getRunEntity`) and version checks (`runVersion`); `beforeVersion` runs inside a version read. */
class CountingStore extends MemoryEventStore {
  entityReads = 0;
  versionChecks = 0;
  beforeVersion?: () => Promise<void>;
  override async getRunEntity(runId: string) {
    this.entityReads++;
    return super.getRunEntity(runId);
  }
  override async runVersion(runId: string) {
    this.versionChecks++;
    const hook = this.beforeVersion;
    this.beforeVersion = undefined;
    await hook?.();
    return super.runVersion(runId);
  }
}

function setup(store: MemoryEventStore, cache?: SnapshotCache) {
  const claimCheck = new PayloadClaimCheck({ blobs: new MemoryBlobStore(), keyPrefix: 'payloads/', maxInlineBytes: 1024 });
  const events = new EventService({ store, claimCheck, clock: new SystemClock(), ids: new CryptoIdSource(), logger: silent, preconditionGuard: true, cache });
  return { events, reads: new ReadService(store, claimCheck, cache) };
}

const runCreated = { eventType: 'run_created', eventData: { deploymentId: 'd', workflowName: 'wf', input: new Uint8Array([1]) } } as never;
const started = { eventType: 'run_started' } as never;
const completed = { eventType: 'run_completed', eventData: { output: new Uint8Array([9]) } } as never;
const newRunId = () => newUlid('wrun_', Date.now(), new Uint8Array(10).fill(3));

describe('ReadService.getRun', () => {
  it('answers a run this process wrote from the snapshot cache after one version check, equal to the stored run', async () => {
    const store = new CountingStore();
    const { events, reads } = setup(store, new SnapshotCache(() => Date.now()));
    const runId = newRunId();
    await events.create(runId, runCreated);
    await events.create(runId, started);
    const run = await reads.getRun(runId);
    expect(store.versionChecks).toBe(1);
    expect(store.entityReads).toBe(0);
    expect(run).toEqual(await store.getRunEntity(runId));
    expect(run.status).toBe('running');
  });

  it('reads the stored run when another writer moved it on', async () => {
    const store = new CountingStore();
    const cache = new SnapshotCache(() => Date.now());
    const mine = setup(store, cache);
    const theirs = setup(store, new SnapshotCache(() => Date.now()));
    const runId = newRunId();
    await mine.events.create(runId, runCreated);
    await mine.events.create(runId, started);
    await theirs.events.create(runId, completed);
    const run = await mine.reads.getRun(runId);
    expect(run.status).toBe('completed');
    expect([store.versionChecks, store.entityReads]).toEqual([1, 1]);
  });

  it('reads the stored run when this process committed while the version was read, and keeps using the cache after', async () => {
    const store = new CountingStore();
    const cache = new SnapshotCache(() => Date.now());
    const { events, reads } = setup(store, cache);
    const runId = newRunId();
    await events.create(runId, runCreated);
    await events.create(runId, started);
    store.beforeVersion = async () => void (await events.create(runId, completed));
    expect((await reads.getRun(runId)).status).toBe('completed');
    expect([store.versionChecks, store.entityReads]).toEqual([1, 1]);
    expect((await reads.getRun(runId)).status).toBe('completed');
    expect([store.versionChecks, store.entityReads]).toEqual([2, 1]);
  });

  it('without a cache, or for a run it does not hold, reads the stored run', async () => {
    const store = new CountingStore();
    const runId = newRunId();
    await setup(store).events.create(runId, runCreated);
    expect((await setup(store).reads.getRun(runId)).status).toBe('pending');
    expect((await setup(store, new SnapshotCache(() => Date.now())).reads.getRun(runId)).status).toBe('pending');
    expect([store.versionChecks, store.entityReads]).toEqual([0, 2]);
    await expect(setup(store, new SnapshotCache(() => Date.now())).reads.getRun(newRunId())).rejects.toMatchObject({ name: 'WorkflowRunNotFoundError' });
  });

  it('returns a copy: changing the answer does not change the cached run', async () => {
    const store = new CountingStore();
    const { events, reads } = setup(store, new SnapshotCache(() => Date.now()));
    const runId = newRunId();
    await events.create(runId, runCreated);
    (await reads.getRun(runId)).status = 'failed';
    expect((await reads.getRun(runId)).status).toBe('pending');
  });
});
