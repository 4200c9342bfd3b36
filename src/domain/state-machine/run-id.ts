// Client-supplied run ids must be `wrun_<ULID>` minted near now (§2.4). This is
// `validateUlidTimestamp` from @workflow/world, same thresholds and messages,
// but measured against the decision's clock instead of the wall clock, so
// decisions stay pure and replayable in tests.
import {
  DEFAULT_TIMESTAMP_THRESHOLD_FUTURE_MS,
  DEFAULT_TIMESTAMP_THRESHOLD_PAST_MS,
  ulidToDate,
} from '@workflow/world';
import { RUN_ID_PREFIX } from '../ids.js';

/** Why `runId` is not acceptable for a new run at `now`, or null when it is. */
export const runIdProblem = (runId: string, now: number): string | null => {
  const raw = runId.startsWith(RUN_ID_PREFIX) ? runId.slice(RUN_ID_PREFIX.length) : runId;
  const minted = ulidToDate(raw);
  if (!minted) return `Invalid runId: "${runId}" is not a valid ULID`;
  const ageMs = now - minted.getTime();
  if (ageMs > 0 && ageMs <= DEFAULT_TIMESTAMP_THRESHOLD_PAST_MS) return null;
  if (ageMs <= 0 && -ageMs <= DEFAULT_TIMESTAMP_THRESHOLD_FUTURE_MS) return null;
  const direction = ageMs > 0 ? 'past' : 'future';
  const thresholdMs = ageMs > 0 ? DEFAULT_TIMESTAMP_THRESHOLD_PAST_MS : DEFAULT_TIMESTAMP_THRESHOLD_FUTURE_MS;
  return (
    `Invalid runId timestamp: embedded timestamp is ${Math.round(Math.abs(ageMs) / 1000)}s in the ${direction} ` +
    `(threshold: ${Math.round(thresholdMs / 1000)}s)`
  );
};

