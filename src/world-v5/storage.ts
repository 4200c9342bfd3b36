// The 5 line's Storage over the shared storage service: the same runs, steps,
// hooks and log, plus what the 5 interface adds. events.create reports the
// events its commit skipped over (bump and report) and signals run changes;
// events.createBatch commits consecutive slots atomically per chunk;
// runs.getMany, runs.waitForTerminalStatus, and a status list in runs.list.
import type { Storage } from '@workflow/world';
import type { Clock } from '../ports/clock.js';
import type { BatchCommitter } from './batch/batch-commit.js';
import type { RunSignals } from './run-signals.js';
import { skippedEvents, type ListEventsDesc } from './skipped-events.js';
import { eventIdToSlot } from '../domain/slot-ids.js';
import { waitForTerminal } from './terminal-wait.js';
import type { CreateEventParams, EventBatchResult, EventResult, StorageV5, WorkflowRun } from './types.js';

export interface StorageV5Deps {
  storage: Storage;
  batches: BatchCommitter;
  signals: RunSignals;
  clock: Clock;
}

type RunStatus = WorkflowRun['status'];

export function storageV5({ storage, batches, signals, clock }: StorageV5Deps): StorageV5 {
  const listDesc: ListEventsDesc = (runId, limit, cursor) => storage.events.list({ runId, pagination: { sortOrder: 'desc', limit, cursor } });

  const create = async (runId: string | null, data: unknown, params?: CreateEventParams): Promise<EventResult> => {
    const result = (await storage.events.create(runId as string, data as never, params as never)) as EventResult;
    const committedRunId = result.run?.runId ?? runId;
    if (committedRunId && result.run) signals.notify(committedRunId);
    const slot = result.event ? eventIdToSlot(result.event.eventId) : null;
    if (committedRunId && slot !== null && typeof params?.eventCount === 'number') {
      const report = await skippedEvents(listDesc, committedRunId, params.eventCount, slot);
      if (report) Object.assign(result, report);
    }
    return result;
  };

  const createBatch = async (runId: string, events: readonly { event: unknown }[], params?: { resolveData?: 'all' | 'none' }): Promise<EventBatchResult> => {
    const results = await batches.createBatch(runId, events as never, params?.resolveData);
    if (results.some((item) => item.run !== undefined)) signals.notify(runId);
    return { results } as EventBatchResult;
  };

  const list = (params?: { status?: RunStatus | RunStatus[] } & Record<string, unknown>) => {
    const status = params?.status;
    if (!Array.isArray(status)) return storage.runs.list(params as never);
    if (status.length === 1) return storage.runs.list({ ...params, status: status[0] } as never);
    // Several statuses: the unfiltered listing, filtered here (a page may come back short; its cursor continues it).
    const wanted = new Set(status);
    return storage.runs.list({ ...params, status: undefined } as never).then((page) => ({ ...page, data: page.data.filter((run) => wanted.has(run.status)) }));
  };

  const getMany = async (ids: readonly string[], params?: { resolveData?: 'all' | 'none' }) =>
    Promise.all(
      ids.map((id) =>
        storage.runs.get(id, params).catch((error: unknown) => {
          if ((error as Error | null)?.name === 'WorkflowRunNotFoundError') return null;
          throw error;
        }),
      ),
    );

  return {
    runs: {
      get: storage.runs.get,
      list,
      getMany,
      waitForTerminalStatus: (id: string, params?: { resolveData?: 'all' | 'none'; timeoutMs?: number; signal?: AbortSignal }) =>
        waitForTerminal(() => storage.runs.get(id, { resolveData: params?.resolveData }), id, params ?? {}, { clock, signals }),
    },
    steps: storage.steps,
    events: {
      create,
      createBatch,
      get: storage.events.get,
      list: storage.events.list,
      listByCorrelationId: storage.events.listByCorrelationId,
    },
    hooks: storage.hooks,
  } as unknown as StorageV5;
}
