// verify over many runs: the given runs, or every run created within
// `sinceMs` (newest first, from the run listing), each checked by checkRun.
import type { Clock } from '../../ports/clock.js';
import type { EventStore } from '../../ports/event-store.js';
import { checkRun, type ProjectionDrift } from './projection-check.js';

export interface VerifyOptions {
  /** Check these runs only. */
  runIds?: string[];
  /** Otherwise every run created within this many ms (all runs when absent). */
  sinceMs?: number;
  /** Rewrite the stored projections of runs that drifted, from their logs. */
  repair?: boolean;
  clock: Pick<Clock, 'now'>;
  /** Called after each run (progress). */
  onRun?: (runId: string, drift: number) => void;
}

export interface VerifyResult {
  runsChecked: number;
  /** What readers are served that differs from the logs, and events the logs cannot replay; empty when all is well. */
  drift: ProjectionDrift[];
  /**
   * Stored projections behind their logs that readers complete from the log
   * tail (their writer died or has not written yet): not wrong, but
   * index-backed listings show them until written. `repair` writes them.
   */
  late: ProjectionDrift[];
  /** Runs whose stored projections were rewritten (with `repair`). */
  repaired: string[];
}

export async function verifyRuns(store: EventStore, options: VerifyOptions): Promise<VerifyResult> {
  // This process's own commits first: what is still in its write-behind is not drift.
  await store.flush?.();
  const result: VerifyResult = { runsChecked: 0, drift: [], late: [], repaired: [] };
  for await (const runId of runsToCheck(store, options)) {
    const check = await checkRun(store, runId, { repair: options.repair });
    result.runsChecked++;
    result.drift.push(...check.drift);
    result.late.push(...check.late);
    if (check.repaired) result.repaired.push(runId);
    options.onRun?.(runId, check.drift.length);
  }
  return result;
}

async function* runsToCheck(store: EventStore, options: VerifyOptions): AsyncGenerator<string> {
  if (options.runIds) {
    yield* options.runIds;
    return;
  }
  const from = options.sinceMs === undefined ? undefined : options.clock.now() - options.sinceMs;
  let after: string | undefined;
  for (;;) {
    const page = await store.listRuns({ limit: 100, order: 'desc', ...(after === undefined ? {} : { after }) });
    for (const run of page.items) {
      if (from !== undefined && new Date(run.createdAt).getTime() < from) return;
      yield run.runId;
    }
    if (!page.hasMore || page.lastKey === null) return;
    after = page.lastKey;
  }
}
