// Which store failures a live reader rides out (by polling again later)
// instead of failing the stream: the contract's retryable classes (§2.2).
import { ThrottleError, WorkflowWorldError } from '@workflow/errors';

export function isRetryable(error: unknown): boolean {
  if (ThrottleError.is(error)) return true;
  if (!WorkflowWorldError.is(error)) return false;
  return (error.status !== undefined && error.status >= 500) || error.code === 'TRANSPORT' || error.code === 'TIMEOUT';
}
