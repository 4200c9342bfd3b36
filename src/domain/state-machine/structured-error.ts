// Requests carry errors as a string or an error-like object; entities store
// the contract's StructuredError (§2.3 run_failed, step_failed, step_retrying).
import type { StructuredError } from '@workflow/world';
import { compact } from './compact.js';

const field = (error: unknown, name: 'message' | 'stack'): string | undefined => {
  const value = typeof error === 'object' && error !== null ? (error as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : undefined;
};

const messageOf = (error: unknown): string =>
  typeof error === 'string' ? error : (field(error, 'message') ?? 'Unknown error');

/** run_failed: the stack travels inside the error, the code beside it. */
export const runError = (error: unknown, errorCode: string | undefined): StructuredError =>
  compact({ message: messageOf(error), stack: field(error, 'stack'), code: errorCode });

/** step_failed / step_retrying: the stack travels beside the error. */
export const stepError = (error: unknown, stack: string | undefined): StructuredError =>
  compact({ message: messageOf(error), stack });
