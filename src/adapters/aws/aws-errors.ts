// The one classifier of AWS SDK failures: their names, the "it is not there"
// and "this endpoint lacks the API" families the CLI and provisioning act on,
// throttling and transient faults, and the mapping to the contract's errors
// (§2.2): the runtime retries ThrottleError and WorkflowWorldError with status
// >= 500, and treats a plain Error thrown during replay as a user error that
// fails the run. So nothing an AWS call raises may escape as a plain Error.
import { ThrottleError, WorkflowError, WorkflowWorldError } from '@workflow/errors';

/** Error names the SDK's own retry strategy treats as throttling. */
const THROTTLING_NAMES = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
  // Amazon SQS: a queue over its in-flight limit.
  'OverLimit',
  'AWS.SimpleQueueService.OverLimit',
  'KMSThrottlingException',
]);

const TRANSIENT_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalServerError',
  'InternalFailure',
  'InternalError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  // Credentials from IMDS/ECS/SSO are fetched over the network.
  'CredentialsProviderError',
]);

/** Node socket and DNS failures: the request may never have reached AWS. */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ERR_HTTP2_STREAM_ERROR',
]);

const TRANSIENT_STATUS = new Set([500, 502, 503, 504]);

interface AwsLikeError {
  name?: string;
  /** Older (query and XML) protocols surface the error code here. */
  Code?: string;
  code?: string;
  message?: string;
  cause?: unknown;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
}

const asAws = (error: unknown): AwsLikeError => (typeof error === 'object' && error !== null ? (error as AwsLikeError) : {});

/** The SDK error's name (its AWS error code), if it has one; older protocols give only a `Code` or `code`. */
export function awsErrorName(error: unknown): string | undefined {
  const e = asAws(error);
  return [e.name, e.Code, e.code].find((v): v is string => typeof v === 'string');
}

/** Whether the error's name or code is one of `names`. The SDK names modelled errors by their shape. */
export function hasErrorName(error: unknown, ...names: string[]): boolean {
  const e = asAws(error);
  return names.some((n) => e.name === n || e.Code === n || e.code === n);
}

/** DynamoDB table, Lambda function or event-source mapping that does not exist. */
export const isMissingResource = (error: unknown) => hasErrorName(error, 'ResourceNotFoundException');
export const isMissingTable = isMissingResource;
export const isMissingQueue = (error: unknown) => hasErrorName(error, 'QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue');
/** HeadBucket has no body, so a missing bucket is only a 404 (`NotFound`). */
export const isMissingBucket = (error: unknown) => hasErrorName(error, 'NotFound', 'NoSuchBucket') || httpStatusOf(error) === 404;
/**
 * The region S3 names for a bucket that lives in another region than the
 * client's: a 301, or a 400 (newer regions), with `x-amz-bucket-region`, as
 * the SDK's own redirect logic reads it (followRegionRedirects, off by
 * default). The SDK reports it as `Unknown: UnknownError`.
 */
export function otherBucketRegion(error: unknown): string | undefined {
  const status = httpStatusOf(error);
  if (status !== 301 && status !== 400) return undefined;
  const headers = (error as { $response?: { headers?: Record<string, string | undefined> } } | undefined)?.$response?.headers;
  const region = headers?.['x-amz-bucket-region'];
  return typeof region === 'string' && region !== '' ? region : undefined;
}

/** Refused by IAM or a resource policy (S3 answers a HEAD with a bare 403). */
export const isAccessDenied = (error: unknown) =>
  hasErrorName(error, 'AccessDenied', 'AccessDeniedException', 'Forbidden') || httpStatusOf(error) === 403;
/** IAM: the role or policy does not exist. */
export const isMissingIamEntity = (error: unknown) => hasErrorName(error, 'NoSuchEntity', 'NoSuchEntityException');
export const isPurgeInProgress = (error: unknown) => hasErrorName(error, 'PurgeQueueInProgress', 'AWS.SimpleQueueService.PurgeQueueInProgress');

/** What `read` returns, or undefined when what it reads does not exist (`missing` tells which errors say so). */
export async function unlessMissing<T>(read: () => Promise<T>, missing: (error: unknown) => boolean): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (missing(error)) return undefined;
    throw error;
  }
}

/**
 * The endpoint does not know the action: SQS (and the local AWS's SQS) answer
 * InvalidAction, DynamoDB UnknownOperationException. SQS's UnsupportedOperation
 * (a known action refused for this input) is a real failure, not this.
 */
export function isUnknownOperation(error: unknown): boolean {
  return hasErrorName(error, 'InvalidAction', 'UnknownOperationException');
}


export function httpStatusOf(error: unknown): number | undefined {
  return asAws(error).$metadata?.httpStatusCode;
}

export function isThrottlingError(error: unknown): boolean {
  const e = asAws(error);
  return (
    e.$metadata?.httpStatusCode === 429 ||
    e.$retryable?.throttling === true ||
    (e.name !== undefined && THROTTLING_NAMES.has(e.name)) ||
    (e.code !== undefined && THROTTLING_NAMES.has(e.code))
  );
}

export function isNetworkError(error: unknown, depth = 0): boolean {
  const e = asAws(error);
  if (e.code !== undefined && NETWORK_CODES.has(e.code)) return true;
  return e.cause !== undefined && depth < 5 && isNetworkError(e.cause, depth + 1);
}

export function isTransientError(error: unknown): boolean {
  const e = asAws(error);
  if (e.name === 'AbortError') return false;
  const status = e.$metadata?.httpStatusCode;
  return (
    isNetworkError(error) ||
    (e.name !== undefined && TRANSIENT_NAMES.has(e.name)) ||
    (status !== undefined && (TRANSIENT_STATUS.has(status) || status >= 500)) ||
    e.$fault === 'server' ||
    e.$retryable !== undefined
  );
}

/**
 * Maps a failed AWS call to the contract's error. `operation` names the call
 * (e.g. `DynamoDB.TransactWriteItems`) for the message; it must never carry
 * payloads, tokens or credentials. Errors that already are Workflow errors
 * pass through unchanged.
 */
export function toWorldError(error: unknown, operation: string): WorkflowError {
  if (error instanceof WorkflowError) return error;
  const name = awsErrorName(error) ?? 'Error';
  const detail = asAws(error).message;
  const message = `${operation} failed: ${name}${detail ? `: ${detail}` : ''}`;
  if (isThrottlingError(error)) return throttled(message);
  if (isTransientError(error)) {
    return new WorkflowWorldError(message, {
      status: 503,
      code: isNetworkError(error) || name === 'TimeoutError' ? 'TRANSPORT' : name,
      cause: error,
    });
  }
  // Not retryable as such (access denied, missing table, validation...): keep
  // AWS's status so callers and operators can tell them apart.
  const status = httpStatusOf(error);
  return new WorkflowWorldError(message, { status: status ?? 500, code: name, cause: error });
}

/** A ThrottleError that also carries the 429 status its HTTP equivalent would. */
export function throttled(message: string, retryAfterSeconds = 1): ThrottleError {
  const error = new ThrottleError(message, { retryAfter: retryAfterSeconds });
  error.status = 429;
  return error;
}

/** A missing object or item, as the contract's 404. */
export function notFound(message: string): WorkflowWorldError {
  return new WorkflowWorldError(message, { status: 404, code: 'NOT_FOUND' });
}
