import { conditionFailed, NO_FAILURE, transactionCanceled, validationFailed } from '../../../src/infra/local-aws/dynalite/api-error.js';
import { transactionCapacity } from '../../../src/infra/local-aws/dynalite/capacity.js';

describe('transactionCanceled', () => {
  it('has the wire shape AWS sends: __type, Message and one reason per action', () => {
    const old = { pk: { S: 'a' } };
    const err = transactionCanceled([NO_FAILURE, conditionFailed(old, true), conditionFailed(old, false), validationFailed('bad')]);
    expect(err.statusCode).toBe(400);
    expect(err.body).toEqual({
      __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
      Message: 'Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed, ConditionalCheckFailed, ValidationError]',
      CancellationReasons: [
        { Code: 'None' },
        { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed', Item: old },
        { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' },
        { Code: 'ValidationError', Message: 'bad' },
      ],
    });
  });

  it('omits Item when the item did not exist', () => {
    expect(conditionFailed(undefined, true)).toEqual({ Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' });
  });
});

describe('transactionCapacity', () => {
  const used = [
    { TableName: 'a', CapacityUnits: 1 },
    undefined,
    { TableName: 'b', CapacityUnits: 2 },
    { TableName: 'a', CapacityUnits: 3 },
  ];

  it('is absent unless asked for', () => {
    expect(transactionCapacity(used, undefined)).toBeUndefined();
    expect(transactionCapacity(used, 'NONE')).toBeUndefined();
  });

  it('sums per table and doubles for the transaction', () => {
    expect(transactionCapacity(used, 'TOTAL')).toEqual([
      { TableName: 'a', CapacityUnits: 8 },
      { TableName: 'b', CapacityUnits: 4 },
    ]);
    expect(transactionCapacity(used, 'INDEXES')?.[1]).toEqual({ TableName: 'b', CapacityUnits: 4, Table: { CapacityUnits: 4 } });
  });
});
