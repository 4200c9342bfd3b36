// lockItems against a store whose per-table locks are dynalite's own `lock`
// package, the one its item sub-databases use.
import { createRequire } from 'node:module';
import type { DynaliteStore, LockFn } from '../../../src/infra/local-aws/dynalite/internals.js';
import { lockItems } from '../../../src/infra/local-aws/dynalite/item-locks.js';

const require = createRequire(import.meta.url);
const { Lock } = require(require.resolve('lock', { paths: [require.resolve('dynalite')] })) as { Lock: () => LockFn & { isLocked(key: string): boolean } };

function storeWithLocks() {
  const locks = new Map<string, ReturnType<typeof Lock>>();
  const taken: string[] = [];
  const lockOf = (table: string) => {
    if (!locks.has(table)) locks.set(table, Lock());
    return locks.get(table)!;
  };
  const store = {
    getItemDb: (table: string) => ({
      lock: (key: string, exec: Parameters<LockFn>[1]) => {
        taken.push(`${table}/${key}`);
        lockOf(table)(key, exec);
      },
    }),
  } as unknown as DynaliteStore;
  return { store, taken, isLocked: (table: string, key: string) => lockOf(table).isLocked(key) };
}

describe('lockItems', () => {
  it('takes each distinct item lock once, in table-then-key order, and frees them all', async () => {
    const { store, taken, isLocked } = storeWithLocks();
    const unlock = await lockItems(store, [
      { tableName: 'runs', key: 'b' },
      { tableName: 'events', key: 'x' },
      undefined,
      { tableName: 'runs', key: 'a' },
      { tableName: 'runs', key: 'b' },
    ]);
    expect(taken).toEqual(['events/x', 'runs/a', 'runs/b']);
    expect(isLocked('runs', 'a')).toBe(true);
    unlock();
    unlock();
    expect(isLocked('runs', 'a') || isLocked('runs', 'b') || isLocked('events', 'x')).toBe(false);
  });

  it('makes a second transaction on a shared item wait until the first frees it', async () => {
    const { store } = storeWithLocks();
    const first = await lockItems(store, [{ tableName: 't', key: 'shared' }]);
    let secondHolds = false;
    const second = lockItems(store, [{ tableName: 't', key: 'other' }, { tableName: 't', key: 'shared' }]).then((unlock) => {
      secondHolds = true;
      return unlock;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(secondHolds).toBe(false);
    first();
    (await second)();
    expect(secondHolds).toBe(true);
  });

  it('finishes transactions that list the same items in opposite orders', async () => {
    const { store } = storeWithLocks();
    const ab = [
      { tableName: 't', key: 'a' },
      { tableName: 'u', key: 'b' },
    ];
    const runs = Array.from({ length: 10 }, (_, i) =>
      lockItems(store, i % 2 ? ab : [...ab].reverse()).then(async (unlock) => {
        await new Promise((resolve) => setImmediate(resolve));
        unlock();
      }),
    );
    await expect(Promise.all(runs)).resolves.toHaveLength(10);
  });
});
