// How runs come to exist: run_created (§2.4), or a run_started whose run is
// missing but which carries the run's input (resilient start).
import type { CreateEventParams } from '@workflow/world';
import { badRequest, runAlreadyExists, runNotFound } from '../errors.js';
import type { Decision, DecisionContext, Snapshot } from '../model.js';
import { CommitBuilder, type EventBody } from './commit-builder.js';
import { compact } from './compact.js';
import { commitWith, reject } from './decision.js';
import { runIdProblem } from './run-id.js';
import type { RequestOf } from './request.js';
import { legacyRunProblem, specVersionProblem } from './run-guards.js';
import { pendingRun, runningRun } from './run-entity.js';

/**
 * The `attributes` of a run_created or run_started as sent (the 4.x request
 * schema strips them), or why they cannot be kept: string keys and values only.
 */
export const runAttributesOf = (raw: unknown): { attributes?: Record<string, string> } | { error: Error } => {
  const attributes = (raw as { eventData?: { attributes?: unknown } } | null)?.eventData?.attributes;
  if (attributes === undefined) return {};
  if (attributes === null || typeof attributes !== 'object' || Array.isArray(attributes)) {
    return { error: badRequest('Invalid run attributes: expected an object of string values') };
  }
  const entries = Object.entries(attributes);
  const bad = entries.find(([, value]) => typeof value !== 'string');
  if (bad) return { error: badRequest(`Invalid run attribute "${bad[0]}": expected a string value`) };
  return entries.length === 0 ? {} : { attributes: Object.fromEntries(entries) as Record<string, string> };
};

/** `requestedRunId` null or '' asks the world to mint the id. */
export const createRun = (
  requestedRunId: string | null,
  request: RequestOf<'run_created'>,
  params: CreateEventParams | undefined,
  snapshot: Snapshot,
  ctx: DecisionContext,
  attributes?: Record<string, string>,
): Decision => {
  let runId: string;
  if (requestedRunId) {
    const problem = runIdProblem(requestedRunId, ctx.now);
    if (problem) return reject(badRequest(problem));
    if (snapshot.run) return reject(runAlreadyExists(requestedRunId));
    runId = requestedRunId;
  } else {
    runId = ctx.newRunId(ctx.now);
  }
  const builder = new CommitBuilder(ctx, runId, undefined);
  const specVersion = builder.specVersionOf(request);
  // A newer spec is stored as asked and refused on the run's next event (§2.7).
  const legacy = legacyRunProblem(runId, specVersion);
  if (legacy) return reject(legacy);
  // The event keeps the attributes, so the log alone rebuilds the run.
  const stored = attributes ? ({ ...request, eventData: { ...request.eventData, attributes } } as RequestOf<'run_created'>) : request;
  const event = builder.appendRequest(stored, params);
  const { deploymentId, workflowName, input, executionContext } = request.eventData;
  const run = pendingRun({ runId, deploymentId, workflowName, input, executionContext, specVersion, attributes }, builder.at);
  return commitWith(builder.build(run, true), { event, run });
};

/**
 * run_started for a run that does not exist: the first queue message can
 * overtake start()'s run_created, or run_created may have failed. With the
 * run's input in eventData, one commit creates the run with a synthetic
 * run_created (first in the log) and starts it.
 */
export const startMissingRun = (
  runId: string,
  request: RequestOf<'run_started'>,
  params: CreateEventParams | undefined,
  ctx: DecisionContext,
  attributes?: Record<string, string>,
): Decision => {
  const data = request.eventData;
  if (!data?.deploymentId || !data.workflowName || data.input === undefined) return reject(runNotFound(runId));
  const builder = new CommitBuilder(ctx, runId, undefined);
  const specVersion = builder.specVersionOf(request);
  // The run_started half applies to the new run, so it gets every existing-run check.
  const specProblem = specVersionProblem(runId, specVersion, ctx);
  if (specProblem) return reject(specProblem);
  const creation = {
    deploymentId: data.deploymentId,
    workflowName: data.workflowName,
    input: data.input,
    executionContext: data.executionContext,
  };
  builder.append({ eventType: 'run_created', eventData: compact({ ...creation, attributes }), specVersion } as EventBody);
  const event = builder.appendRequest(request, params);
  const run = runningRun(pendingRun({ runId, specVersion, ...creation, attributes }, builder.at), builder.at);
  return commitWith(builder.build(run, true), { event, run });
};
