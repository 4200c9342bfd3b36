// Appends to one run go through one sequence (the run's version), so
// concurrent writers in the same process would only race and retry. Queueing
// them per run in-process removes those conflicts; optimistic concurrency still
// decides between processes. Process-wide, because the runtime builds several
// world instances per process (process-scope.ts).
import { processScope, token } from '../../process-scope.js';

const RUN_TAILS = token<Map<string, Promise<unknown>>>('run-serializer');

function tails(): Map<string, Promise<unknown>> {
  return processScope().shared(RUN_TAILS, () => new Map());
}

/** Runs `work` after every earlier call for `runId` in this process has settled. */
export function serializeByRun<T>(runId: string, work: () => Promise<T>): Promise<T> {
  const queue = tails();
  const previous = queue.get(runId) ?? Promise.resolve();
  const result = previous.then(work, work);
  const tail = result.then(
    () => undefined,
    () => undefined,
  );
  queue.set(runId, tail);
  void tail.then(() => {
    if (queue.get(runId) === tail) queue.delete(runId);
  });
  return result;
}
