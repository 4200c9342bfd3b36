// How runs come to exist: run_created (§2.4), or a run_started whose run is
// missing but which carries the run's input (resilient start).
import type { CreateEventParams } from '@workflow/world';
import { badRequest, runAlreadyExists, runNotFound } from '../errors.js';
import type { Decision, DecisionContext, Snapshot } from '../model.js';
import { CommitBuilder } from './commit-builder.js';
import { compact } from './compact.js';
import { commitWith, reject } from './decision.js';
import { runIdProblem } from './run-id.js';
import type { RequestOf } from './request.js';
import { legacyRunProblem, specVersionProblem } from './run-guards.js';
import { pendingRun, runningRun } from './run-entity.js';

/** `requestedRunId` null or '' asks the world to mint the id. */
export const createRun = (
  requestedRunId: string | null,
  request: RequestOf<'run_created'>,
  params: CreateEventParams | undefined,
  snapshot: Snapshot,
  ctx: DecisionContext,
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
  const event = builder.appendRequest(request, params);
  const { deploymentId, workflowName, input, executionContext } = request.eventData;
  const run = pendingRun({ runId, deploymentId, workflowName, input, executionContext, specVersion }, builder.at);
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
  builder.append({ eventType: 'run_created', eventData: compact(creation), specVersion });
  const event = builder.appendRequest(request, params);
  const run = runningRun(pendingRun({ runId, specVersion, ...creation }, builder.at), builder.at);
  return commitWith(builder.build(run, true), { event, run });
};
