// runs.waitForTerminalStatus: read the run; while it is not terminal, wait
// for this process's next commit on it (RunSignals) or a backoff pause,
// whichever is first, and read again. A run finished by this process costs
// one read after its terminal commit; one finished by another process is
// seen within the pause, which doubles from 200 ms to 5 s, so a long wait
// makes a handful of reads, never one per interval of the runtime's poll.
import { WorkflowWorldError } from '@workflow/errors';
import type { Clock } from '../ports/clock.js';
import type { RunSignals } from './run-signals.js';

export const TERMINAL_WAIT = { firstPauseMs: 200, maxPauseMs: 5000, defaultTimeoutMs: 30_000 };

const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

export interface TerminalWaitParams {
  timeoutMs?: number;
  signal?: AbortSignal;
}

export async function waitForTerminal<R extends { status: string }>(
  read: () => Promise<R>,
  runId: string,
  params: TerminalWaitParams,
  deps: { clock: Clock; signals: RunSignals },
): Promise<R> {
  const { clock, signals } = deps;
  const timeoutMs = params.timeoutMs ?? TERMINAL_WAIT.defaultTimeoutMs;
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs < 0) {
    throw new WorkflowWorldError(`Invalid timeoutMs ${String(timeoutMs)}: expected a finite number ≥ 0`, { status: 400 });
  }
  const deadline = clock.now() + timeoutMs;
  let pause = TERMINAL_WAIT.firstPauseMs;
  for (;;) {
    const run = await read();
    const left = deadline - clock.now();
    if (TERMINAL.has(run.status) || left <= 0 || params.signal?.aborted) return run;
    await signals.wait(clock, runId, Math.min(pause, left), params.signal);
    pause = Math.min(pause * 2, TERMINAL_WAIT.maxPauseMs);
  }
}
