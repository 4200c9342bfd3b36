// TransactWriteItems / TransactGetItems on dynalite with the add-on, through
// the real AWS SDK v3 over HTTP.
import {
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactGetItemsCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateContinuousBackupsCommand,
  UpdateItemCommand,
  type AttributeValue,
  type TransactWriteItem,
} from '@aws-sdk/client-dynamodb';
import { createTestTable, dynaliteFixture, rejection, type DynaliteFixture } from './dynalite-helpers.js';

const T1 = 'tx-one';
const T2 = 'tx-two';
let fx: DynaliteFixture;

beforeAll(async () => {
  fx = await dynaliteFixture();
  await createTestTable(fx.client, T1);
  await createTestTable(fx.client, T2);
});

afterAll(async () => {
  await fx.stop();
});

const key = (pk: string, sk = 'a'): Record<string, AttributeValue> => ({ pk: { S: pk }, sk: { S: sk } });
const put = (table: string, item: Record<string, AttributeValue>, condition?: string): TransactWriteItem => ({
  Put: { TableName: table, Item: item, ...(condition ? { ConditionExpression: condition } : {}) },
});

async function get(table: string, k: Record<string, AttributeValue>) {
  return (await fx.client.send(new GetItemCommand({ TableName: table, Key: k, ConsistentRead: true }))).Item;
}

function transact(items: TransactWriteItem[], token?: string) {
  return fx.client.send(new TransactWriteItemsCommand({ TransactItems: items, ...(token ? { ClientRequestToken: token } : {}) }));
}

describe('TransactWriteItems', () => {
  it('applies Put, Update and Delete across two tables together', async () => {
    await fx.client.send(new PutItemCommand({ TableName: T2, Item: { ...key('apply-del'), v: { N: '1' } } }));
    await fx.client.send(new PutItemCommand({ TableName: T1, Item: { ...key('apply-upd'), n: { N: '5' } } }));

    await transact([
      put(T1, { ...key('apply-put'), v: { S: 'new' } }, 'attribute_not_exists(pk)'),
      {
        Update: {
          TableName: T1,
          Key: key('apply-upd'),
          UpdateExpression: 'SET n = n + :one',
          ConditionExpression: 'n = :five',
          ExpressionAttributeValues: { ':one': { N: '1' }, ':five': { N: '5' } },
        },
      },
      { Delete: { TableName: T2, Key: key('apply-del') } },
    ]);

    expect((await get(T1, key('apply-put')))?.v).toEqual({ S: 'new' });
    expect((await get(T1, key('apply-upd')))?.n).toEqual({ N: '6' });
    expect(await get(T2, key('apply-del'))).toBeUndefined();
  });

  it('writes nothing when one condition fails, and reports a reason per action in request order', async () => {
    await fx.client.send(new PutItemCommand({ TableName: T1, Item: { ...key('aon-taken'), v: { S: 'original' } } }));
    await fx.client.send(new PutItemCommand({ TableName: T1, Item: { ...key('aon-guard'), status: { S: 'closed' } } }));

    const err = await rejection(
      transact([
        put(T1, { ...key('aon-fresh'), v: { S: 'x' } }, 'attribute_not_exists(pk)'),
        put(T1, { ...key('aon-taken'), v: { S: 'overwritten' } }, 'attribute_not_exists(pk)'),
        { Delete: { TableName: T2, Key: key('aon-absent') } },
        {
          ConditionCheck: {
            TableName: T1,
            Key: key('aon-guard'),
            ConditionExpression: '#s = :open',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':open': { S: 'open' } },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          },
        },
      ]),
    );

    expect(err).toBeInstanceOf(TransactionCanceledException);
    expect(err.name).toBe('TransactionCanceledException');
    expect(err.message).toBe(
      'Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed, None, ConditionalCheckFailed]',
    );
    const reasons = (err as unknown as TransactionCanceledException).CancellationReasons;
    expect(reasons?.map((r) => r.Code)).toEqual(['None', 'ConditionalCheckFailed', 'None', 'ConditionalCheckFailed']);
    expect(reasons?.[1]).toEqual({ Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' });
    expect(reasons?.[3]?.Item).toEqual({ ...key('aon-guard'), status: { S: 'closed' } });

    expect(await get(T1, key('aon-fresh'))).toBeUndefined();
    expect((await get(T1, key('aon-taken')))?.v).toEqual({ S: 'original' });
  });

  it('applies the writes when a ConditionCheck holds', async () => {
    await fx.client.send(new PutItemCommand({ TableName: T1, Item: { ...key('cc-guard'), status: { S: 'open' } } }));
    await transact([
      {
        ConditionCheck: {
          TableName: T1,
          Key: key('cc-guard'),
          ConditionExpression: '#s = :open',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':open': { S: 'open' } },
        },
      },
      put(T2, { ...key('cc-target'), v: { S: 'written' } }),
    ]);
    expect((await get(T2, key('cc-target')))?.v).toEqual({ S: 'written' });
    expect((await get(T1, key('cc-guard')))?.status).toEqual({ S: 'open' });
  });

  it('maintains global secondary indexes, moving an entry when its index key changes', async () => {
    await transact([put(T1, { ...key('gsi-item'), gsiPk: { S: 'gsi-old' } })]);
    await transact([
      {
        Update: {
          TableName: T1,
          Key: key('gsi-item'),
          UpdateExpression: 'SET gsiPk = :new',
          ExpressionAttributeValues: { ':new': { S: 'gsi-new' } },
        },
      },
    ]);
    const byGsi = (value: string) =>
      fx.client.send(
        new QueryCommand({
          TableName: T1,
          IndexName: 'byGsi',
          KeyConditionExpression: 'gsiPk = :v',
          ExpressionAttributeValues: { ':v': { S: value } },
        }),
      );
    expect((await byGsi('gsi-old')).Items).toEqual([]);
    expect((await byGsi('gsi-new')).Items?.map((i) => i.pk)).toEqual([{ S: 'gsi-item' }]);
  });

  it('reports an update that makes an item invalid as a ValidationError reason', async () => {
    await fx.client.send(new PutItemCommand({ TableName: T1, Item: { ...key('val-upd'), n: { S: 'text' } } }));
    const err = await rejection(
      transact([
        put(T1, { ...key('val-other') }),
        { Update: { TableName: T1, Key: key('val-upd'), UpdateExpression: 'SET n = n + :one', ExpressionAttributeValues: { ':one': { N: '1' } } } },
      ]),
    );
    const reasons = (err as unknown as TransactionCanceledException).CancellationReasons;
    expect(reasons?.map((r) => r.Code)).toEqual(['None', 'ValidationError']);
    expect(reasons?.[1]?.Message).toBe('An operand in the update expression has an incorrect data type');
    expect(await get(T1, key('val-other'))).toBeUndefined();
  });

  it('reports a key of the wrong type as a ValidationError reason', async () => {
    const err = await rejection(transact([put(T1, { pk: { N: '5' }, sk: { S: 'a' } })]));
    expect(err.name).toBe('TransactionCanceledException');
    const reasons = (err as unknown as TransactionCanceledException).CancellationReasons;
    expect(reasons).toEqual([{ Code: 'ValidationError', Message: 'One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N' }]);
  });

  describe('request validation', () => {
    it('refuses two actions on one item', async () => {
      const err = await rejection(
        transact([put(T1, { ...key('dup'), v: { S: '1' } }), { Delete: { TableName: T1, Key: key('dup') } }]),
      );
      expect(err.name).toBe('ValidationException');
      expect(err.message).toBe('Transaction request cannot include multiple operations on one item');
      expect(await get(T1, key('dup'))).toBeUndefined();
    });

    it('refuses more than 100 actions and writes none of them', async () => {
      const items = Array.from({ length: 101 }, (_, i) => put(T1, key(`many-${i}`)));
      const err = await rejection(transact(items));
      expect(err.name).toBe('ValidationException');
      expect(err.message).toBe(
        "1 validation error detected: Value at 'TransactItems' failed to satisfy constraint: Member must have length less than or equal to 100",
      );
      expect(await get(T1, key('many-0'))).toBeUndefined();
    });

    it('accepts exactly 100 actions', async () => {
      await transact(Array.from({ length: 100 }, (_, i) => put(T2, key(`hundred-${i}`))));
      expect(await get(T2, key('hundred-99'))).toEqual(key('hundred-99'));
    });

    it('refuses an empty request and an element with two actions', async () => {
      expect((await rejection(transact([]))).name).toBe('ValidationException');
      const two = { ...put(T1, key('two')), Delete: { TableName: T1, Key: key('two') } } as TransactWriteItem;
      const err = await rejection(transact([two]));
      expect(err.message).toBe('TransactItems can only contain one of Check, Put, Update or Delete');
    });

    it('refuses an empty key value for the whole request', async () => {
      const err = await rejection(transact([put(T1, { pk: { S: '' }, sk: { S: 'a' } })]));
      expect(err.name).toBe('ValidationException');
      expect(err.message).toContain('cannot contain an empty string value');
    });

    it('refuses a malformed expression before looking at tables', async () => {
      const err = await rejection(
        transact([
          put('no-such-table', key('x')),
          { ConditionCheck: { TableName: T1, Key: key('x'), ConditionExpression: 'attribute_not_exists(' } },
        ]),
      );
      expect(err.name).toBe('ValidationException');
      expect(err.message).toMatch(/^Invalid ConditionExpression: Syntax error/);
    });

    it('answers ResourceNotFoundException for a missing table', async () => {
      const err = await rejection(transact([put('no-such-table', key('x'))]));
      expect(err.name).toBe('ResourceNotFoundException');
      expect(err.message).toBe('Requested resource not found');
    });
  });

  describe('ClientRequestToken', () => {
    const increment = (pk: string): TransactWriteItem => ({
      Update: { TableName: T1, Key: key(pk), UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': { N: '1' } } },
    });

    it('applies a repeated request with the same token once', async () => {
      await transact([increment('token-counter')], 'token-same-1');
      await transact([increment('token-counter')], 'token-same-1');
      expect((await get(T1, key('token-counter')))?.n).toEqual({ N: '1' });
    });

    it('refuses the same token with other parameters', async () => {
      await transact([increment('token-a')], 'token-mismatch-1');
      const err = await rejection(transact([increment('token-b')], 'token-mismatch-1'));
      expect(err.name).toBe('IdempotentParameterMismatchException');
      expect(await get(T1, key('token-b'))).toBeUndefined();
    });
  });
});

describe('concurrency', () => {
  it('lets exactly one of many conflicting transactions win', async () => {
    const attempts = Array.from({ length: 12 }, (_, i) =>
      transact([put(T1, { ...key('race-claim'), winner: { N: String(i) } }, 'attribute_not_exists(pk)'), put(T2, key(`race-side-${i}`))]).then(
        () => i,
        (err: Error) => err,
      ),
    );
    const results = await Promise.all(attempts);
    const winners = results.filter((r): r is number => typeof r === 'number');
    expect(winners).toHaveLength(1);
    for (const r of results) if (typeof r !== 'number') expect(r).toBeInstanceOf(TransactionCanceledException);
    expect((await get(T1, key('race-claim')))?.winner).toEqual({ N: String(winners[0]) });
    // The losers' unconditional side writes were cancelled with them.
    for (let i = 0; i < 12; i++) expect(await get(T2, key(`race-side-${i}`))).toEqual(i === winners[0] ? key(`race-side-${i}`) : undefined);
  });

  it('takes locks in one order, so transactions over the same items in opposite orders all finish', async () => {
    const a = (n: number) => put(T1, { ...key('order-a'), n: { N: String(n) } });
    const b = (n: number) => put(T2, { ...key('order-b'), n: { N: String(n) } });
    await Promise.all(Array.from({ length: 20 }, (_, i) => transact(i % 2 ? [a(i), b(i)] : [b(i), a(i)])));
    // Each transaction wrote both items with its own number, so they end equal.
    expect((await get(T1, key('order-a')))?.n).toEqual((await get(T2, key('order-b')))?.n);
  });

  it('loses no update against concurrent single-item UpdateItem calls on the same item', async () => {
    const add = { UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': { N: '1' } } };
    const work: Promise<unknown>[] = [];
    for (let i = 0; i < 25; i++) {
      work.push(transact([{ Update: { TableName: T1, Key: key('iso-counter'), ...add } }, { Update: { TableName: T2, Key: key('iso-counter'), ...add } }]));
      work.push(fx.client.send(new UpdateItemCommand({ TableName: T1, Key: key('iso-counter'), ...add })));
    }
    await Promise.all(work);
    expect((await get(T1, key('iso-counter')))?.n).toEqual({ N: '50' });
    expect((await get(T2, key('iso-counter')))?.n).toEqual({ N: '25' });
  });

  it('keeps a conditional transaction and a concurrent PutItem on its item from both passing one check', async () => {
    // The transaction claims `iso-slot` only if absent; PutItem does the same.
    // Whatever the interleaving, exactly one of them may succeed.
    for (let round = 0; round < 10; round++) {
      const slot = key(`iso-slot-${round}`);
      const [tx, single] = await Promise.allSettled([
        transact([put(T1, { ...slot, by: { S: 'tx' } }, 'attribute_not_exists(pk)'), put(T2, slot)]),
        fx.client.send(new PutItemCommand({ TableName: T1, Item: { ...slot, by: { S: 'put' } }, ConditionExpression: 'attribute_not_exists(pk)' })),
      ]);
      expect([tx.status, single.status].filter((s) => s === 'fulfilled')).toHaveLength(1);
      const owner = (await get(T1, slot))?.by?.S;
      expect(owner).toBe(tx.status === 'fulfilled' ? 'tx' : 'put');
      expect(await get(T2, slot)).toEqual(tx.status === 'fulfilled' ? slot : undefined);
    }
  });

  it('never shows a lock-free Query half of a transaction', async () => {
    const writes: Promise<unknown>[] = [];
    const seen: string[][] = [];
    for (let round = 1; round <= 30; round++) {
      const r = { N: String(round) };
      writes.push(transact([put(T1, { ...key('atomic', 'x'), round: r }), put(T1, { ...key('atomic', 'y'), round: r })]));
      writes.push(
        fx.client
          .send(new QueryCommand({ TableName: T1, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'atomic' } } }))
          .then((out) => seen.push((out.Items ?? []).map((i) => i.round!.N!))),
      );
    }
    await Promise.all(writes);
    for (const rounds of seen) {
      if (rounds.length === 0) continue;
      expect(rounds).toHaveLength(2);
      expect(rounds[0]).toBe(rounds[1]);
    }
  });
});

describe('TransactGetItems', () => {
  it('returns the items in request order, with an empty entry for a missing one', async () => {
    await fx.client.send(new PutItemCommand({ TableName: T1, Item: { ...key('tg-1'), v: { S: 'one' }, extra: { S: 'e' } } }));
    await fx.client.send(new PutItemCommand({ TableName: T2, Item: { ...key('tg-2'), v: { S: 'two' } } }));
    const out = await fx.client.send(
      new TransactGetItemsCommand({
        TransactItems: [
          { Get: { TableName: T2, Key: key('tg-2') } },
          { Get: { TableName: T1, Key: key('tg-missing') } },
          { Get: { TableName: T1, Key: key('tg-1'), ProjectionExpression: 'v' } },
        ],
      }),
    );
    expect(out.Responses).toEqual([{ Item: { ...key('tg-2'), v: { S: 'two' } } }, {}, { Item: { v: { S: 'one' } } }]);
  });

  it('refuses two reads of one item', async () => {
    const err = await rejection(
      fx.client.send(new TransactGetItemsCommand({ TransactItems: [{ Get: { TableName: T1, Key: key('tg-1') } }, { Get: { TableName: T1, Key: key('tg-1') } }] })),
    );
    expect(err.message).toBe('Transaction request cannot include multiple operations on one item');
  });

  it('sees every transfer whole while transfers run', async () => {
    await transact([put(T1, { ...key('bank-a'), n: { N: '100' } }), put(T2, { ...key('bank-b'), n: { N: '0' } })]);
    const move = (): TransactWriteItem[] => [
      { Update: { TableName: T1, Key: key('bank-a'), UpdateExpression: 'ADD n :minus', ExpressionAttributeValues: { ':minus': { N: '-1' } } } },
      { Update: { TableName: T2, Key: key('bank-b'), UpdateExpression: 'ADD n :plus', ExpressionAttributeValues: { ':plus': { N: '1' } } } },
    ];
    const totals: number[] = [];
    const work: Promise<unknown>[] = [];
    for (let i = 0; i < 20; i++) {
      work.push(transact(move()));
      work.push(
        fx.client
          .send(new TransactGetItemsCommand({ TransactItems: [{ Get: { TableName: T1, Key: key('bank-a') } }, { Get: { TableName: T2, Key: key('bank-b') } }] }))
          .then((out) => totals.push(Number(out.Responses![0]!.Item!.n!.N) + Number(out.Responses![1]!.Item!.n!.N))),
      );
    }
    await Promise.all(work);
    expect(totals).toHaveLength(20);
    expect(new Set(totals)).toEqual(new Set([100]));
  });
});

describe('operations the add-on leaves to dynalite', () => {
  it('still answers UnknownOperationException for an operation neither serves', async () => {
    const err = await rejection(
      fx.client.send(new UpdateContinuousBackupsCommand({ TableName: T1, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })),
    );
    expect(err.name).toBe('UnknownOperationException');
  });
});
