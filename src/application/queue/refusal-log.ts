// Warnings for refused deliveries, at most one line per interval. Anyone who
// can reach the workflow routes can send forged requests; one warning each
// would let them flood the logs. The first refusal of an interval is logged at
// once; the others are counted, and the next line carries the count of those
// not logged (per reason) since the previous one. No timer: a burst ends
// silent until the next refusal, which reports it.
import type { Clock } from '../../ports/clock.js';
import type { LogFields, Logger } from '../../ports/logger.js';

export const REFUSAL_LOG_INTERVAL_MS = 60_000;

export interface RefusalLog {
  /** Records one refusal; logs `message` if this interval has not logged yet. */
  refused(message: string, reason: string): void;
}

export function createRefusalLog(deps: { clock: Clock; logger: Logger; intervalMs?: number }): RefusalLog {
  const intervalMs = deps.intervalMs ?? REFUSAL_LOG_INTERVAL_MS;
  let lastLoggedAt: number | undefined;
  let unlogged = new Map<string, number>();
  return {
    refused(message, reason) {
      const now = deps.clock.now();
      if (lastLoggedAt !== undefined && now - lastLoggedAt < intervalMs) {
        unlogged.set(reason, (unlogged.get(reason) ?? 0) + 1);
        return;
      }
      const fields: LogFields = { reason, intervalSeconds: intervalMs / 1000 };
      if (unlogged.size > 0) {
        let total = 0;
        for (const [r, count] of unlogged) {
          fields[`unlogged_${r}`] = count;
          total += count;
        }
        fields.unloggedSinceLastWarning = total;
      }
      deps.logger.warn(message, fields);
      lastLoggedAt = now;
      unlogged = new Map();
    },
  };
}
