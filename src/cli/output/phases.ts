// Deploy's phases (build, bundle, zip, upload, wait, publish), each shown while
// it runs and finished with its elapsed time: oclif's ux.action on a terminal
// (a spinner), a plain "phase... done (1.2 s)" line otherwise, nothing under --json.
import { ux } from '@oclif/core';

export interface PhaseTiming {
  phase: string;
  ms: number;
}

/** Runs `fn` as one named phase. */
export type PhaseRunner = <T>(phase: string, label: string, fn: () => Promise<T>) => Promise<T>;

export interface Phases {
  run: PhaseRunner;
  timings: PhaseTiming[];
}

export function phases(options: { show: boolean; now?: () => number }): Phases {
  const now = options.now ?? (() => performance.now());
  const timings: PhaseTiming[] = [];
  return {
    timings,
    run: async (phase, label, fn) => {
      const started = now();
      if (options.show) ux.action.start(label);
      try {
        const value = await fn();
        const ms = now() - started;
        timings.push({ phase, ms: Math.round(ms) });
        if (options.show) ux.action.stop(`done (${formatMs(ms)})`);
        return value;
      } catch (error) {
        if (options.show) ux.action.stop(`failed (${formatMs(now() - started)})`);
        throw error;
      }
    },
  };
}

/** Phases run without display, for callers that only want the timings. */
export const untimed: PhaseRunner = (_phase, _label, fn) => fn();

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
