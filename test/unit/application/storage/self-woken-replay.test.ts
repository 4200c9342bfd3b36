// A self-woken replay (woken only by this process's own commits) answers its
// run_started from the log this process last committed, with no read; every
// other run_started reads the log past what the process holds, as before.
// Each "process" is an EventService with its own snapshot cache over one
// shared memory store, holding the log as its own last commit left it.
import { PayloadClaimCheck } from '../../../../src/application/storage/claim-check.js';
import { EventService } from '../../../../src/application/storage/event-service.js';
import { asSelfWokenReplay, notSelfWoken, takeSelfWokenReplay } from '../../../../src/application/storage/self-woken-replay.js';
import { SnapshotCache } from '../../../../src/application/storage/snapshot-cache.js';
import { MemoryBlobStore } from '../../../../src/adapters/memory/memory-blob-store.js';
import { MemoryEventStore } from '../../../../src/adapters/memory/memory-event-store.js';
import { SystemClock } from '../../../../src/adapters/system/system-clock.js';
import { CryptoIdSource } from '../../../../src/adapters/system/crypto-id-source.js';
import { newUlid } from '../../../../src/domain/ids.js';
import type { Commit, RunRecord } from '../../../../src/domain/model.js';
import type { EventStore, RunLog } from '../../../../src/ports/event-store.js';
import type { Logger } from '../../../../src/ports/logger.js';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** One process's view of the shared store: reads counted, the log held as its own commits leave it. */
class ProcessStore extends MemoryEventStore {
  logReads = 0;
  versionReads = 0;
  runReads = 0;
  held = new Map<string, RunLog>();
  constructor(private readonly shared: MemoryEventStore) {
    super();
  }
  override async commit(commit: Commit): Promise<void> {
    await this.shared.commit(commit);
    // What the DynamoDB adapter's log cache holds after a commit: the log up to it.
    const log = await this.shared.readLog(commit.runId);
    if (log) this.held.set(commit.runId, log);
  }
  heldLog(runId: string): RunLog | undefined {
    return this.held.get(runId);
  }
  override async readLog(runId: string): Promise<RunLog | undefined> {
    this.logReads++;
    const log = await this.shared.readLog(runId);
    if (log) this.held.set(runId, log);
    return log;
  }
  override async runVersion(runId: string): Promise<number | undefined> {
    this.versionReads++;
    return this.shared.runVersion(runId);
  }
  override async getRun(runId: string): Promise<RunRecord | undefined> {
    this.runReads++;
    return this.shared.getRun(runId);
  }
  override getStep: EventStore['getStep'] = (runId, stepId) => this.shared.getStep(runId, stepId);
  override getHook: EventStore['getHook'] = (hookId) => this.shared.getHook(hookId);
  override getHookByToken: EventStore['getHookByToken'] = (token) => this.shared.getHookByToken(token);
  override getWait: EventStore['getWait'] = (runId, waitId) => this.shared.getWait(runId, waitId);
  override listRunChildren: EventStore['listRunChildren'] = (runId) => this.shared.listRunChildren(runId);
}

interface Proc {
  store: ProcessStore;
  cache: SnapshotCache;
  events: EventService;
}

function processOn(shared: MemoryEventStore, options: { line5?: boolean } = {}): Proc {
  const store = new ProcessStore(shared);
  const cache = new SnapshotCache(() => Date.now());
  const claimCheck = new PayloadClaimCheck({ blobs: new MemoryBlobStore(), keyPrefix: 'p/', maxInlineBytes: 64 * 1024 });
  const events = new EventService({
    store,
    claimCheck,
    clock: new SystemClock(),
    ids: new CryptoIdSource(),
    logger: silent,
    preconditionGuard: true,
    cache,
    ...(options.line5 ? { semantics: { worldSpecVersion: 6 } } : {}),
  });
  return { store, cache, events };
}

const newRunId = () => newUlid('wrun_', Date.now(), crypto.getRandomValues(new Uint8Array(10)));
const create = (p: Proc, runId: string, request: object) => p.events.create(runId, request as never);
const types = (events: Array<{ eventType: string }> | undefined) => events?.map((e) => e.eventType);
const runStarted = { eventType: 'run_started' };
const stepCreated = (id: string) => ({ eventType: 'step_created', correlationId: id, eventData: { stepName: 's', input: new Uint8Array([1]) } });

/** A run whose step_1 this process ran: its last commit is step_completed. */
async function afterOwnStep(p: Proc): Promise<string> {
  const runId = newRunId();
  await create(p, runId, { eventType: 'run_created', eventData: { deploymentId: 'd', workflowName: 'wf', input: new Uint8Array([7]) } });
  await create(p, runId, runStarted);
  await create(p, runId, stepCreated('step_1'));
  await create(p, runId, { eventType: 'step_started', correlationId: 'step_1' });
  await create(p, runId, { eventType: 'step_completed', correlationId: 'step_1', eventData: { result: new Uint8Array([9]) } });
  return runId;
}

const OWN_LOG = ['run_created', 'run_started', 'step_created', 'step_started', 'step_completed'];

describe('run_started of a self-woken replay', () => {
  it('is answered from the log this process last committed, with no read', async () => {
    const p = processOn(new MemoryEventStore());
    const runId = await afterOwnStep(p);
    const reads = { log: p.store.logReads, version: p.store.versionReads, run: p.store.runReads };
    const started = await asSelfWokenReplay(runId, () => create(p, runId, runStarted));
    expect(started.run?.status).toBe('running');
    expect(types(started.events)).toEqual(OWN_LOG);
    expect((started.events![4] as { eventData: { result: unknown } }).eventData.result).toEqual(new Uint8Array([9]));
    expect(started).toMatchObject({ hasMore: false, cursor: expect.any(String) });
    expect({ log: p.store.logReads, version: p.store.versionReads, run: p.store.runReads }).toEqual(reads);
  });

  it('only once per replay: a second run_started inside it reads the log', async () => {
    const p = processOn(new MemoryEventStore());
    const runId = await afterOwnStep(p);
    const before = p.store.logReads;
    await asSelfWokenReplay(runId, async () => {
      await create(p, runId, runStarted);
      await create(p, runId, runStarted);
    });
    expect(p.store.logReads).toBe(before + 1);
  });

  it('reads the log outside such a replay, for another run, and after it is over', async () => {
    const p = processOn(new MemoryEventStore());
    const runId = await afterOwnStep(p);
    const other = await afterOwnStep(p);
    const before = p.store.logReads;
    await create(p, runId, runStarted);
    await asSelfWokenReplay(other, () => create(p, runId, runStarted));
    let later!: Promise<unknown>;
    await asSelfWokenReplay(runId, async () => {
      // Work started inside the replay that outlives it does not inherit it.
      later = new Promise((resolve) => setTimeout(resolve, 5)).then(() => create(p, runId, runStarted));
    });
    await later;
    await asSelfWokenReplay(runId, () => notSelfWoken(() => create(p, runId, runStarted)));
    expect(p.store.logReads).toBe(before + 4);
  });

  it('reads the log when the held run came from a read, not from this process’s own commit', async () => {
    const shared = new MemoryEventStore();
    const writer = processOn(shared);
    const runId = await afterOwnStep(writer);
    const reader = processOn(shared);
    await create(reader, runId, runStarted); // loads the run fresh: cached, but not its own commit
    expect(reader.cache.ownCommitVersion(runId)).toBeUndefined();
    const before = reader.store.logReads;
    const started = await asSelfWokenReplay(runId, () => create(reader, runId, runStarted));
    expect(types(started.events)).toEqual(OWN_LOG);
    expect(reader.store.logReads).toBe(before + 1);
  });

  it('reads the log when the held log does not end at the held run’s version', async () => {
    const p = processOn(new MemoryEventStore());
    const runId = await afterOwnStep(p);
    const held = p.store.held.get(runId)!;
    p.store.held.set(runId, { ...held, events: held.events.slice(0, -1), version: held.version - 1 });
    const before = p.store.logReads;
    const started = await asSelfWokenReplay(runId, () => create(p, runId, runStarted));
    expect(types(started.events)).toEqual(OWN_LOG);
    expect(p.store.logReads).toBe(before + 1);
    p.store.held.delete(runId);
    await asSelfWokenReplay(runId, () => create(p, runId, runStarted));
    expect(p.store.logReads).toBe(before + 2);
  });

  it('reads the log on the workflow@5 line, whose run_started returns no log', async () => {
    const p = processOn(new MemoryEventStore(), { line5: true });
    const runId = await afterOwnStep(p);
    const before = p.store.logReads + p.store.versionReads;
    await asSelfWokenReplay(runId, () => create(p, runId, runStarted));
    expect(p.store.logReads + p.store.versionReads).toBe(before + 1);
  });

  it('acts on the log of its own commit when another process appended since: its next commit conflicts and is decided again on fresh reads', async () => {
    const shared = new MemoryEventStore();
    const mine = processOn(shared);
    const runId = await afterOwnStep(mine);
    await create(mine, runId, { eventType: 'hook_created', correlationId: 'hook_1', eventData: { token: 'tok-1' } });
    const theirs = processOn(shared);
    await create(theirs, runId, { eventType: 'hook_received', correlationId: 'hook_1', eventData: { payload: new Uint8Array([5]) } });

    const started = await asSelfWokenReplay(runId, async () => {
      const answer = await create(mine, runId, runStarted);
      // The replay decides on what it was given: the next step.
      await create(mine, runId, stepCreated('step_2'));
      return answer;
    });
    expect(types(started.events)).toEqual([...OWN_LOG, 'hook_created']);
    const log = await shared.readLog(runId);
    expect(types(log!.events)).toEqual([...OWN_LOG, 'hook_created', 'hook_received', 'step_created']);
    // The conflict told this process another one writes the run: it reads it fresh from now on.
    expect(mine.cache.ownCommitVersion(runId)).toBeUndefined();
  });

  it('stops when another process cancelled the run since its own commit: the next commit is refused on fresh reads', async () => {
    const shared = new MemoryEventStore();
    const mine = processOn(shared);
    const runId = await afterOwnStep(mine);
    const theirs = processOn(shared);
    await create(theirs, runId, { eventType: 'run_cancelled' });

    const error = await asSelfWokenReplay(runId, async () => {
      const answer = await create(mine, runId, runStarted);
      expect(answer.run?.status).toBe('running');
      return create(mine, runId, stepCreated('step_2'));
    }).catch((e: unknown) => e as Error);
    // The contract's answer to a step created on a finished run; the runtime ends the replay on it.
    expect((error as Error).name).toBe('EntityConflictError');
    expect((await shared.getRunEntity(runId))?.status).toBe('cancelled');
    expect(types((await shared.readLog(runId))!.events)!.at(-1)).toBe('run_cancelled');
  });

  it('a held run found stale by a check is quarantined, so no later replay trusts it', async () => {
    const shared = new MemoryEventStore();
    const mine = processOn(shared);
    const runId = await afterOwnStep(mine);
    await create(processOn(shared), runId, { eventType: 'run_cancelled' });
    const error = await create(mine, runId, runStarted).catch((e: unknown) => e as Error);
    expect((error as Error).name).toBe('RunExpiredError');
    expect(mine.cache.ownCommitVersion(runId)).toBeUndefined();
    const late = await asSelfWokenReplay(runId, () => create(mine, runId, runStarted)).catch((e: unknown) => e as Error);
    expect((late as Error).name).toBe('RunExpiredError');
  });
});

describe('the self-woken scope', () => {
  it('is taken once, for its run only, and not after the replay', async () => {
    const seen: boolean[] = [];
    await asSelfWokenReplay('wrun_a', async () => {
      seen.push(takeSelfWokenReplay('wrun_b'), takeSelfWokenReplay('wrun_a'), takeSelfWokenReplay('wrun_a'));
    });
    // Work started inside an unused replay runs in its context after it is over: spent.
    let later!: Promise<boolean>;
    await asSelfWokenReplay('wrun_a', async () => {
      later = new Promise((resolve) => setTimeout(resolve, 5)).then(() => takeSelfWokenReplay('wrun_a'));
    });
    seen.push(await later, takeSelfWokenReplay('wrun_a'));
    expect(seen).toEqual([false, true, false, false, false]);
  });
});
