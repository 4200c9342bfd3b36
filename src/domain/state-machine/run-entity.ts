// The WorkflowRun entity's states (`at`: epoch ms of the commit). Each transition rebuilds the run from the
// fields that survive it, so no field of an earlier state leaks into a later one.
import type { StructuredError, WorkflowRun } from '@workflow/world';
import { compact } from './compact.js';

export interface NewRun {
  runId: string;
  deploymentId: string;
  workflowName: string;
  input: unknown;
  executionContext?: Record<string, unknown>;
  specVersion: number;
  attributes?: Record<string, string>;
}

export const pendingRun = (init: NewRun, at: number): WorkflowRun =>
  compact({
    runId: init.runId,
    status: 'pending' as const,
    deploymentId: init.deploymentId,
    workflowName: init.workflowName,
    specVersion: init.specVersion,
    executionContext: init.executionContext,
    input: init.input,
    attributes: init.attributes,
    createdAt: new Date(at),
    updatedAt: new Date(at),
  });

const lasting = (run: WorkflowRun) => ({
  runId: run.runId,
  deploymentId: run.deploymentId,
  workflowName: run.workflowName,
  specVersion: run.specVersion,
  executionContext: run.executionContext,
  input: run.input,
  attributes: (run as { attributes?: Record<string, string> }).attributes,
  expiredAt: run.expiredAt,
  startedAt: run.startedAt,
  createdAt: run.createdAt,
});

/** startedAt is set once: it seeds the replay's PRNG (§2.1.2). */
export const runningRun = (run: WorkflowRun, at: number): WorkflowRun =>
  compact({ ...lasting(run), status: 'running' as const, startedAt: run.startedAt ?? new Date(at), updatedAt: new Date(at) });

export const completedRun = (run: WorkflowRun, output: unknown, at: number): WorkflowRun =>
  compact({ ...lasting(run), status: 'completed' as const, output, completedAt: new Date(at), updatedAt: new Date(at) });

/** `error`: a StructuredError (4.x line) or the request's own error payload, with `errorCode` beside it (5 line). */
export const failedRun = (run: WorkflowRun, error: StructuredError | unknown, at: number, errorCode?: string): WorkflowRun =>
  compact({ ...lasting(run), status: 'failed' as const, error: error as StructuredError, errorCode, completedAt: new Date(at), updatedAt: new Date(at) });

export const cancelledRun = (run: WorkflowRun, at: number): WorkflowRun =>
  compact({ ...lasting(run), status: 'cancelled' as const, completedAt: new Date(at), updatedAt: new Date(at) });
