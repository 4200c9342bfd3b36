// A self-woken replay: a replay of a run whose every wake-up came from this
// process's own commits to that run (the queue layer's wake-up continuation
// of a step run here, with no other wake-up absorbed into it). Its
// run_started may be answered from the log as this process last committed it,
// with no read: that replay is the same as one that ran at that commit (every
// commit it makes is conditioned on the run's version, so anything appended
// since makes it conflict and be decided again on fresh reads), and no
// wake-up of an event appended since is consumed by it. The queue layer enters
// the scope; the event service takes it (event-service.ts). Process-wide,
// because bundled routes may load their own copy of this module.
import { AsyncLocalStorage } from 'node:async_hooks';
import { processScope, token } from '../../process-scope.js';

interface SelfWoken {
  runId: string;
  /** Taken by the replay's run_started, or the replay is over: work started inside it never inherits it. */
  spent: boolean;
}

const SCOPE = token<AsyncLocalStorage<SelfWoken>>('self-woken-replay');

function storage(): AsyncLocalStorage<SelfWoken> {
  return processScope().shared(SCOPE, () => new AsyncLocalStorage<SelfWoken>());
}

/** Runs a replay of `runId` as a self-woken replay: its first run_started may use the log this process last committed. */
export async function asSelfWokenReplay<T>(runId: string, replay: () => Promise<T>): Promise<T> {
  const mark: SelfWoken = { runId, spent: false };
  try {
    return await storage().run(mark, replay);
  } finally {
    mark.spent = true;
  }
}

/** Runs `work` outside any self-woken replay (a replay woken from elsewhere, or work that is not a replay). */
export function notSelfWoken<T>(work: () => T): T {
  return storage().exit(work);
}

/** True, once, inside a self-woken replay of `runId`: the caller is that replay's run_started. */
export function takeSelfWokenReplay(runId: string): boolean {
  const mark = storage().getStore();
  if (!mark || mark.spent || mark.runId !== runId) return false;
  mark.spent = true;
  return true;
}
