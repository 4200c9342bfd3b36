import { IdempotencyTokens, requestFingerprint } from '../../../src/infra/local-aws/dynalite/idempotency.js';

describe('IdempotencyTokens', () => {
  let now = 0;
  const clock = () => now;

  beforeEach(() => {
    now = 1_000_000;
  });

  it('treats a token as new until it succeeded, then as a replay within the window', () => {
    const tokens = new IdempotencyTokens(clock, 600_000);
    expect(tokens.check('t', 'f')).toBe('new');
    tokens.remember('t', 'f');
    now += 599_999;
    expect(tokens.check('t', 'f')).toBe('replay');
    now += 1;
    expect(tokens.check('t', 'f')).toBe('new');
  });

  it('refuses the same token with other parameters', () => {
    const tokens = new IdempotencyTokens(clock);
    tokens.remember('t', 'f1');
    expect(() => tokens.check('t', 'f2')).toThrow(expect.objectContaining({ name: 'IdempotentParameterMismatchException' }));
  });

  it('drops expired entries and keeps at most maxEntries', () => {
    const tokens = new IdempotencyTokens(clock, 1000, 3);
    tokens.remember('a', 'f');
    now += 2000;
    tokens.remember('b', 'f');
    expect(tokens.size).toBe(1);
    for (const t of ['c', 'd', 'e']) tokens.remember(t, 'f');
    expect(tokens.size).toBe(3);
    expect(tokens.check('b', 'other')).toBe('new');
  });
});

describe('requestFingerprint', () => {
  it('ignores the token and tells different parameters apart', () => {
    const body = { TransactItems: [{ Put: { TableName: 't', Item: { pk: { S: 'a' } } } }] };
    expect(requestFingerprint({ ...body, ClientRequestToken: 'x' })).toBe(requestFingerprint({ ...body, ClientRequestToken: 'y' }));
    expect(requestFingerprint(body)).not.toBe(requestFingerprint({ ...body, ReturnConsumedCapacity: 'TOTAL' }));
  });
});
