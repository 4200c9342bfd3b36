// Entity ↔ item mapping. Entity fields are stored as top-level attributes
// (so the index key attributes runId/workflowName/stepId/hookId/correlationId
// are the entity's own fields); dates as epoch-ms numbers; every other field
// through the exact attribute codec. Bookkeeping attributes (keys, shards,
// TTL) are added on write and dropped on read.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Event, Hook, Step, Wait, WorkflowRun } from '@workflow/world';
import type { RunRecord } from '../../../domain/model.js';
import { decodeValue, encodeValue } from './attribute-codec.js';
import { HEAD_SK, hookMarkerKey, hookPk, hookShard, runShard, runStatusShard, stepSk, tokenPk, waitSk } from './keys.js';

export type Item = Record<string, AttributeValue>;
export type RunHead = Omit<RunRecord, 'run'>;

const BOOKKEEPING = new Set(['pk', 'sk', 'shard', 'statusShard', 'expiresAt']);

const RUN_DATES = new Set(['createdAt', 'updatedAt', 'startedAt', 'completedAt', 'expiredAt']);
const STEP_DATES = new Set(['createdAt', 'updatedAt', 'startedAt', 'completedAt', 'retryAfter']);
const WAIT_DATES = new Set(['createdAt', 'updatedAt', 'resumeAt', 'completedAt']);
const HOOK_DATES = new Set(['createdAt']);
const EVENT_DATES = new Set(['createdAt', 'occurredAt']);

const S = (value: string): AttributeValue => ({ S: value });
const N = (value: number): AttributeValue => ({ N: String(value) });
const ttl = (expiresAt: number | undefined): Item => (expiresAt === undefined ? {} : { expiresAt: N(expiresAt) });

export function runToItem(run: WorkflowRun, expiresAt?: number): Item {
  const fields = encodeFields(run, RUN_DATES);
  // An index key attribute may not be an empty string: leave it out (the run then is not listed by name).
  if (run.workflowName === '') delete fields.workflowName;
  return {
    ...fields,
    pk: S(run.runId),
    shard: S(runShard(run.runId)),
    statusShard: S(runStatusShard(run.status, run.runId)),
    ...ttl(expiresAt),
  };
}

export function itemToRun(item: Item): WorkflowRun {
  const fields = decodeFields(item, RUN_DATES);
  return { ...fields, workflowName: fields.workflowName ?? '' } as WorkflowRun;
}

export function headToItem(runId: string, head: RunHead, expiresAt?: number): Item {
  const item: Item = {
    pk: S(runId),
    sk: S(HEAD_SK),
    version: N(head.version),
    lastEventAt: N(head.lastEventAt),
    eventCount: N(head.eventCount),
    ...ttl(expiresAt),
  };
  if (head.lastEventId !== null) item.lastEventId = S(head.lastEventId);
  if (head.externalStateAt !== undefined) item.externalStateAt = N(head.externalStateAt);
  return item;
}

export function itemToHead(item: Item): RunHead {
  const head: RunHead = {
    version: Number(item.version?.N),
    lastEventId: item.lastEventId?.S ?? null,
    lastEventAt: Number(item.lastEventAt?.N),
    eventCount: Number(item.eventCount?.N),
  };
  if (item.externalStateAt?.N !== undefined) head.externalStateAt = Number(item.externalStateAt.N);
  return head;
}

export function eventToItem(event: Event, expiresAt?: number): Item {
  const fields = encodeFields(event, EVENT_DATES);
  // The byCorrelation index is sparse; an empty correlationId cannot be an index key.
  if (event.correlationId === '') delete fields.correlationId;
  return { ...fields, pk: S(event.runId), sk: S(event.eventId), ...ttl(expiresAt) };
}

export const itemToEvent = (item: Item): Event => decodeFields(item, EVENT_DATES) as Event;

export function stepToItem(step: Step, expiresAt?: number): Item {
  return { ...encodeFields(step, STEP_DATES), pk: S(step.runId), sk: S(stepSk(step.stepId)), ...ttl(expiresAt) };
}

export const itemToStep = (item: Item): Step => decodeFields(item, STEP_DATES) as Step;

export function waitToItem(wait: Wait, expiresAt?: number): Item {
  return { ...encodeFields(wait, WAIT_DATES), pk: S(wait.runId), sk: S(waitSk(wait.waitId)), ...ttl(expiresAt) };
}

export const itemToWait = (item: Item): Wait => decodeFields(item, WAIT_DATES) as Wait;

export function hookToItem(hook: Hook, expiresAt?: number): Item {
  return { ...encodeFields(hook, HOOK_DATES), pk: S(hookPk(hook.hookId)), shard: S(hookShard(hook.hookId)), ...ttl(expiresAt) };
}

export const itemToHook = (item: Item): Hook => decodeFields(item, HOOK_DATES) as Hook;

/**
 * Marks `hookId` as a hook of `runId` in the run's steps-table partition,
 * written and deleted with the hook. Deliberately has no `stepId`, so markers
 * stay out of the sparse byStepId index.
 */
export function hookMarkerToItem(runId: string, hookId: string, expiresAt?: number): Item {
  return { ...hookMarkerKey(runId, hookId), hookId: S(hookId), ...ttl(expiresAt) };
}

/**
 * Who holds a token. Deliberately has no `runId`/`shard` attribute, so claims
 * stay out of the hooks table's byRun and byShard indexes.
 */
export function tokenClaimToItem(token: string, hookId: string, runId: string, expiresAt?: number): Item {
  return { pk: S(tokenPk(token)), hookId: S(hookId), holderRunId: S(runId), ...ttl(expiresAt) };
}

function encodeFields(entity: object, dates: ReadonlySet<string>): Item {
  const item: Item = {};
  for (const [name, value] of Object.entries(entity)) {
    if (value === undefined || BOOKKEEPING.has(name)) continue;
    item[name] = dates.has(name) && value instanceof Date && Number.isFinite(value.getTime()) ? N(value.getTime()) : encodeValue(value);
  }
  return item;
}

function decodeFields(item: Item, dates: ReadonlySet<string>): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [name, attribute] of Object.entries(item)) {
    if (BOOKKEEPING.has(name)) continue;
    fields[name] = dates.has(name) && attribute.N !== undefined ? new Date(Number(attribute.N)) : decodeValue(attribute);
  }
  return fields;
}
