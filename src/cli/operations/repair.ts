// repair: re-enqueues every pending or running run on the workflow queue, so a
// run whose wake-up message was lost (a consumer outage longer than the
// queues' 14-day retention, a message purged or dead-lettered by hand) runs
// again. The runtime's flow handler replays the event log, so a run that was
// fine gets one harmless extra replay: a sleeping run re-arms its timer, a
// waiting hook keeps waiting. This is what world-postgres and world-local do
// on every start; in Lambda mode nothing starts, so it is a command (run it by
// hand after an outage, or from a scheduler: docs/cli.md).
import type { World } from '@workflow/world';

export interface RepairOptions {
  /** Count only; send nothing. */
  dryRun: boolean;
  /** Runs that have not changed for less than this are skipped: they are moving. Default 0. */
  idleSeconds?: number;
  now?: () => number;
  note?: (line: string) => void;
}

export interface RepairResult {
  active: number;
  reenqueued: number;
  skippedRecent: number;
  failed: Array<{ runId: string; error: string }>;
}

const STATUSES = ['pending', 'running'] as const;

export async function repairActiveRuns(world: Pick<World, 'runs' | 'queue'>, options: RepairOptions): Promise<RepairResult> {
  const now = options.now ?? Date.now;
  const result: RepairResult = { active: 0, reenqueued: 0, skippedRecent: 0, failed: [] };
  for (const status of STATUSES) {
    let cursor: string | undefined;
    do {
      const page = await world.runs.list({ status, resolveData: 'none', pagination: { limit: 100, cursor } });
      for (const run of page.data) {
        result.active++;
        const idleMs = now() - new Date(run.updatedAt).getTime();
        if (options.idleSeconds && idleMs < options.idleSeconds * 1000) {
          result.skippedRecent++;
          continue;
        }
        if (options.dryRun) continue;
        try {
          await world.queue(`__wkf_workflow_${run.workflowName}` as Parameters<World['queue']>[0], { runId: run.runId });
          result.reenqueued++;
        } catch (error) {
          result.failed.push({ runId: run.runId, error: error instanceof Error ? error.message : String(error) });
        }
      }
      options.note?.(`${status}: ${page.data.length} run(s) on this page`);
      cursor = page.hasMore ? (page.cursor ?? undefined) : undefined;
    } while (cursor);
  }
  return result;
}
