// Turns one domain Commit into one TransactWriteItems request. The run's head
// item carries the optimistic-concurrency condition; every other action only
// guards what the head cannot (event ids, hook ids across runs, token claims).
// `roles` runs parallel to `actions` so a cancellation reason (reported by
// request index) can be mapped back to what failed.
import type { TransactWriteItem } from '@aws-sdk/client-dynamodb';
import type { Hook, Step, Wait } from '@workflow/world';
import { WorkflowWorldError } from '@workflow/errors';
import type { Commit, TokenClaim, TokenRelease } from '../../../domain/model.js';
import { CommitConflict } from '../../../ports/event-store.js';
import {
  eventToItem,
  headToItem,
  hookMarkerToItem,
  hookToItem,
  runToItem,
  stepToItem,
  tokenClaimToItem,
  waitToItem,
} from './item-mappers.js';
import { hookKey, hookMarkerKey, tokenKey, waitKey, type Key } from './keys.js';
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
  actions: TransactWriteItem[];
  roles: ActionRole[];
  /** Deletes that did not fit in the 100-action transaction, applied once it has committed. */
  overflow: { deletes: OverflowDelete[]; tokenReleases: OverflowTokenRelease[] };
}

const N = (value: number) => ({ N: String(value) });
const S = (value: string) => ({ S: value });

/** `expiresAt` (epoch seconds) is stamped on every item written when the run is terminal and retention is on. */
export function planCommit(commit: Commit, tables: EventStoreTables, expiresAt?: number): CommitPlan {
  const required: Array<[TransactWriteItem, ActionRole]> = [];
  const optional: Array<[TransactWriteItem, ActionRole, OverflowDelete | OverflowTokenRelease]> = [];
  const { runId } = commit;

  required.push([headPut(commit, tables, expiresAt), 'head']);
  if (commit.runChanged || commit.expectRun.kind === 'absent') {
    required.push([{ Put: { TableName: tables.runs, Item: runToItem(commit.run.run, expiresAt) } }, 'entity']);
  }
  for (const event of commit.events) {
    required.push([
      { Put: { TableName: tables.events, Item: eventToItem(event, expiresAt), ConditionExpression: 'attribute_not_exists(pk)' } },
      'entity',
    ]);
  }

  // One transaction may touch an item once: a release and a claim of the same
  // token become one conditional Put (the memory store's release-then-claim).
  const releases = new Map(commit.tokenReleases.map((release) => [release.token, release]));
  for (const claim of commit.tokenClaims) {
    required.push([claimPut(claim, releases.get(claim.token), tables, expiresAt), 'token']);
    releases.delete(claim.token);
  }

  const deletedHooks = new Set(commit.deleteHooks.map((hook) => hook.hookId));
  const deletedWaits = new Set(commit.deleteWaits.map((wait) => wait.waitId));
  for (const step of lastById(commit.putSteps, (s: Step) => s.stepId)) {
    required.push([{ Put: { TableName: tables.steps, Item: stepToItem(step, expiresAt) } }, 'entity']);
  }
  for (const wait of lastById(commit.putWaits, (w: Wait) => w.waitId)) {
    if (!deletedWaits.has(wait.waitId)) required.push([{ Put: { TableName: tables.steps, Item: waitToItem(wait, expiresAt) } }, 'entity']);
  }
  for (const hook of lastById(commit.putHooks, (h: Hook) => h.hookId)) {
    if (deletedHooks.has(hook.hookId)) continue;
    required.push([
      {
        Put: {
          TableName: tables.hooks,
          Item: hookToItem(hook, expiresAt),
          // Hook ids are global keys: never overwrite another run's hook.
          ConditionExpression: 'attribute_not_exists(pk) OR runId = :runId',
          ExpressionAttributeValues: { ':runId': S(runId) },
        },
      },
      'entity',
    ]);
    // Lives and dies with the hook, so disposal can list a run's hooks consistently (byRun lags).
    required.push([{ Put: { TableName: tables.steps, Item: hookMarkerToItem(hook.runId, hook.hookId, expiresAt) } }, 'entity']);
  }

  // Releases first: a claim left behind blocks the token, a hook left behind does not.
  for (const release of releases.values()) {
    const key = tokenKey(release.token);
    optional.push([releaseDelete(key, release.hookId, tables), 'token', { table: tables.hooks, key, hookId: release.hookId }]);
  }
  const hooksToDelete = lastById(commit.deleteHooks, (h: Hook) => h.hookId);
  for (const { hookId } of hooksToDelete) {
    const key = hookKey(hookId);
    optional.push([{ Delete: { TableName: tables.hooks, Key: key } }, 'entity', { table: tables.hooks, key }]);
  }
  // Markers after all hooks, here and in the overflow cleanup: no hook is left
  // without its marker, so a repeated disposal still finds it. A marker is keyed
  // by its hook's run: a takeover deletes the hook of another (terminal) run.
  for (const { runId: hookRunId, hookId } of hooksToDelete) {
    const key = hookMarkerKey(hookRunId, hookId);
    optional.push([{ Delete: { TableName: tables.steps, Key: key } }, 'entity', { table: tables.steps, key }]);
  }
  for (const wait of lastById(commit.deleteWaits, (w: Wait) => w.waitId)) {
    const key = waitKey(wait.runId, wait.waitId);
    optional.push([{ Delete: { TableName: tables.steps, Key: key } }, 'entity', { table: tables.steps, key }]);
  }

  if (required.length > MAX_TRANSACTION_ACTIONS) {
    throw new WorkflowWorldError(`commit needs ${required.length} writes; one transaction holds ${MAX_TRANSACTION_ACTIONS}`, {
      status: 400,
      code: 'COMMIT_TOO_LARGE',
    });
  }
  const room = MAX_TRANSACTION_ACTIONS - required.length;
  const inline = optional.slice(0, room);
  const overflow: CommitPlan['overflow'] = { deletes: [], tokenReleases: [] };
  for (const [, , later] of optional.slice(room)) {
    if ('hookId' in later) overflow.tokenReleases.push(later);
    else overflow.deletes.push(later);
  }
  const all = [...required, ...inline];
  return { actions: all.map(([action]) => action), roles: all.map(([, role]) => role), overflow };
}

function headPut(commit: Commit, tables: EventStoreTables, expiresAt: number | undefined): TransactWriteItem {
  const Item = headToItem(commit.runId, commit.run, expiresAt);
  if (commit.expectRun.kind === 'absent') {
    return { Put: { TableName: tables.events, Item, ConditionExpression: 'attribute_not_exists(pk)' } };
  }
  return {
    Put: {
      TableName: tables.events,
      Item,
      ConditionExpression: 'version = :expected',
      ExpressionAttributeValues: { ':expected': N(commit.expectRun.version) },
    },
  };
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
