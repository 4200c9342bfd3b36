// Runs by status, read through the world's Storage API (`runs.list({status})`,
// an index query per page, never a scan). Counting pages through every run of
// a status, so counts stop at `countLimit` and say so.
import type { WorkflowRunStatus } from '@workflow/world';
import type { AwsWorld } from '../../world/assemble-world.js';

export const RUN_STATUSES: readonly WorkflowRunStatus[] = ['pending', 'running', 'completed', 'failed', 'cancelled'];
const ACTIVE: readonly WorkflowRunStatus[] = ['pending', 'running'];
/** The Storage API's largest page. */
const PAGE = 1000;

export interface RunCount {
  count: number;
  /** True when counting stopped at the limit: there are at least `count`. */
  capped: boolean;
}

export interface RunsStatus {
  byStatus: Record<WorkflowRunStatus, RunCount>;
  active: RunCount;
  oldestActive?: { runId: string; workflowName: string; status: string; createdAt: string; ageSeconds: number };
  lastFailed: { runId: string; workflowName: string; failedAt?: string; error?: string }[];
  /** Failed runs that started or failed in the last `windowSeconds` (what `status` alerts on). */
  failedInWindow: RunCount & { windowSeconds: number };
  /** Storage API pages read, each one index query. */
  queries: number;
}

export async function runsStatus(
  world: Pick<AwsWorld, 'runs'>,
  options: { countLimit: number; now?: number; windowSeconds?: number },
): Promise<RunsStatus> {
  let queries = 0;
  const list = (params: Parameters<AwsWorld['runs']['list']>[0]) => {
    queries++;
    return world.runs.list(params);
  };
  const count = async (status: WorkflowRunStatus): Promise<RunCount> => {
    let total = 0;
    let cursor: string | undefined;
    do {
      const limit = Math.min(PAGE, options.countLimit - total);
      const page = await list({ status, resolveData: 'none', pagination: { limit, ...(cursor ? { cursor } : {}) } });
      total += page.data.length;
      cursor = page.hasMore && page.cursor ? page.cursor : undefined;
      if (cursor && total >= options.countLimit) return { count: total, capped: true };
    } while (cursor);
    return { count: total, capped: false };
  };
  const counts = await Promise.all(RUN_STATUSES.map(async (s) => [s, await count(s)] as const));
  const byStatus = Object.fromEntries(counts) as Record<WorkflowRunStatus, RunCount>;
  const active = { count: byStatus.pending.count + byStatus.running.count, capped: byStatus.pending.capped || byStatus.running.capped };

  // Oldest first: one item per active status.
  const oldest = (
    await Promise.all(ACTIVE.map((status) => list({ status, resolveData: 'none', pagination: { limit: 1, sortOrder: 'asc' } })))
  )
    .flatMap((page) => page.data)
    .sort((a, b) => new Date(a.createdAt).getTime() - new Date(b.createdAt).getTime())[0];
  const now = options.now ?? Date.now();

  const failed = await list({ status: 'failed', resolveData: 'none', pagination: { limit: 5, sortOrder: 'desc' } });
  const windowSeconds = options.windowSeconds ?? DEFAULT_WINDOW_SECONDS;
  const failedInWindow = { ...(await countFailedSince(list, now - windowSeconds * 1000, options.countLimit)), windowSeconds };
  return {
    byStatus,
    active,
    ...(oldest
      ? {
          oldestActive: {
            runId: oldest.runId,
            workflowName: oldest.workflowName,
            status: oldest.status,
            createdAt: new Date(oldest.createdAt).toISOString(),
            ageSeconds: Math.max(0, Math.round((now - new Date(oldest.createdAt).getTime()) / 1000)),
          },
        }
      : {}),
    lastFailed: failed.data.map((run) => ({
      runId: run.runId,
      workflowName: run.workflowName,
      ...(run.completedAt ? { failedAt: new Date(run.completedAt).toISOString() } : {}),
      ...(run.error?.message ? { error: firstLine(run.error.message) } : {}),
    })),
    failedInWindow,
    queries,
  };
}

/** `status` looks for failures this far back unless told otherwise. */
export const DEFAULT_WINDOW_SECONDS = 24 * 3600;

/**
 * Failed runs newest first (by start), counting those that started or failed
 * since `since`; stops at the first page that started before it, so a run
 * started long before the window is seen only if it is among that page.
 */
async function countFailedSince(
  list: (params: Parameters<AwsWorld['runs']['list']>[0]) => ReturnType<AwsWorld['runs']['list']>,
  since: number,
  countLimit: number,
): Promise<RunCount> {
  let total = 0;
  let cursor: string | undefined;
  do {
    const page = await list({ status: 'failed', resolveData: 'none', pagination: { limit: 100, sortOrder: 'desc', ...(cursor ? { cursor } : {}) } });
    const time = (d: Date | string | undefined) => (d === undefined ? 0 : new Date(d).getTime());
    total += page.data.filter((run) => time(run.createdAt) >= since || time(run.completedAt) >= since).length;
    if (total >= countLimit) return { count: total, capped: true };
    const oldest = page.data[page.data.length - 1];
    cursor = page.hasMore && page.cursor && oldest && time(oldest.createdAt) >= since ? page.cursor : undefined;
  } while (cursor);
  return { count: total, capped: false };
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}
