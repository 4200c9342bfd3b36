// The shared AWS → contract error mapping (used by the DynamoDB, S3 and SQS adapters).
import { DynamoDBServiceException } from '@aws-sdk/client-dynamodb';
import { ThrottleError, WorkflowWorldError } from '@workflow/errors';
import { isThrottlingError, isTransientError, isUnknownOperation, notFound, toWorldError } from '../../../../src/adapters/aws/aws-errors.js';

const service = (name: string, status: number, fault: 'client' | 'server' = 'client') =>
  new DynamoDBServiceException({ name, $fault: fault, $metadata: { httpStatusCode: status }, message: `${name} message` });

describe('toWorldError', () => {
  it.each(['ThrottlingException', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded', 'SlowDown', 'TooManyRequestsException'])(
    '%s → ThrottleError',
    (name) => {
      const error = toWorldError(service(name, 400), 'DynamoDB.PutItem');
      expect(error).toBeInstanceOf(ThrottleError);
      expect(ThrottleError.is(error)).toBe(true);
      expect(error).toMatchObject({ status: 429, retryAfter: 1 });
      expect(error.message).toBe(`DynamoDB.PutItem failed: ${name}: ${name} message`);
    },
  );

  it('any 429 → ThrottleError', () => {
    expect(toWorldError(service('Whatever', 429), 'S3.PutObject')).toBeInstanceOf(ThrottleError);
  });

  it.each([
    [service('InternalServerError', 500, 'server'), 'InternalServerError'],
    [service('ServiceUnavailable', 503, 'server'), 'ServiceUnavailable'],
    [Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }), 'TRANSPORT'],
    [Object.assign(new Error('getaddrinfo'), { code: 'ENOTFOUND' }), 'TRANSPORT'],
    [Object.assign(new Error('timed out'), { name: 'TimeoutError' }), 'TRANSPORT'],
    [Object.assign(new Error('wrapped'), { cause: Object.assign(new Error('x'), { code: 'ETIMEDOUT' }) }), 'TRANSPORT'],
  ])('transient %# → WorkflowWorldError 503', (input, code) => {
    const error = toWorldError(input, 'DynamoDB.Query');
    expect(error).toBeInstanceOf(WorkflowWorldError);
    expect(error).toMatchObject({ name: 'WorkflowWorldError', status: 503, code });
    expect((error as WorkflowWorldError).cause).toBe(input);
  });

  it('other AWS errors keep their status and name, never a plain Error', () => {
    expect(toWorldError(service('AccessDeniedException', 403), 'DynamoDB.GetItem')).toMatchObject({
      name: 'WorkflowWorldError',
      status: 403,
      code: 'AccessDeniedException',
    });
    expect(toWorldError(service('ResourceNotFoundException', 400), 'DynamoDB.GetItem')).toMatchObject({ status: 400 });
    expect(toWorldError(new Error('mystery'), 'DynamoDB.GetItem')).toMatchObject({ name: 'WorkflowWorldError', status: 500 });
    expect(toWorldError('not even an error', 'DynamoDB.GetItem')).toBeInstanceOf(WorkflowWorldError);
  });

  it('passes Workflow errors through unchanged', () => {
    const original = notFound('gone');
    expect(toWorldError(original, 'S3.GetObject')).toBe(original);
    expect(original).toMatchObject({ status: 404, code: 'NOT_FOUND' });
  });

  it('does not treat an abort as transient', () => {
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
    expect(isTransientError(abort)).toBe(false);
    expect(isThrottlingError(abort)).toBe(false);
  });
});

describe('isUnknownOperation', () => {
  it("is SQS's InvalidAction and DynamoDB's UnknownOperationException, by name", () => {
    expect(isUnknownOperation(service('InvalidAction', 400))).toBe(true);
    expect(isUnknownOperation(service('UnknownOperationException', 400))).toBe(true);
  });

  it("is not SQS's UnsupportedOperation (a known action refused) or any other error, whatever its message", () => {
    expect(isUnknownOperation(service('UnsupportedOperation', 400))).toBe(false);
    expect(isUnknownOperation(Object.assign(new Error('not implemented: unknown action'), { name: 'ValidationException' }))).toBe(false);
  });
});
