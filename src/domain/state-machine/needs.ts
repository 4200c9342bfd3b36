// Which reads the application makes before deciding on a request.
import type { AnyEventRequest } from '@workflow/world';
import type { SnapshotNeeds } from '../model.js';
import { compact } from './compact.js';
import { waitIdOf } from './wait.js';

/**
 * The reads `decide` needs for `request` on `runId`. Every read is of the run
 * plus what the event touches; terminal run transitions also need the run's
 * hooks and waits, to dispose of them.
 *
 * `runId: ''` means "read nothing": a run_created without a run id gets a
 * freshly minted id, which no stored run can have, and any other event without
 * a run id is rejected before the snapshot is consulted.
 *
 * Tolerates malformed requests (they are rejected by `decide`).
 */
export const snapshotNeeds = (runId: string | null, request: AnyEventRequest): SnapshotNeeds => {
  if (!runId) return { runId: '' };
  const correlationId = stringOrUndefined((request as { correlationId?: unknown }).correlationId);
  switch (request.eventType) {
    case 'run_completed':
    case 'run_failed':
    case 'run_cancelled':
      return { runId, runChildren: true };
    case 'step_created':
    case 'step_started':
    case 'step_completed':
    case 'step_failed':
    case 'step_retrying':
      return compact({ runId, stepId: correlationId });
    case 'hook_created':
      return compact({ runId, hookId: correlationId, token: stringOrUndefined(request.eventData?.token) });
    case 'hook_received':
    case 'hook_disposed':
      return compact({ runId, hookId: correlationId });
    case 'wait_created':
    case 'wait_completed':
      return compact({ runId, waitId: correlationId === undefined ? undefined : waitIdOf(runId, correlationId) });
    default:
      return { runId };
  }
};

const stringOrUndefined = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
