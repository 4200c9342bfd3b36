// A check that must pass once per world before its first message (start(),
// else the first queue()). Concurrent callers share the one check in flight;
// a pass is remembered; a failure is not, so the next call checks again (its
// cause may be fixed by then).
import type { Queue } from '@workflow/world';

export interface RunOnceGate {
  /** Resolves once the check has passed; until then runs it (one at a time) and rejects with its error. */
  assert(): Promise<void>;
  /** `queue` that passes the gate first: a failed check sends nothing. */
  guard(queue: Queue['queue']): Queue['queue'];
}

/** A gate over `check` (it resolves when the check passes); `passed` opens it from the start (a skipped check). */
export function runOnceGate(check: () => Promise<void>, options: { passed?: boolean } = {}): RunOnceGate {
  let passed = options.passed ?? false;
  let running: Promise<void> | undefined;
  const assert = async (): Promise<void> => {
    if (passed) return;
    running ??= (async () => {
      await check();
      passed = true;
    })().finally(() => {
      running = undefined;
    });
    return running;
  };
  return {
    assert,
    guard: (queue) =>
      (async (...args: Parameters<Queue['queue']>) => {
        await assert();
        return queue(...args);
      }) as Queue['queue'],
  };
}
