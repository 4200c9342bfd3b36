// Wait lifecycle (§2.3): wait_created and wait_completed. Waits are keyed by
// run and correlation id, as both reference worlds do.
import { isTerminalWorkflowRunStatus, type Wait } from '@workflow/world';
import { createOnTerminalRun, waitAlreadyCompleted, waitAlreadyExists, waitNotFound } from '../errors.js';
import type { Decision } from '../model.js';
import { CommitBuilder } from './commit-builder.js';
import { compact } from './compact.js';
import { commitWith, reject, type Situation } from './decision.js';
import type { RequestOf } from './request.js';

export const waitIdOf = (runId: string, correlationId: string): string => `${runId}-${correlationId}`;

export const createWait = (s: Situation, request: RequestOf<'wait_created'>): Decision => {
  const runStatus = s.record.run.status;
  if (isTerminalWorkflowRunStatus(runStatus)) return reject(createOnTerminalRun(runStatus));
  if (s.snapshot.wait) return reject(waitAlreadyExists(request.correlationId));
  const builder = new CommitBuilder(s.ctx, s.runId, s.record);
  const event = builder.appendRequest(request, s.params);
  const wait: Wait = compact({
    waitId: waitIdOf(s.runId, request.correlationId),
    runId: s.runId,
    status: 'waiting' as const,
    resumeAt: request.eventData.resumeAt,
    createdAt: new Date(builder.at),
    updatedAt: new Date(builder.at),
    specVersion: builder.specVersionOf(request),
  });
  builder.putWait(wait);
  return commitWith(builder.build(s.record.run, false), { event, wait });
};

export const completeWait = (s: Situation, request: RequestOf<'wait_completed'>): Decision => {
  const current = s.snapshot.wait;
  if (!current) return reject(waitNotFound(request.correlationId));
  if (current.status === 'completed') return reject(waitAlreadyCompleted(request.correlationId));
  const builder = new CommitBuilder(s.ctx, s.runId, s.record);
  const event = builder.appendRequest(request, s.params);
  const wait: Wait = {
    ...current,
    status: 'completed',
    completedAt: new Date(builder.at),
    updatedAt: new Date(builder.at),
  };
  builder.putWait(wait);
  return commitWith(builder.build(s.record.run, false), { event, wait });
};
