// Reads exactly the state one decision needs, in parallel, strongly consistent;
// with a cache, only what it does not already hold.
import type { Snapshot, SnapshotNeeds } from '../../domain/model.js';
import type { EventStore } from '../../ports/event-store.js';
import type { SnapshotCache } from './snapshot-cache.js';

export interface LoadedSnapshot {
  snapshot: Snapshot;
  /** The run came from the cache, so the decision is only trustworthy if it commits. */
  fromCache: boolean;
}

export async function loadSnapshot(store: EventStore, needs: SnapshotNeeds, cache?: SnapshotCache): Promise<LoadedSnapshot> {
  const { cached, missing } = cache ? cache.lookup(needs) : { cached: {}, missing: needs };
  const fromCache = cached.run !== undefined;
  const fresh = await readSnapshot(store, missing, { skipRun: fromCache });
  const snapshot: Snapshot = { ...cached, ...fresh };
  if (cache && !fromCache) cache.loaded(needs.runId, snapshot);
  return { snapshot, fromCache };
}

async function readSnapshot(store: EventStore, needs: SnapshotNeeds, options: { skipRun: boolean }): Promise<Snapshot> {
  const { runId } = needs;
  const [run, step, hook, wait, tokenHolder, children] = await Promise.all([
    runId && !options.skipRun ? store.getRun(runId) : undefined,
    needs.stepId !== undefined ? store.getStep(runId, needs.stepId) : undefined,
    needs.hookId !== undefined ? store.getHook(needs.hookId) : undefined,
    needs.waitId !== undefined ? store.getWait(runId, needs.waitId) : undefined,
    needs.token !== undefined ? loadTokenHolder(store, needs.token) : undefined,
    needs.runChildren && runId ? store.listRunChildren(runId) : undefined,
  ]);
  const snapshot: Snapshot = {};
  if (run) snapshot.run = run;
  // A step, hook or wait of another run is not this run's entity.
  if (step && step.runId === runId) snapshot.step = step;
  if (hook) snapshot.hook = hook;
  if (wait) snapshot.wait = wait;
  if (tokenHolder) snapshot.tokenHolder = tokenHolder;
  if (children) {
    snapshot.runHooks = children.hooks;
    snapshot.runWaits = children.waits;
  }
  return snapshot;
}

async function loadTokenHolder(store: EventStore, token: string): Promise<Snapshot['tokenHolder']> {
  const hook = await store.getHookByToken(token);
  if (!hook) return undefined;
  const holderRun = await store.getRunEntity(hook.runId);
  return { hook, runStatus: holderRun?.status };
}
