// Turns one domain Commit into its write. The commit point is the event item
// at the run's next sequence number, put only if that position is free
// (`attribute_not_exists`): a decision made on the run at sequence N lands
// only if nobody else appended N+1 meanwhile. A commit of one event that
// touches no hook is that single conditional PutItem. Items that must change
// together with the event go in one TransactWriteItems with it:
// - several events of one commit (resilient start: run_created + run_started);
// - hooks, their markers and token claims/releases: hook ids and tokens are
//   global, so a claim must not outlive a lost commit nor a commit land
//   without its claim.
// Runs, steps and waits are projections written after the commit
// (projection-writes.ts); their new state travels in the commit record.
// `roles` runs parallel to `actions` so a cancellation reason (reported by
// request index) can be mapped back to what failed.
import type { Put, TransactWriteItem } from '@aws-sdk/client-dynamodb';
import type { Hook } from '@workflow/world';
import { WorkflowWorldError } from '@workflow/errors';
import type { Commit, TokenClaim, TokenRelease } from '../../../domain/model.js';
import { CommitConflict } from '../../../ports/event-store.js';
import { encodeRecord, type CommitRecord } from './commit-record.js';
import { eventToItem, hookMarkerToItem, hookToItem, tokenClaimToItem } from './item-mappers.js';
import { assertWritable } from './item-size.js';
import { hookKey, tokenKey, type Key } from './keys.js';
import { MAX_TRANSACTION_ACTIONS, type EventStoreTables } from './tables.js';

export type ActionRole = 'head' | 'token' | 'entity';

export interface OverflowDelete {
  table: string;
  key: Key;
}

export interface OverflowTokenRelease {
  table: string;
  key: Key;
  hookId: string;
}

export interface CommitPlan {
  /** One conditional put (no transaction needed), or the transaction's actions. */
  single?: Put;
  actions: TransactWriteItem[];
  roles: ActionRole[];
  /** Deletes that did not fit in the 100-action transaction, applied once it has committed. */
  overflow: { deletes: OverflowDelete[]; tokenReleases: OverflowTokenRelease[] };
}

const S = (value: string) => ({ S: value });

/** `expiresAt` (epoch seconds) is stamped on every item written when the run is terminal and retention is on. */
export function planCommit(commit: Commit, record: CommitRecord, tables: EventStoreTables, expiresAt?: number): CommitPlan {
  const required: Array<[TransactWriteItem, ActionRole]> = [];
  const optional: Array<[TransactWriteItem, ActionRole, OverflowDelete | OverflowTokenRelease]> = [];
  const overflow: CommitPlan['overflow'] = { deletes: [], tokenReleases: [] };

  const eventPuts: Put[] = commit.events.map((event, i) => {
    const last = i === commit.events.length - 1;
    const Item = { ...eventToItem(event, record.firstSeq + i, expiresAt), ...(last ? encodeRecord(record, commit.events) : {}) };
    return { TableName: tables.events, Item, ConditionExpression: 'attribute_not_exists(pk)' };
  });
  for (const put of eventPuts) required.push([{ Put: put }, 'head']);

  // One transaction may touch an item once: a release and a claim of the same
  // token become one conditional Put (the memory store's release-then-claim).
  const releases = new Map(commit.tokenReleases.map((release) => [release.token, release]));
  for (const claim of commit.tokenClaims) {
    required.push([claimPut(claim, releases.get(claim.token), tables, expiresAt), 'token']);
    releases.delete(claim.token);
  }
  const deletedHooks = new Set(commit.deleteHooks.map((hook) => hook.hookId));
  for (const hook of lastById(commit.putHooks, (h: Hook) => h.hookId)) {
    if (deletedHooks.has(hook.hookId)) continue;
    required.push([
      {
        Put: {
          TableName: tables.hooks,
          Item: hookToItem(hook, expiresAt),
          // Hook ids are global keys: never overwrite another run's hook.
          ConditionExpression: 'attribute_not_exists(pk) OR runId = :runId',
          ExpressionAttributeValues: { ':runId': S(commit.runId) },
        },
      },
      'entity',
    ]);
    // Lets disposal list a run's hooks consistently (byRun lags); kept after the hook.
    required.push([{ Put: { TableName: tables.steps, Item: hookMarkerToItem(hook.runId, hook.hookId, expiresAt) } }, 'entity']);
  }
  // Releases first: a claim left behind blocks the token, a hook left behind does not.
  for (const release of releases.values()) {
    const key = tokenKey(release.token);
    optional.push([releaseDelete(key, release.hookId, tables), 'token', { table: tables.hooks, key, hookId: release.hookId }]);
  }
  for (const { hookId } of lastById(commit.deleteHooks, (h: Hook) => h.hookId)) {
    const key = hookKey(hookId);
    optional.push([{ Delete: { TableName: tables.hooks, Key: key } }, 'entity', { table: tables.hooks, key }]);
  }

  if (required.length === 1 && optional.length === 0) {
    assertWritable([{ what: `event ${commit.events[0]!.eventType}`, item: eventPuts[0]!.Item! }], false);
    return { single: eventPuts[0]!, actions: [], roles: [], overflow };
  }
  if (required.length > MAX_TRANSACTION_ACTIONS) {
    throw new WorkflowWorldError(`commit needs ${required.length} writes; one transaction holds ${MAX_TRANSACTION_ACTIONS}`, {
      status: 400,
      code: 'COMMIT_TOO_LARGE',
    });
  }
  const room = MAX_TRANSACTION_ACTIONS - required.length;
  const inline = optional.slice(0, room);
  for (const [, , later] of optional.slice(room)) {
    if ('hookId' in later) overflow.tokenReleases.push(later);
    else overflow.deletes.push(later);
  }
  const all = [...required, ...inline];
  const puts = all.flatMap(([action], i) => (action.Put ? [{ what: `${all[i]![1] === 'head' ? 'event' : 'item'} in ${action.Put.TableName}`, item: action.Put.Item! }] : []));
  assertWritable(puts, true);
  return { actions: all.map(([action]) => action), roles: all.map(([, role]) => role), overflow };
}

function claimPut(claim: TokenClaim, release: TokenRelease | undefined, tables: EventStoreTables, expiresAt?: number): TransactWriteItem {
  const Item = tokenClaimToItem(claim.token, claim.hookId, claim.runId, expiresAt);
  if (release !== undefined) {
    // Released in this same commit, so nobody holds it afterwards: a takeover cannot hold.
    if (claim.expect.kind === 'heldBy') throw new CommitConflict('token');
    return {
      Put: { TableName: tables.hooks, Item, ConditionExpression: 'hookId = :releasedBy', ExpressionAttributeValues: { ':releasedBy': S(release.hookId) } },
    };
  }
  if (claim.expect.kind === 'absent') {
    return { Put: { TableName: tables.hooks, Item, ConditionExpression: 'attribute_not_exists(pk)' } };
  }
  return {
    Put: { TableName: tables.hooks, Item, ConditionExpression: 'hookId = :heldBy', ExpressionAttributeValues: { ':heldBy': S(claim.expect.hookId) } },
  };
}

function releaseDelete(key: Key, hookId: string, tables: EventStoreTables): TransactWriteItem {
  return { Delete: { TableName: tables.hooks, Key: key, ConditionExpression: 'hookId = :hookId', ExpressionAttributeValues: { ':hookId': S(hookId) } } };
}

/** Keeps the last entry per id, in first-seen order (a later put of the same entity wins, as in the memory store). */
function lastById<T>(items: T[], idOf: (item: T) => string): T[] {
  const byId = new Map<string, T>();
  for (const item of items) byId.set(idOf(item), item);
  return [...byId.values()];
}
