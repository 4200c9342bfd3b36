// TransactWriteItems on a dynalite store, in DynamoDB's order of work:
//   1. member constraints, then each action's own validation (request order);
//   2. tables, item keys and the one-operation-per-item rule;
//   3. the locks of every item, in one global order;
//   4. every condition checked and every new item computed, nothing written;
//   5. all writes committed in one atomic batch, or a TransactionCanceledException
//      with one reason per action, in request order.
import { transactionCanceled, validationException, type CancellationReason } from './api-error.js';
import { loadTables, prepareAction, resolveTarget } from './action-targets.js';
import { transactionCapacity } from './capacity.js';
import { IdempotencyTokens, requestFingerprint } from './idempotency.js';
import { readItem, type DynaliteStore } from './internals.js';
import { lockItems } from './item-locks.js';
import { commit, stageWrite, type PreparedWrite, type WriteOutcome } from './staged-writes.js';
import { DUPLICATE_ITEM_MESSAGE, findDuplicateTarget, parseTransactWriteRequest } from './transact-request.js';

export async function transactWriteItems(
  store: DynaliteStore,
  tokens: IdempotencyTokens,
  body: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const request = parseTransactWriteRequest(body);
  const token = request.clientRequestToken;
  const fingerprint = token === undefined ? undefined : requestFingerprint(body);
  if (token !== undefined && tokens.check(token, fingerprint!) === 'replay') return {};

  const writes = request.actions.map(
    (action): PreparedWrite => ({
      kind: action.kind,
      data: { ...prepareAction(action.kind, action.params, store), ...capacityMode(request.returnConsumedCapacity) },
      returnOldOnFailure: action.returnOldOnFailure,
    }),
  );
  const tables = await loadTables(store, writes.map((w) => w.data.TableName as string));
  const resolved = writes.map((w) => resolveTarget(w.kind, w.data, tables.get(w.data.TableName as string)!));
  if (findDuplicateTarget(resolved.map((r) => r.target)) !== undefined) throw validationException(DUPLICATE_ITEM_MESSAGE);

  const unlock = await lockItems(store, resolved.map((r) => r.target));
  let outcomes: WriteOutcome[];
  try {
    const existing = await Promise.all(resolved.map((r) => (r.target ? readItem(store, r.target.tableName, r.target.key) : undefined)));
    outcomes = await Promise.all(
      writes.map((write, i) => {
        const failure = resolved[i]!.failure;
        if (failure) return { reason: failure, ops: [] };
        return stageWrite(store, write, tables.get(write.data.TableName as string)!, existing[i]);
      }),
    );
    const reasons: CancellationReason[] = outcomes.map((o) => o.reason);
    if (reasons.some((r) => r.Code !== 'None')) throw transactionCanceled(reasons);
    await commit(store, outcomes.flatMap((o) => o.ops));
  } finally {
    unlock();
  }

  if (token !== undefined) tokens.remember(token, fingerprint!);
  const consumed = transactionCapacity(outcomes.map((o) => o.capacity), request.returnConsumedCapacity);
  return consumed ? { ConsumedCapacity: consumed } : {};
}

function capacityMode(mode: string | undefined): Record<string, string> {
  return mode ? { ReturnConsumedCapacity: mode } : {};
}
