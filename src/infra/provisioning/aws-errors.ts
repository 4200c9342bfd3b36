// Recognising "it is not there" across SDK clients: the SDK names modelled
// errors by their shape, and older protocols surface only a code or a 404.
import { awsErrorName, httpStatusOf } from '../../adapters/aws/aws-errors.js';

export const httpStatus = httpStatusOf;

export function hasErrorName(err: unknown, ...names: string[]): boolean {
  const code = (err as { Code?: unknown } | null)?.Code;
  const name = awsErrorName(err);
  return names.some((n) => name === n || code === n);
}

export const isMissingTable = (err: unknown) => hasErrorName(err, 'ResourceNotFoundException');

export const isMissingQueue = (err: unknown) => hasErrorName(err, 'QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue');

/** HeadBucket has no body, so a missing bucket is only a 404 (`NotFound`). */
export const isMissingBucket = (err: unknown) => hasErrorName(err, 'NotFound', 'NoSuchBucket') || httpStatus(err) === 404;
