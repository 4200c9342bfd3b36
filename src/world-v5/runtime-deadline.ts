// getRuntimeDeadline: when the current Lambda invocation will be stopped.
// The Lambda handler notes it from its context at the start of each
// invocation (one invocation at a time per Lambda process); elsewhere no
// deadline is known.
import type { Clock } from '../ports/clock.js';
import { processScope, token } from '../process-scope.js';

/** The part of the Lambda context this needs. */
export interface InvocationContext {
  getRemainingTimeInMillis(): number;
}

const DEADLINE = token<{ at?: number }>('invocation-deadline');

const holder = () => processScope().shared<{ at?: number }>(DEADLINE, () => ({}));

/** Called by the Lambda handler with its context; a context without the method is ignored. */
export function noteInvocationDeadline(context: Partial<InvocationContext> | undefined, now: number = Date.now()): void {
  if (typeof context?.getRemainingTimeInMillis !== 'function') return;
  const remaining = context.getRemainingTimeInMillis();
  if (Number.isFinite(remaining)) holder().at = now + remaining;
}

/** The deadline of the invocation in progress, or undefined (none noted, or it has passed). */
export function runtimeDeadline(clock: Clock): Date | undefined {
  const at = holder().at;
  return at !== undefined && at > clock.now() ? new Date(at) : undefined;
}
