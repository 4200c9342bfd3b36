// Entity ↔ item mapping. Entity fields are stored as top-level attributes
// (so the index key attributes runId/workflowName/stepId/hookId/correlationId
// are the entity's own fields); dates as epoch-ms numbers; every other field
// through the exact attribute codec. Bookkeeping attributes (keys, shards,
// TTL) are added on write and dropped on read.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Event, Hook, Step, Wait, WorkflowRun } from '@workflow/world';
import { decodeValue, encodeValue } from './attribute-codec.js';
import { hookMarkerKey, hookPk, hookShard, runShard, runStatusShard, seqSk, stepSk, tokenPk, waitSk } from './keys.js';

export type Item = Record<string, AttributeValue>;

/**
 * Attributes that are not entity fields: keys, index keys, TTL, a
 * projection's applied sequence (`seq`), its correlation id (`cid`) and
 * tombstone mark (`gone`), and the commit record on an event item (see
 * commit-record.ts).
 */
const BOOKKEEPING = new Set(['pk', 'sk', 'shard', 'statusShard', 'expiresAt', 'seq', 'cid', 'gone', 'v', 'at', 'xs', 'p', 'ne', 'fx']);

export const RUN_DATES = new Set(['createdAt', 'updatedAt', 'startedAt', 'completedAt', 'expiredAt']);
export const STEP_DATES = new Set(['createdAt', 'updatedAt', 'startedAt', 'completedAt', 'retryAfter']);
export const WAIT_DATES = new Set(['createdAt', 'updatedAt', 'resumeAt', 'completedAt']);
const HOOK_DATES = new Set(['createdAt']);
export const EVENT_DATES = new Set(['createdAt', 'occurredAt']);

const S = (value: string): AttributeValue => ({ S: value });
const N = (value: number): AttributeValue => ({ N: String(value) });
const ttl = (expiresAt: number | undefined): Item => (expiresAt === undefined ? {} : { expiresAt: N(expiresAt) });

/** `seq`: the commit whose state this projection holds. */
export function runToItem(run: WorkflowRun, seq: number, expiresAt?: number): Item {
  const fields = encodeFields(run, RUN_DATES);
  // An index key attribute may not be an empty string: leave it out (the run then is not listed by name).
  if (run.workflowName === '') delete fields.workflowName;
  return {
    ...fields,
    pk: S(run.runId),
    shard: S(runShard(run.runId)),
    statusShard: S(runStatusShard(run.status, run.runId)),
    seq: N(seq),
    ...ttl(expiresAt),
  };
}

export function itemToRun(item: Item): WorkflowRun {
  const fields = decodeFields(item, RUN_DATES);
  return { ...fields, workflowName: fields.workflowName ?? '' } as WorkflowRun;
}

/** The run's `seq`-th event; `runId` is the partition key, not repeated. */
export function eventToItem(event: Event, seq: number, expiresAt?: number): Item {
  const { runId, ...fields } = event;
  const item = encodeFields(fields, EVENT_DATES);
  // Stored without an empty correlationId (read back as absent), as before.
  if (event.correlationId === '') delete item.correlationId;
  return { ...item, pk: S(runId), sk: S(seqSk(seq)), ...ttl(expiresAt) };
}

export const itemToEvent = (item: Item): Event => {
  const { eventId, ...rest } = decodeFields(item, EVENT_DATES);
  return { eventId, runId: item.pk?.S ?? '', ...rest } as Event;
};

export function stepToItem(step: Step, seq: number, expiresAt?: number): Item {
  return { ...encodeFields(step, STEP_DATES), pk: S(step.runId), sk: S(stepSk(step.stepId)), cid: S(step.stepId), seq: N(seq), ...ttl(expiresAt) };
}

export const itemToStep = (item: Item): Step => decodeFields(item, STEP_DATES) as Step;

export function waitToItem(wait: Wait, seq: number, expiresAt?: number): Item {
  return { ...encodeFields(wait, WAIT_DATES), pk: S(wait.runId), sk: S(waitSk(wait.waitId)), cid: S(waitCorrelationId(wait)), seq: N(seq), ...ttl(expiresAt) };
}

/**
 * A deleted wait: kept as a marker with the deleting commit's `seq`, so a
 * slower writer of an older state cannot bring it back (its condition
 * `seq < :seq` fails). Reads skip it; TTL removes it with the run.
 */
export function waitTombstone(wait: Wait, seq: number, expiresAt?: number): Item {
  return { pk: S(wait.runId), sk: S(waitSk(wait.waitId)), cid: S(waitCorrelationId(wait)), seq: N(seq), gone: { BOOL: true }, ...ttl(expiresAt) };
}

/** Wait ids are `<runId>-<correlationId>` (domain/state-machine/wait.ts). */
const waitCorrelationId = (wait: Wait): string =>
  wait.waitId.startsWith(`${wait.runId}-`) ? wait.waitId.slice(wait.runId.length + 1) : wait.waitId;

export const itemToWait = (item: Item): Wait => decodeFields(item, WAIT_DATES) as Wait;

export function hookToItem(hook: Hook, expiresAt?: number): Item {
  return { ...encodeFields(hook, HOOK_DATES), pk: S(hookPk(hook.hookId)), shard: S(hookShard(hook.hookId)), ...ttl(expiresAt) };
}

export const itemToHook = (item: Item): Hook => decodeFields(item, HOOK_DATES) as Hook;

/**
 * Marks `hookId` as a hook of `runId` in the run's steps-table partition,
 * written with the hook and kept after it (`cid` finds the hook's run for
 * listByCorrelationId once the hook is gone).
 */
export function hookMarkerToItem(runId: string, hookId: string, expiresAt?: number): Item {
  return { ...hookMarkerKey(runId, hookId), hookId: S(hookId), cid: S(hookId), ...ttl(expiresAt) };
}

/**
 * Who holds a token. Deliberately has no `runId`/`shard` attribute, so claims
 * stay out of the hooks table's byRun and byShard indexes.
 */
export function tokenClaimToItem(token: string, hookId: string, runId: string, expiresAt?: number): Item {
  return { pk: S(tokenPk(token)), hookId: S(hookId), holderRunId: S(runId), ...ttl(expiresAt) };
}

export function encodeFields(entity: object, dates: ReadonlySet<string>): Item {
  const item: Item = {};
  for (const [name, value] of Object.entries(entity)) {
    if (value === undefined || BOOKKEEPING.has(name)) continue;
    item[name] = dates.has(name) && value instanceof Date && Number.isFinite(value.getTime()) ? N(value.getTime()) : encodeValue(value);
  }
  return item;
}

export function decodeFields(item: Item, dates: ReadonlySet<string>): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [name, attribute] of Object.entries(item)) {
    if (BOOKKEEPING.has(name)) continue;
    fields[name] = dates.has(name) && attribute.N !== undefined ? new Date(Number(attribute.N)) : decodeValue(attribute);
  }
  return fields;
}
