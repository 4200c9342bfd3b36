// The commit record: what the last event item of a commit carries besides
// its event, so the log alone can rebuild every projection. The run's
// sequencing fields (`v`, `at`, `xs`; the sequence is the sort key), how far
// projections are known to be written (`p`), how many events the commit
// appended (`ne`, when more than one) and its entity effects (`fx`): the
// run, steps and waits as the commit left them. Payload fields equal to one
// of the commit's event fields are stored as a reference to it (`rf`), so a
// payload is stored once per item; an effect that does not create its entity
// leaves out `input`, which never changes after creation.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Event, Step, Wait, WorkflowRun } from '@workflow/world';
import type { Commit, RunRecord } from '../../../domain/model.js';
import { decodeValue } from './attribute-codec.js';
import { decodeFields, encodeFields, itemToEvent, RUN_DATES, STEP_DATES, WAIT_DATES, type Item } from './item-mappers.js';
import { seqOf } from './keys.js';

export interface EntityEffect<T> {
  entity: T;
  /** Whether `entity` has every field (it was created in this commit); otherwise `input` is absent. */
  full: boolean;
}

export interface CommitRecord {
  /** Sequence number of the commit's last event (= the run's eventCount after it). */
  seq: number;
  /** Sequence number of its first event. */
  firstSeq: number;
  head: Omit<RunRecord, 'run'>;
  /** Every commit up to this sequence number had its projections written when this one was made. */
  projected: number;
  expiresAt?: number;
  run?: EntityEffect<WorkflowRun>;
  steps: EntityEffect<Step>[];
  waits: Wait[];
  deletedWaits: Wait[];
}

const N = (value: number): AttributeValue => ({ N: String(value) });

/** Fields fixed when an entity is created: an effect that does not create it leaves them out. */
export const IMMUTABLE = {
  run: ['runId', 'deploymentId', 'workflowName', 'specVersion', 'executionContext', 'input', 'createdAt'],
  step: ['runId', 'stepName', 'input', 'createdAt', 'specVersion'],
} as const;
/** Values this short are stored as they are, not as references. */
const MIN_REFERENCED_LENGTH = 16;

/** The record of a domain commit about to be written. */
export function recordOf(commit: Commit, projected: number, expiresAt?: number): CommitRecord {
  const seq = commit.run.eventCount;
  const created = new Set(commit.events.filter((e) => e.eventType === 'step_created').map((e) => e.correlationId));
  const deleted = new Set(commit.deleteWaits.map((w) => w.waitId));
  const { run: _run, ...head } = commit.run;
  return {
    seq,
    firstSeq: seq - commit.events.length + 1,
    head,
    projected,
    expiresAt,
    run: commit.runChanged || commit.expectRun.kind === 'absent' ? { entity: commit.run.run, full: commit.expectRun.kind === 'absent' } : undefined,
    steps: lastById(commit.putSteps, (s) => s.stepId).map((step) => ({ entity: step, full: created.has(step.stepId) })),
    waits: lastById(commit.putWaits, (w) => w.waitId).filter((w) => !deleted.has(w.waitId)),
    deletedWaits: lastById(commit.deleteWaits, (w) => w.waitId),
  };
}

/** Attributes added to the commit's last event item. */
export function encodeRecord(record: CommitRecord, events: Event[]): Item {
  // lastEventAt is the last event's createdAt: not repeated.
  const item: Item = { v: N(record.head.version), p: N(record.projected) };
  if (record.head.externalStateAt !== undefined) item.xs = N(record.head.externalStateAt);
  if (events.length > 1) item.ne = N(events.length);
  const fx: Record<string, AttributeValue> = {};
  const at = record.head.lastEventAt;
  if (record.run) fx.r = encodeEffect(record.run, IMMUTABLE.run, RUN_DATES, events, at);
  if (record.steps.length) fx.s = { L: record.steps.map((step) => encodeEffect(step, IMMUTABLE.step, STEP_DATES, events, at)) };
  if (record.waits.length) fx.w = { L: record.waits.map((wait) => ({ M: encodeFields(wait, WAIT_DATES) })) };
  if (record.deletedWaits.length) fx.dw = { L: record.deletedWaits.map((wait) => ({ M: encodeFields(wait, WAIT_DATES) })) };
  if (Object.keys(fx).length) item.fx = { M: fx };
  return item;
}

/** The run's sequencing fields after the commit whose last event item this is. */
export function headOf(last: Item): Omit<RunRecord, 'run'> {
  const event = itemToEvent(last);
  const head: Omit<RunRecord, 'run'> = {
    version: Number(last.v!.N),
    lastEventId: event.eventId,
    lastEventAt: new Date(event.createdAt).getTime(),
    eventCount: seqOf(last.sk!.S!),
  };
  if (last.xs?.N !== undefined) head.externalStateAt = Number(last.xs.N);
  return head;
}

/** Whether an event item closes a commit (carries its record). */
export const isCommitEnd = (item: Item): boolean => item.v !== undefined;

/**
 * Decodes a commit from its event items (ascending; the last carries the
 * record). Payload references resolve against those events.
 */
export function decodeRecord(items: Item[]): CommitRecord {
  const last = items[items.length - 1]!;
  const events = items.map(itemToEvent);
  const seq = seqOf(last.sk!.S!);
  const fx = last.fx?.M ?? {};
  const head = headOf(last);
  const at = head.lastEventAt;
  const record: CommitRecord = {
    seq,
    firstSeq: seq - Number(last.ne?.N ?? 1) + 1,
    head,
    projected: Number(last.p?.N ?? 0),
    steps: (fx.s?.L ?? []).map((a) => decodeEffect<Step>(a, STEP_DATES, events, at)),
    waits: (fx.w?.L ?? []).map((a) => decodeFields(a.M ?? {}, WAIT_DATES) as unknown as Wait),
    deletedWaits: (fx.dw?.L ?? []).map((a) => decodeFields(a.M ?? {}, WAIT_DATES) as unknown as Wait),
  };
  if (last.expiresAt?.N !== undefined) record.expiresAt = Number(last.expiresAt.N);
  if (fx.r) record.run = decodeEffect<WorkflowRun>(fx.r, RUN_DATES, events, at);
  return record;
}

/**
 * An entity as its effect stores it: without `runId` (the partition key),
 * without its creation-time fields unless the commit created it, without
 * `updatedAt` when it is the commit's time, and with any long value equal to
 * one of the commit's event fields as a reference to that field.
 */
function encodeEffect<T extends object>(
  effect: EntityEffect<T>,
  immutable: readonly string[],
  dates: ReadonlySet<string>,
  events: Event[],
  at: number,
): AttributeValue {
  const fields: Record<string, unknown> = { ...(effect.entity as Record<string, unknown>) };
  delete fields.runId;
  // A step event's step is the one its correlation id names.
  if (fields.stepId !== undefined && fields.stepId === events.at(-1)?.correlationId) delete fields.stepId;
  if (!effect.full) for (const name of immutable) delete fields[name];
  if (fields.updatedAt instanceof Date && fields.updatedAt.getTime() === at) delete fields.updatedAt;
  const refs: Record<string, AttributeValue> = {};
  for (const [name, value] of Object.entries(fields)) {
    const long = typeof value === 'string' ? value.length >= MIN_REFERENCED_LENGTH : value !== null && typeof value === 'object' && !(value instanceof Date);
    const ref = long ? referenceTo(value, events) : undefined;
    if (ref === undefined) continue;
    refs[name] = { S: ref };
    delete fields[name];
  }
  const out: Record<string, AttributeValue> = { e: { M: encodeFields(fields, dates) } };
  if (effect.full) out.f = { BOOL: true };
  if (Object.keys(refs).length) out.rf = { M: refs };
  return { M: out };
}

function decodeEffect<T>(attribute: AttributeValue, dates: ReadonlySet<string>, events: Event[], at: number): EntityEffect<T> {
  const map = attribute.M ?? {};
  const entity = decodeFields(map.e?.M ?? {}, dates);
  for (const [name, ref] of Object.entries(map.rf?.M ?? {})) entity[name] = resolveReference(String(decodeValue(ref)), events);
  entity.runId = events[0]!.runId;
  entity.updatedAt ??= new Date(at);
  if (dates === STEP_DATES) entity.stepId ??= events.at(-1)?.correlationId;
  return { entity: entity as T, full: map.f?.BOOL === true };
}

/** `<event index>.<eventData field>` of the event field holding this very value (same object), if any. */
function referenceTo(value: unknown, events: Event[]): string | undefined {
  for (let i = 0; i < events.length; i++) {
    const data = (events[i] as { eventData?: Record<string, unknown> }).eventData;
    if (!data) continue;
    for (const [field, candidate] of Object.entries(data)) if (candidate === value) return `${i}.${field}`;
  }
  return undefined;
}

function resolveReference(ref: string, events: Event[]): unknown {
  const dot = ref.indexOf('.');
  const event = events[Number(ref.slice(0, dot))] as { eventData?: Record<string, unknown> } | undefined;
  return event?.eventData?.[ref.slice(dot + 1)];
}

function lastById<T>(items: T[], idOf: (item: T) => string): T[] {
  const byId = new Map<string, T>();
  for (const item of items) byId.set(idOf(item), item);
  return [...byId.values()];
}
