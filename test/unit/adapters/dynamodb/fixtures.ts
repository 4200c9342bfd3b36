// Entities and commits shaped like the ones the domain produces.
import type { Event, Hook, Step, Wait, WorkflowRun, WorkflowRunStatus } from '@workflow/world';
import type { Commit, RunRecord } from '../../../../src/domain/model.js';
import type { EventStoreTables } from '../../../../src/adapters/aws/dynamodb/tables.js';

export const TABLES: EventStoreTables = { runs: 't-runs', steps: 't-steps', events: 't-events', hooks: 't-hooks' };
export const RUN_ID = 'wrun_01JH0000000000000000000000';
export const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
export const at = (ms: number) => new Date(T0 + ms);
export const eventId = (n: number) => `evnt_01JH00000000000000000000${String(n).padStart(2, '0')}`;
export const bytes = (...values: number[]) => new Uint8Array(values);

export function run(status: WorkflowRunStatus = 'pending', extra: Partial<Record<string, unknown>> = {}): WorkflowRun {
  return {
    runId: RUN_ID,
    status,
    deploymentId: 'dpl_1',
    workflowName: 'wf//order',
    specVersion: 3,
    executionContext: { workflowCoreVersion: '4.8.9' },
    input: bytes(1, 2, 3),
    createdAt: at(0),
    updatedAt: at(0),
    ...extra,
  } as WorkflowRun;
}

export function record(r: WorkflowRun, version: number, lastEventId: string | null, eventCount = version): RunRecord {
  return { run: r, version, lastEventId, lastEventAt: T0 + version, eventCount };
}

export function event(n: number, eventType: string, extra: Record<string, unknown> = {}): Event {
  return { runId: RUN_ID, eventId: eventId(n), eventType, createdAt: at(n), specVersion: 3, ...extra } as Event;
}

export function step(stepId: string, status: Step['status'], extra: Partial<Step> = {}): Step {
  return { runId: RUN_ID, stepId, stepName: 'charge', status, attempt: 0, input: bytes(9), createdAt: at(1), updatedAt: at(1), specVersion: 3, ...extra };
}

export function hook(hookId: string, token: string, runId = RUN_ID): Hook {
  return { runId, hookId, token, ownerId: '', projectId: '', environment: '', createdAt: at(2), specVersion: 3, isWebhook: false };
}

export function wait(correlationId: string, status: Wait['status'] = 'waiting', extra: Partial<Wait> = {}): Wait {
  return { runId: RUN_ID, waitId: `${RUN_ID}-${correlationId}`, status, resumeAt: at(60_000), createdAt: at(3), updatedAt: at(3), specVersion: 3, ...extra };
}

export function commit(partial: Partial<Commit> & Pick<Commit, 'expectRun' | 'run'>): Commit {
  return {
    runId: RUN_ID,
    runChanged: false,
    events: [],
    putSteps: [],
    putHooks: [],
    deleteHooks: [],
    putWaits: [],
    deleteWaits: [],
    tokenClaims: [],
    tokenReleases: [],
    ...partial,
  };
}
