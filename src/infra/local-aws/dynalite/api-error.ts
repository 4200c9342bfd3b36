// DynamoDB errors in the JSON 1.0 wire shape the AWS SDK v3 parses: the SDK
// picks the error class from `__type` (text after `#`) and copies the body's
// members (Message, CancellationReasons, ...) onto the error object.
import type { WireItem } from './internals.js';

const DYNAMODB = 'com.amazonaws.dynamodb.v20120810#';

export class ApiError extends Error {
  readonly body: { __type: string } & Record<string, unknown>;

  /**
   * Most DynamoDB errors carry `message`; a few (TransactionCanceledException)
   * model it as a `Message` member, and AWS sends it under that name.
   */
  constructor(
    readonly type: string,
    message: string,
    readonly statusCode = 400,
    extra: Record<string, unknown> = {},
    messageKey: 'message' | 'Message' = 'message',
  ) {
    super(message);
    this.name = type.slice(type.indexOf('#') + 1);
    this.body = { __type: type, [messageKey]: message, ...extra };
  }
}

export const validationException = (message: string) => new ApiError('com.amazon.coral.validate#ValidationException', message);
export const serializationException = (message: string) => new ApiError('com.amazon.coral.service#SerializationException', message);
export const idempotentParameterMismatch = () =>
  new ApiError(
    `${DYNAMODB}IdempotentParameterMismatchException`,
    'Request parameters do not match the parameters of an earlier request with the same ClientRequestToken',
  );

export type CancellationCode = 'None' | 'ConditionalCheckFailed' | 'ValidationError';

export interface CancellationReason {
  Code: CancellationCode;
  Message?: string;
  /** The item as it was, when the action asked for ReturnValuesOnConditionCheckFailure=ALL_OLD. */
  Item?: WireItem;
}

export const NO_FAILURE: CancellationReason = { Code: 'None' };

export function conditionFailed(existing: WireItem | undefined, returnOld: boolean): CancellationReason {
  return {
    Code: 'ConditionalCheckFailed',
    Message: 'The conditional request failed',
    ...(returnOld && existing ? { Item: existing } : {}),
  };
}

export function validationFailed(message: string): CancellationReason {
  return { Code: 'ValidationError', Message: message };
}

/** One reason per action, in request order; AWS's message lists the codes in the same order. */
export function transactionCanceled(reasons: CancellationReason[]): ApiError {
  const message = `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`;
  return new ApiError(`${DYNAMODB}TransactionCanceledException`, message, 400, { CancellationReasons: reasons }, 'Message');
}
