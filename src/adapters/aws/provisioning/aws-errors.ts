// Recognising "it is not there" across SDK clients: the SDK names modelled
// errors by their shape, and older protocols surface only a code or a 404.

export function hasErrorName(err: unknown, ...names: string[]): boolean {
  const e = err as { name?: unknown; Code?: unknown } | null;
  return typeof e === 'object' && e !== null && names.some((n) => e.name === n || e.Code === n);
}

export function httpStatus(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}

export const isMissingTable = (err: unknown) => hasErrorName(err, 'ResourceNotFoundException');

export const isMissingQueue = (err: unknown) => hasErrorName(err, 'QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue');

/** HeadBucket has no body, so a missing bucket is only a 404 (`NotFound`). */
export const isMissingBucket = (err: unknown) => hasErrorName(err, 'NotFound', 'NoSuchBucket') || httpStatus(err) === 404;
