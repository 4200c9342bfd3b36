// The event state machine: given a request and the state it touches, the
// commit to apply, the reply to give, or the contract's error (§2.3).
import type { AnyEventRequest, CreateEventParams } from '@workflow/world';
import { badRequest, runNotFound } from '../errors.js';
import type { Decision, DecisionContext, Snapshot } from '../model.js';
import { reject, type Situation } from './decision.js';
import { createHook, disposeHook, receiveHook } from './hook.js';
import { parseRequest } from './request.js';
import { cancelRun, completeRun, failRun, startRun } from './run.js';
import { createRun, runAttributesOf, startMissingRun } from './run-creation.js';
import { runGuardProblem } from './run-guards.js';
import { completeStep, createStep, failStep, lazyStepCreation, retryStep, startNewStep, startStep, type LazyStepCreation } from './step.js';
import { completeWait, createWait } from './wait.js';

export interface DecideInput {
  runId: string | null;
  request: AnyEventRequest;
  params?: CreateEventParams;
  /** What `snapshotNeeds(runId, request)` asked for, read strongly consistently. */
  snapshot: Snapshot;
  ctx: DecisionContext;
  /** A lazy step_started's creation data (only with `ctx.lazyStepStart`). */
  lazyStep?: LazyStepCreation;
  /** A new run's attributes (only with `ctx.runAttributes`). */
  attributes?: Record<string, string>;
}

export const decide = ({ runId, request: raw, params, snapshot, ctx }: DecideInput): Decision => {
  const parsed = parseRequest(raw);
  if ('error' in parsed) return reject(parsed.error);
  const lazyStep = ctx.lazyStepStart ? lazyStepCreation(raw) : undefined;
  const extras = ctx.runAttributes ? runAttributesOf(raw) : {};
  if ('error' in extras) return reject(extras.error);
  return decideParsed({ runId, request: parsed.request, params, snapshot, ctx, lazyStep, attributes: extras.attributes });
};

/** `decide` for a request already in its validated form (a stored event being replayed: log-fold.ts). */
export const decideParsed = ({ runId, request, params, snapshot, ctx, lazyStep, attributes }: DecideInput): Decision => {
  if (request.eventType === 'run_created') return createRun(runId, request, params, snapshot, ctx, attributes);
  if (!runId) return reject(badRequest(`runId is required for ${request.eventType} events`));

  const record = snapshot.run;
  if (!record) {
    return request.eventType === 'run_started' ? startMissingRun(runId, request, params, ctx, attributes) : reject(runNotFound(runId));
  }
  const problem = runGuardProblem(runId, record, params, ctx);
  if (problem) return reject(problem);

  const s: Situation = { runId, record, snapshot, params, ctx };
  switch (request.eventType) {
    case 'run_started':
      return startRun(s, request);
    case 'run_completed':
      return completeRun(s, request);
    case 'run_failed':
      return failRun(s, request);
    case 'run_cancelled':
      return cancelRun(s, request);
    case 'step_created':
      return createStep(s, request);
    case 'step_started':
      return lazyStep ? startNewStep(s, request, lazyStep) : startStep(s, request);
    case 'step_completed':
      return completeStep(s, request);
    case 'step_failed':
      return failStep(s, request);
    case 'step_retrying':
      return retryStep(s, request);
    case 'hook_created':
      return createHook(s, request);
    case 'hook_received':
      return receiveHook(s, request);
    case 'hook_disposed':
      return disposeHook(s, request);
    case 'wait_created':
      return createWait(s, request);
    case 'wait_completed':
      return completeWait(s, request);
  }
};
