// Step lifecycle (§2.3): step_created, step_started, step_completed,
// step_failed, step_retrying. A step keeps one record; each event rewrites it.
import { isTerminalStepStatus, isTerminalWorkflowRunStatus, type Event, type Step } from '@workflow/world';
import { createOnTerminalRun, stepAlreadyExists, stepNotFound, stepOnTerminalRun, stepTerminal, stepTooEarly } from '../errors.js';
import type { Decision } from '../model.js';
import { CommitBuilder, type EventBody } from './commit-builder.js';
import { compact } from './compact.js';
import { commitWith, reject, type Situation } from './decision.js';
import type { RequestOf } from './request.js';
import { isExternalStateChange } from './run-guards.js';
import { stepError } from './structured-error.js';

type StepRequest = RequestOf<'step_started' | 'step_completed' | 'step_failed' | 'step_retrying'>;

export const createStep = (s: Situation, request: RequestOf<'step_created'>): Decision => {
  if (isTerminalWorkflowRunStatus(s.record.run.status)) return reject(createOnTerminalRun(s.record.run.status));
  if (s.snapshot.step) return reject(stepAlreadyExists(request.correlationId));
  const builder = new CommitBuilder(s.ctx, s.runId, s.record);
  const event = builder.appendRequest(request, s.params);
  const step: Step = compact({
    runId: s.runId,
    stepId: request.correlationId,
    stepName: request.eventData.stepName,
    status: 'pending' as const,
    input: request.eventData.input,
    attempt: 0,
    createdAt: new Date(builder.at),
    updatedAt: new Date(builder.at),
    specVersion: builder.specVersionOf(request),
  });
  return updateStep(builder, s, event, step);
};

/** What a lazy step_started carries to create its step. */
export interface LazyStepCreation {
  stepName: string;
  input: unknown;
  ownerMessageId?: string;
}

/**
 * The creation data of a lazy step_started, read from the request as sent:
 * the 4.x request schema strips `input` and `ownerMessageId` from step_started.
 */
export const lazyStepCreation = (raw: unknown): LazyStepCreation | undefined => {
  const data = (raw as { eventType?: unknown; eventData?: Record<string, unknown> } | null)?.eventData;
  if ((raw as { eventType?: unknown }).eventType !== 'step_started' || typeof data !== 'object' || data === null) return undefined;
  if (typeof data.stepName !== 'string' || data.input === undefined) return undefined;
  return compact({ stepName: data.stepName, input: data.input, ownerMessageId: typeof data.ownerMessageId === 'string' ? data.ownerMessageId : undefined });
};

/**
 * Lazy step start: the step is created born running by its step_started,
 * after a synthetic step_created (so replay sees the creation), in one commit.
 * Whoever finds the step already there lost the create and must not run it.
 */
export const startNewStep = (s: Situation, request: RequestOf<'step_started'>, lazy: LazyStepCreation): Decision => {
  if (isTerminalWorkflowRunStatus(s.record.run.status)) return reject(createOnTerminalRun(s.record.run.status));
  if (s.snapshot.step) return reject(stepAlreadyExists(request.correlationId));
  const builder = new CommitBuilder(s.ctx, s.runId, s.record);
  const specVersion = builder.specVersionOf(request);
  builder.append({ eventType: 'step_created', correlationId: request.correlationId, eventData: { stepName: lazy.stepName, input: lazy.input }, specVersion } as EventBody);
  const event = builder.append({
    ...request,
    eventData: compact({ ...request.eventData, stepName: lazy.stepName, ownerMessageId: lazy.ownerMessageId }),
    specVersion,
    occurredAt: s.params?.occurredAt,
  } as EventBody);
  const at = new Date(builder.at);
  const step: Step = compact({
    runId: s.runId,
    stepId: request.correlationId,
    stepName: lazy.stepName,
    status: 'running' as const,
    input: lazy.input,
    attempt: 1,
    startedAt: at,
    createdAt: at,
    updatedAt: at,
    specVersion,
  });
  builder.putStep(step);
  return commitWith(builder.build(s.record.run, false), { event, step, stepCreated: true });
};

export const startStep = (s: Situation, request: RequestOf<'step_started'>): Decision => {
  const found = stepToModify(s, request, { runMayHaveEnded: false });
  if ('error' in found) return reject(found.error);
  const { step } = found;
  const retryAt = step.retryAfter?.getTime();
  if (retryAt !== undefined && retryAt > s.ctx.now) {
    return reject(stepTooEarly(step.stepId, Math.ceil((retryAt - s.ctx.now) / 1000)));
  }
  const builder = new CommitBuilder(s.ctx, s.runId, s.record);
  const event = builder.appendRequest(request, s.params);
  const { retryAfter: _cleared, ...rest } = step;
  return updateStep(builder, s, event, {
    ...rest,
    status: 'running',
    attempt: step.attempt + 1,
    // The first start only: later attempts keep when the step first ran.
    startedAt: step.startedAt ?? new Date(builder.at),
    updatedAt: new Date(builder.at),
  });
};

/** Run state is not checked: a step already running may still report its result after the run ended. */
export const completeStep = (s: Situation, request: RequestOf<'step_completed'>): Decision => {
  const found = stepToModify(s, request, { runMayHaveEnded: true });
  if ('error' in found) return reject(found.error);
  const builder = new CommitBuilder(s.ctx, s.runId, s.record);
  const event = builder.appendRequest(request, s.params);
  if (isExternalStateChange(request, s.params)) builder.markExternalState(event);
  return updateStep(builder, s, event, {
    ...found.step,
    status: 'completed',
    output: request.eventData.result,
    completedAt: new Date(builder.at),
    updatedAt: new Date(builder.at),
  });
};

export const failStep = (s: Situation, request: RequestOf<'step_failed'>): Decision => {
  const found = stepToModify(s, request, { runMayHaveEnded: false });
  if ('error' in found) return reject(found.error);
  const builder = new CommitBuilder(s.ctx, s.runId, s.record);
  const event = builder.appendRequest(request, s.params);
  return updateStep(builder, s, event, {
    ...found.step,
    status: 'failed',
    error: errorOf(s, request),
    completedAt: new Date(builder.at),
    updatedAt: new Date(builder.at),
  });
};

/** Back to pending with the error; retryAfter holds off the next step_started. Run state is not checked. */
export const retryStep = (s: Situation, request: RequestOf<'step_retrying'>): Decision => {
  const found = stepToModify(s, request, { runMayHaveEnded: true });
  if ('error' in found) return reject(found.error);
  const builder = new CommitBuilder(s.ctx, s.runId, s.record);
  const event = builder.appendRequest(request, s.params);
  const { retryAfter: _previous, ...rest } = found.step;
  return updateStep(builder, s, event, compact({
    ...rest,
    status: 'pending' as const,
    error: errorOf(s, request),
    retryAfter: request.eventData.retryAfter,
    updatedAt: new Date(builder.at),
  }));
};

/**
 * The step an event modifies, or why it may not. `runMayHaveEnded: false`
 * refuses to touch a step that is not running once the run has ended.
 */
const stepToModify = (
  s: Situation,
  request: StepRequest,
  rules: { runMayHaveEnded: boolean },
): { step: Step } | { error: Error } => {
  const step = s.snapshot.step;
  if (!step || step.runId !== s.runId) return { error: stepNotFound(request.correlationId) };
  if (isTerminalStepStatus(step.status)) return { error: stepTerminal(step.status) };
  const runStatus = s.record.run.status;
  if (!rules.runMayHaveEnded && isTerminalWorkflowRunStatus(runStatus) && step.status !== 'running') {
    return { error: stepOnTerminalRun(runStatus) };
  }
  return { step };
};

/** The step's error as stored: the request's own payload when the line stores errors opaquely. */
const errorOf = (s: Situation, request: RequestOf<'step_failed' | 'step_retrying'>): Step['error'] =>
  s.ctx.opaqueErrors ? (request.eventData.error as Step['error']) : stepError(request.eventData.error, request.eventData.stack);

const updateStep = (builder: CommitBuilder, s: Situation, event: Event, step: Step): Decision => {
  builder.putStep(step);
  return commitWith(builder.build(s.record.run, false), { event, step });
};
