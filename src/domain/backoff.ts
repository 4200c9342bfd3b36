// Retry delay for a failed delivery: exponential growth with full jitter
// (uniform in [0, min(cap, base·2^(attempt−1))]), so a burst of failures does
// not come back as a burst. Whole seconds, because queue visibility is set in
// whole seconds.

export interface BackoffPolicy {
  /** Ceiling of the first retry, seconds. */
  baseSeconds: number;
  /** Largest ceiling any retry can reach, seconds. */
  capSeconds: number;
}

/** The ceiling the jitter draws under for `attempt` (1-based): min(cap, base·2^(attempt−1)). */
export function backoffCeilingSeconds(attempt: number, policy: BackoffPolicy): number {
  const { baseSeconds, capSeconds } = checkedPolicy(policy);
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new RangeError(`attempt must be a positive integer; got ${attempt}`);
  }
  // 2^1024 is Infinity; past 2^52 the cap has long been reached anyway.
  const growth = 2 ** Math.min(attempt - 1, 52);
  return Math.min(capSeconds, baseSeconds * growth);
}

/**
 * Seconds to wait before delivery `attempt + 1`, for `attempt` (1-based) that
 * just failed. `random` returns a value in [0, 1); the result is an integer in
 * [0, floor(ceiling)].
 */
export function backoffSeconds(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const ceiling = Math.floor(backoffCeilingSeconds(attempt, policy));
  const r = random();
  if (!(r >= 0 && r < 1)) throw new RangeError(`random() must return a value in [0, 1); got ${r}`);
  return Math.floor(r * (ceiling + 1));
}

function checkedPolicy(policy: BackoffPolicy): BackoffPolicy {
  const { baseSeconds, capSeconds } = policy;
  if (!Number.isFinite(baseSeconds) || baseSeconds < 0) {
    throw new RangeError(`backoff base must be a finite number ≥ 0; got ${baseSeconds}`);
  }
  if (!Number.isFinite(capSeconds) || capSeconds < 0) {
    throw new RangeError(`backoff cap must be a finite number ≥ 0; got ${capSeconds}`);
  }
  return policy;
}

/**
 * Milliseconds to pause before retry `attempt` (0-based) of a contended or
 * partly processed write: full jitter, uniform in [0, min(cap, base·2^attempt)).
 */
export function jitteredPauseMs(attempt: number, policy: { baseMs: number; capMs: number }, random: () => number): number {
  return random() * Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(attempt, 52));
}
