import { ApiError } from '../../../src/infra/local-aws/dynalite/api-error.js';
import {
  findDuplicateTarget,
  lockOrder,
  MAX_TRANSACT_ITEMS,
  ONE_ACTION_MESSAGE,
  parseTransactGetRequest,
  parseTransactWriteRequest,
} from '../../../src/infra/local-aws/dynalite/transact-request.js';

const put = (pk: string) => ({ Put: { TableName: 't1', Item: { pk: { S: pk } } } });

function errorOf(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    return err as ApiError;
  }
  throw new Error('expected an error');
}

describe('parseTransactWriteRequest', () => {
  it('keeps the actions in request order with their kind and options', () => {
    const request = parseTransactWriteRequest({
      TransactItems: [
        put('a'),
        { ConditionCheck: { TableName: 't1', Key: { pk: { S: 'b' } }, ConditionExpression: 'attribute_exists(pk)', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } },
        { Delete: { TableName: 't2', Key: { pk: { S: 'c' } } } },
        { Update: { TableName: 't2', Key: { pk: { S: 'd' } }, UpdateExpression: 'SET x = :x' } },
      ],
      ClientRequestToken: 'token-1',
      ReturnConsumedCapacity: 'TOTAL',
    });
    expect(request.actions.map((a) => [a.kind, a.returnOldOnFailure])).toEqual([
      ['Put', false],
      ['ConditionCheck', true],
      ['Delete', false],
      ['Update', false],
    ]);
    expect(request.clientRequestToken).toBe('token-1');
    expect(request.returnConsumedCapacity).toBe('TOTAL');
  });

  it('accepts 100 actions and refuses 101 with a ValidationException', () => {
    const items = (n: number) => Array.from({ length: n }, (_, i) => put(`k${i}`));
    expect(parseTransactWriteRequest({ TransactItems: items(MAX_TRANSACT_ITEMS) }).actions).toHaveLength(100);
    const err = errorOf(() => parseTransactWriteRequest({ TransactItems: items(101) }));
    expect(err.body).toEqual({
      __type: 'com.amazon.coral.validate#ValidationException',
      message: "1 validation error detected: Value at 'TransactItems' failed to satisfy constraint: Member must have length less than or equal to 100",
    });
  });

  it('refuses a missing or empty TransactItems', () => {
    expect(errorOf(() => parseTransactWriteRequest({})).message).toBe(
      "1 validation error detected: Value null at 'transactItems' failed to satisfy constraint: Member must not be null",
    );
    expect(errorOf(() => parseTransactWriteRequest({ TransactItems: [] })).message).toMatch(/Member must have length greater than or equal to 1$/);
  });

  it('reports every member constraint in one message, token first', () => {
    const err = errorOf(() =>
      parseTransactWriteRequest({ TransactItems: [put('a')], ClientRequestToken: 'x'.repeat(37), ReturnConsumedCapacity: 'BOGUS', ReturnItemCollectionMetrics: 'NOPE' }),
    );
    expect(err.message).toBe(
      `3 validation errors detected: Value '${'x'.repeat(37)}' at 'clientRequestToken' failed to satisfy constraint: Member must have length less than or equal to 36; ` +
        "Value 'BOGUS' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]; " +
        "Value 'NOPE' at 'returnItemCollectionMetrics' failed to satisfy constraint: Member must satisfy enum value set: [SIZE, NONE]",
    );
  });

  it('requires the members each kind of action needs', () => {
    const err = errorOf(() =>
      parseTransactWriteRequest({ TransactItems: [{ ConditionCheck: { TableName: 't1', Key: { pk: { S: 'a' } } } }, { Update: { Key: { pk: { S: 'b' } } } }] }),
    );
    expect(err.message).toBe(
      '3 validation errors detected: ' +
        "Value null at 'transactItems.1.member.conditionCheck.conditionExpression' failed to satisfy constraint: Member must not be null; " +
        "Value null at 'transactItems.2.member.update.updateExpression' failed to satisfy constraint: Member must not be null; " +
        "Value null at 'transactItems.2.member.update.tableName' failed to satisfy constraint: Member must not be null",
    );
  });

  it('refuses an unknown ReturnValuesOnConditionCheckFailure', () => {
    const err = errorOf(() => parseTransactWriteRequest({ TransactItems: [{ Put: { ...put('a').Put, ReturnValuesOnConditionCheckFailure: 'ALL_NEW' } }] }));
    expect(err.message).toContain("at 'transactItems.1.member.put.returnValuesOnConditionCheckFailure'");
  });

  it('refuses an element with no action or with two', () => {
    expect(errorOf(() => parseTransactWriteRequest({ TransactItems: [{}] })).message).toBe(ONE_ACTION_MESSAGE);
    const both = { ...put('a'), Delete: { TableName: 't1', Key: { pk: { S: 'a' } } } };
    expect(errorOf(() => parseTransactWriteRequest({ TransactItems: [both] })).name).toBe('ValidationException');
  });

  it('answers SerializationException for wrongly typed members', () => {
    expect(errorOf(() => parseTransactWriteRequest({ TransactItems: 'nope' })).name).toBe('SerializationException');
    expect(errorOf(() => parseTransactWriteRequest({ TransactItems: [put('a')], ClientRequestToken: 5 })).name).toBe('SerializationException');
  });
});

describe('parseTransactGetRequest', () => {
  it('returns the Get members in order', () => {
    const gets = [
      { Get: { TableName: 't1', Key: { pk: { S: 'a' } } } },
      { Get: { TableName: 't2', Key: { pk: { S: 'b' } }, ProjectionExpression: 'x' } },
    ];
    expect(parseTransactGetRequest({ TransactItems: gets }).gets).toEqual(gets.map((g) => g.Get));
  });

  it('refuses an element without Get and more than 100 gets', () => {
    expect(errorOf(() => parseTransactGetRequest({ TransactItems: [{}] })).message).toBe(
      "1 validation error detected: Value null at 'transactItems.1.member.get' failed to satisfy constraint: Member must not be null",
    );
    const many = Array.from({ length: 101 }, (_, i) => ({ Get: { TableName: 't1', Key: { pk: { S: `k${i}` } } } }));
    expect(errorOf(() => parseTransactGetRequest({ TransactItems: many })).message).toMatch(/less than or equal to 100$/);
  });
});

describe('findDuplicateTarget', () => {
  it('finds the first action that repeats an item, by table and key', () => {
    expect(
      findDuplicateTarget([
        { tableName: 't1', key: 'a' },
        { tableName: 't2', key: 'a' },
        undefined,
        { tableName: 't1', key: 'b' },
        { tableName: 't1', key: 'a' },
      ]),
    ).toBe(4);
  });

  it('finds none when every item differs, skipping actions without a valid key', () => {
    expect(findDuplicateTarget([{ tableName: 't1', key: 'a' }, undefined, undefined, { tableName: 't1', key: 'b' }])).toBeUndefined();
  });

  it('does not confuse table and key boundaries', () => {
    expect(findDuplicateTarget([{ tableName: 'ab', key: 'c' }, { tableName: 'a', key: 'bc' }])).toBeUndefined();
  });
});

describe('lockOrder', () => {
  it('sorts by table, then key, whatever the request order', () => {
    const targets = [
      { tableName: 'runs', key: 'b' },
      { tableName: 'events', key: 'z' },
      undefined,
      { tableName: 'runs', key: 'a' },
    ];
    const expected = [
      { tableName: 'events', key: 'z' },
      { tableName: 'runs', key: 'a' },
      { tableName: 'runs', key: 'b' },
    ];
    expect(lockOrder(targets)).toEqual(expected);
    expect(lockOrder([...targets].reverse())).toEqual(expected);
  });
});
