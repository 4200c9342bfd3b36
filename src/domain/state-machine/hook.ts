// Hook lifecycle (§2.3): hook_created claims the hook's token, hook_received
// records a delivery, hook_disposed deletes the hook and frees the token.
import { isTerminalWorkflowRunStatus, type Hook, type WorkflowRunStatus } from '@workflow/world';
import { createOnTerminalRun, hookAlreadyCreated, hookNotFound } from '../errors.js';
import type { Decision } from '../model.js';
import { CommitBuilder } from './commit-builder.js';
import { compact } from './compact.js';
import { commitWith, reject, type Situation } from './decision.js';
import type { RequestOf } from './request.js';
import { isExternalStateChange } from './run-guards.js';

/**
 * This world has no tenants: owner, project and environment are stored empty,
 * as world-postgres does.
 */
const NO_TENANT = { ownerId: '', projectId: '', environment: '' } as const;

export const createHook = (s: Situation, request: RequestOf<'hook_created'>): Decision => {
  const runStatus = s.record.run.status;
  if (isTerminalWorkflowRunStatus(runStatus)) return reject(createOnTerminalRun(runStatus));
  const hookId = request.correlationId;
  const { token, metadata, isWebhook } = request.eventData;
  const holder = s.snapshot.tokenHolder;
  if (s.snapshot.hook || holder?.hook.hookId === hookId) return reject(hookAlreadyCreated(hookId));
  const builder = new CommitBuilder(s.ctx, s.runId, s.record);
  if (holder && isLive(holder.runStatus)) {
    // Not an error: the workflow sees the conflict when it awaits the hook.
    const event = builder.append({
      eventType: 'hook_conflict',
      correlationId: hookId,
      eventData: { token, conflictingRunId: holder.hook.runId },
      specVersion: builder.specVersionOf(request),
    });
    return commitWith(builder.build(s.record.run, false), { event });
  }
  const event = builder.appendRequest(request, s.params);
  const hook: Hook = compact({
    runId: s.runId,
    hookId,
    token,
    ...NO_TENANT,
    metadata,
    createdAt: new Date(builder.at),
    specVersion: builder.specVersionOf(request),
    isWebhook,
  });
  builder.putHook(hook);
  // A holder whose run has ended (or vanished) missed its disposal: its hook
  // goes and the token passes to the new hook.
  if (holder) builder.deleteHook(holder.hook);
  const expect = holder ? { kind: 'heldBy' as const, hookId: holder.hook.hookId } : { kind: 'absent' as const };
  builder.claimToken({ token, hookId, runId: s.runId, expect });
  return commitWith(builder.build(s.record.run, false), { event, hook });
};

export const receiveHook = (s: Situation, request: RequestOf<'hook_received'>): Decision => {
  const hook = ownHook(s, request.correlationId);
  if (!hook) return reject(hookNotFound(request.eventData.token ?? request.correlationId));
  const builder = new CommitBuilder(s.ctx, s.runId, s.record);
  const event = builder.appendRequest(request, s.params);
  if (isExternalStateChange(request, s.params)) builder.markExternalState(event);
  return commitWith(builder.build(s.record.run, false), { event });
};

export const disposeHook = (s: Situation, request: RequestOf<'hook_disposed'>): Decision => {
  const hook = ownHook(s, request.correlationId);
  if (!hook) return reject(hookNotFound(request.eventData?.token ?? request.correlationId));
  const builder = new CommitBuilder(s.ctx, s.runId, s.record);
  const event = builder.appendRequest(request, s.params);
  builder.deleteHook(hook);
  builder.releaseToken({ token: hook.token, hookId: hook.hookId });
  return commitWith(builder.build(s.record.run, false), { event });
};

/** A token stays held while its hook's run can still receive deliveries. */
const isLive = (runStatus: WorkflowRunStatus | undefined): boolean =>
  runStatus !== undefined && !isTerminalWorkflowRunStatus(runStatus);

/** The hook this run's event refers to; another run's hook with the same id does not count. */
const ownHook = (s: Situation, hookId: string): Hook | undefined => {
  const hook = s.snapshot.hook;
  return hook && hook.hookId === hookId && hook.runId === s.runId ? hook : undefined;
};
