// verifyProjections: the `aws-workflow verify` check as a function, for an
// installation named the way createWorld names one.
import { verifyRuns, type VerifyResult } from '../application/storage/verify-projections.js';
import { resolveWorldConfig } from '../config/world-config.js';
import { processScope } from '../process-scope.js';
import { composePorts, portOverrides } from './compose.js';
import type { CreateWorldOptions } from './create-world.js';

export type { VerifyResult } from '../application/storage/verify-projections.js';
export type { ProjectionDrift } from '../application/storage/projection-check.js';

export interface VerifyProjectionsOptions extends CreateWorldOptions {
  /** Check these runs only. */
  runIds?: string[];
  /** Otherwise every run created within this many ms (all runs when absent). */
  sinceMs?: number;
  /** Rewrite drifted projections from the log. */
  repair?: boolean;
}

/**
 * Folds each run's event log and compares the run, its steps, hooks and waits
 * with what the installation serves and stores. Resolves to
 * `{ runsChecked, drift, late, repaired }`; `drift` is empty when what
 * readers are served matches every log (`late`: stored projections that only
 * lag their log, completed from it on reads). Only ids, field names and statuses are reported.
 *
 * @example
 * ```ts
 * import { verifyProjections } from '@workflow/world-aws/testing';
 *
 * // The installation as the app's createWorld() sees it (options or WORKFLOW_AWS_* variables).
 * const { runsChecked, drift } = await verifyProjections({ name: 'fault', endpoints, runIds });
 * expect(runsChecked).toBe(runIds.length);
 * expect(drift).toEqual([]);
 * ```
 */
export async function verifyProjections(options: VerifyProjectionsOptions = {}): Promise<VerifyResult> {
  const { runIds, sinceMs, repair, overrides, ...input } = options;
  const config = resolveWorldConfig(input);
  const ports = composePorts(config, processScope(), portOverrides(overrides ?? {}));
  const events = ports('events');
  try {
    return await verifyRuns(events, {
      ...(runIds ? { runIds } : {}),
      ...(sinceMs === undefined ? {} : { sinceMs }),
      repair: repair === true,
      clock: ports('clock'),
    });
  } finally {
    // Reads adopt projections that only lagged their log; write those now, not after the caller has moved on.
    await events.flush?.();
  }
}
