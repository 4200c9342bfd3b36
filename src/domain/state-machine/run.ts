// Transitions of an existing run: run_started, run_completed, run_failed,
// run_cancelled (§2.3), and the disposal that goes with ending a run (§2.5).
import { isTerminalWorkflowRunStatus, type StructuredError, type WorkflowRun } from '@workflow/world';
import { runExpired, runTerminalTransition } from '../errors.js';
import type { Decision } from '../model.js';
import { CommitBuilder } from './commit-builder.js';
import { commitWith, reject, reply, type Situation } from './decision.js';
import type { RequestOf } from './request.js';
import { cancelledRun, completedRun, failedRun, runningRun } from './run-entity.js';
import { runError } from './structured-error.js';

export const startRun = (s: Situation, request: RequestOf<'run_started'>): Decision => {
  const current = s.record.run;
  if (isTerminalWorkflowRunStatus(current.status)) return reject(runExpired(s.runId, current.status));
  // Started already (a redelivery or a concurrent start): same run, no second run_started.
  if (current.status === 'running') return reply({ run: current });
  const builder = new CommitBuilder(s.ctx, s.runId, s.record);
  const event = builder.appendRequest(request, s.params);
  const run = runningRun(current, builder.at);
  return commitWith(builder.build(run, true), { event, run });
};

export const completeRun = (s: Situation, request: RequestOf<'run_completed'>): Decision =>
  endRun(s, request, (run, at) => completedRun(run, request.eventData.output, at));

export const failRun = (s: Situation, request: RequestOf<'run_failed'>): Decision => {
  const { error, errorCode } = request.eventData;
  if (s.ctx.opaqueErrors) return endRun(s, request, (run, at) => failedRun(run, error, at, errorCode));
  const structured: StructuredError = runError(error, errorCode);
  return endRun(s, request, (run, at) => failedRun(run, structured, at));
};

export const cancelRun = (s: Situation, request: RequestOf<'run_cancelled'>): Decision => {
  // Cancelling twice is not a conflict: the event is recorded and the run stays as it was.
  if (s.record.run.status === 'cancelled') {
    const builder = new CommitBuilder(s.ctx, s.runId, s.record);
    const event = builder.appendRequest(request, s.params);
    disposeChildren(builder, s);
    return commitWith(builder.build(s.record.run, false), { event, run: s.record.run });
  }
  return endRun(s, request, cancelledRun);
};

const endRun = (
  s: Situation,
  request: RequestOf<'run_completed' | 'run_failed' | 'run_cancelled'>,
  transition: (run: WorkflowRun, at: number) => WorkflowRun,
): Decision => {
  const current = s.record.run;
  if (isTerminalWorkflowRunStatus(current.status)) return reject(runTerminalTransition(current.status));
  const builder = new CommitBuilder(s.ctx, s.runId, s.record);
  const event = builder.appendRequest(request, s.params);
  const run = transition(current, builder.at);
  disposeChildren(builder, s);
  return commitWith(builder.build(run, true), { event, run });
};

/**
 * An ended run keeps no hooks or waits: they are deleted and the tokens freed
 * in the same commit, without hook_disposed events (the reference log is
 * run_created, hook_created, run_failed). Steps are left as they are.
 */
const disposeChildren = (builder: CommitBuilder, s: Situation): void => {
  for (const hook of s.snapshot.runHooks ?? []) {
    if (hook.runId !== s.runId) continue;
    builder.deleteHook(hook);
    builder.releaseToken({ token: hook.token, hookId: hook.hookId });
  }
  for (const wait of s.snapshot.runWaits ?? []) {
    if (wait.runId === s.runId) builder.deleteWait(wait);
  }
};
