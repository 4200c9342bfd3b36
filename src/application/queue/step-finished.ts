// The question a step's safety net asks before it takes the lease
// (inline-steps.ts): did the process that ran the step in process finish it?
import { isTerminalStepStatus, type Storage } from '@workflow/world';

/**
 * Whether a step is finished and its run's replay has seen it: the step is
 * terminal and the log goes on after it. Its last event being the run's last
 * means the wake-up after it may have died with its process: then the copy
 * runs the handler, which finds the step finished and wakes the run.
 */
export function stepFinishedIn(log: Pick<Storage, 'steps' | 'events'>): (runId: string, stepId: string) => Promise<boolean> {
  return async (runId, stepId) => {
    const [step, tail] = await Promise.all([
      log.steps.get(runId, stepId, { resolveData: 'none' }),
      log.events.list({ runId, pagination: { limit: 1, sortOrder: 'desc' }, resolveData: 'none' }),
    ]);
    const last = tail.data[0];
    return isTerminalStepStatus(step.status) && last !== undefined && last.correlationId !== stepId;
  };
}
