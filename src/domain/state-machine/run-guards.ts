// Checks that apply to any event on an existing run, before its own rules:
// spec versions (§2.7) and the stale-snapshot guard (§2.6).
import { isLegacySpecVersion, type AnyEventRequest, type CreateEventParams } from '@workflow/world';
import { legacyRunNotSupported, runNotSupported, staleSnapshot } from '../errors.js';
import type { DecisionContext, RunRecord } from '../model.js';

/**
 * Legacy runs (spec 1 or none) predate event sourcing; this world never wrote
 * any, so it neither serves nor creates them.
 */
export const legacyRunProblem = (runId: string, specVersion: number | undefined): Error | undefined =>
  isLegacySpecVersion(specVersion) ? legacyRunNotSupported(runId, specVersion) : undefined;

/** Why an existing run of `specVersion` cannot be handled by this world, if it cannot. */
export const specVersionProblem = (runId: string, specVersion: number | undefined, ctx: DecisionContext): Error | undefined =>
  specVersion !== undefined && specVersion > ctx.worldSpecVersion
    ? runNotSupported(specVersion, ctx.worldSpecVersion)
    : legacyRunProblem(runId, specVersion);

/** The error for an event on `record`'s run that no event type may bypass, if any. */
export const runGuardProblem = (
  runId: string,
  record: RunRecord,
  params: CreateEventParams | undefined,
  ctx: DecisionContext,
): Error | undefined => {
  const specProblem = specVersionProblem(runId, record.run.specVersion, ctx);
  if (specProblem) return specProblem;
  const snapshotAt = params?.stateUpdatedAt;
  const markerAt = record.externalStateAt;
  // Strictly older only: an equal snapshot has seen the newest external event.
  if (ctx.preconditionGuard && snapshotAt !== undefined && markerAt !== undefined && snapshotAt < markerAt) {
    return staleSnapshot(snapshotAt, markerAt);
  }
  return undefined;
};

/**
 * Whether this event advances the §2.6 marker: deliveries from outside the
 * replay (a hook payload, a step result) that carry no snapshot of their own.
 */
export const isExternalStateChange = (request: AnyEventRequest, params: CreateEventParams | undefined): boolean =>
  (request.eventType === 'hook_received' || request.eventType === 'step_completed') &&
  params?.stateUpdatedAt === undefined;
