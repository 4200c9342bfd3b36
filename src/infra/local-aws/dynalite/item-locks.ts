// Takes dynalite's own per-key item locks (the ones PutItem, UpdateItem and
// DeleteItem take) for every item of a transaction, one at a time in the
// global order of lockOrder(), and hands back one function that frees them all.
import type { DynaliteStore, Release } from './internals.js';
import { lockOrder, type ItemTarget } from './transact-request.js';

export async function lockItems(store: DynaliteStore, targets: readonly (ItemTarget | undefined)[]): Promise<() => void> {
  const releases: Release[] = [];
  for (const target of lockOrder(targets)) {
    releases.push(await new Promise<Release>((resolve) => store.getItemDb(target.tableName).lock(target.key, resolve)));
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    for (const release of releases.reverse()) release()();
  };
}
