// The log tail: the commits of a run whose projections may not be written
// yet. The newest commit says how far projections were known to be written
// when it was made (`p`), so the tail is every commit after that, read
// newest first with a strongly consistent Query. A reader reads the tail
// FIRST and the projections after it: every projection write up to `p`
// happened before the newest commit was written, so the projection read sees
// at least that, and the tail brings it up to the newest commit. Reading in
// the other order could miss a commit projected in between.
import { QueryCommand, type DynamoDBClient, type QueryCommandInput } from '@aws-sdk/client-dynamodb';
import type { Step, Wait, WorkflowRun } from '@workflow/world';
import { toWorldError } from '../aws-errors.js';
import type { RunRecord } from '../../../domain/model.js';
import { decodeRecord, headOf, IMMUTABLE, isCommitEnd, type CommitRecord, type EntityEffect } from './commit-record.js';
import { itemToRun, itemToStep, itemToWait, type Item } from './item-mappers.js';
import { seqOf, seqSk } from './keys.js';
import { merge } from './projection-writes.js';

export interface RunTail {
  /** The run's sequencing fields after its newest commit; undefined when the run has no events. */
  head?: Omit<RunRecord, 'run'>;
  /** Commits after `projected`, oldest first. */
  commits: CommitRecord[];
  projected: number;
}

/** Items in the first page: the newest commit and usually the whole tail. */
const FIRST_PAGE = 8;
const NEXT_PAGE = 25;

export async function readTail(client: DynamoDBClient, table: string, runId: string): Promise<RunTail> {
  const newestFirst: Item[] = [];
  let projected: number | undefined;
  let head: RunTail['head'];
  let startKey: Item | undefined;
  for (let page = 0; ; page++) {
    const output = await query(client, {
      TableName: table,
      KeyConditionExpression: 'pk = :runId',
      ExpressionAttributeValues: { ':runId': { S: runId } },
      ScanIndexForward: false,
      ConsistentRead: true,
      Limit: page === 0 ? FIRST_PAGE : NEXT_PAGE,
      ExclusiveStartKey: startKey,
    });
    for (const item of output.Items ?? []) {
      // The newest item always ends a commit (a commit's events are written together).
      if (projected === undefined) {
        projected = Number(item.p?.N ?? 0);
        head = headOf(item);
      }
      if (seqOf(item.sk!.S!) <= projected) return tailOf(head, newestFirst, projected);
      newestFirst.push(item);
    }
    startKey = output.LastEvaluatedKey;
    if (!startKey) return tailOf(head, newestFirst, projected ?? 0);
  }
}

/** Commits with sequence numbers in [from, to], oldest first (to repair a gap in the projections). */
export async function readCommits(client: DynamoDBClient, table: string, runId: string, from: number, to: number): Promise<CommitRecord[]> {
  const items: Item[] = [];
  let startKey: Item | undefined;
  do {
    const output = await query(client, {
      TableName: table,
      KeyConditionExpression: 'pk = :runId AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':runId': { S: runId }, ':from': { S: seqSk(from) }, ':to': { S: seqSk(to) } },
      ConsistentRead: true,
      ExclusiveStartKey: startKey,
    });
    items.push(...(output.Items ?? []));
    startKey = output.LastEvaluatedKey;
  } while (startKey);
  return group(items);
}

function tailOf(head: RunTail['head'], newestFirst: Item[], projected: number): RunTail {
  return { head, commits: group(newestFirst.reverse()), projected };
}

/** Event items (oldest first) → commits; a leading partial commit (cut by the range) is dropped. */
function group(items: Item[]): CommitRecord[] {
  const commits: CommitRecord[] = [];
  let current: Item[] = [];
  for (const item of items) {
    current.push(item);
    if (!isCommitEnd(item)) continue;
    const record = decodeRecord(current);
    if (current.length === record.seq - record.firstSeq + 1) commits.push(record);
    current = [];
  }
  return commits;
}

async function query(client: DynamoDBClient, input: QueryCommandInput) {
  try {
    return await client.send(new QueryCommand(input));
  } catch (error) {
    throw toWorldError(error, 'DynamoDB.Query');
  }
}

// Projection + tail = current state. Effects carry whole states, so the
// newest effect newer than the projection wins (an effect without `input`
// keeps the projection's).

export function currentRun(item: Item | undefined, tail: RunTail): WorkflowRun | undefined {
  const base = item && { entity: itemToRun(item), seq: Number(item.seq?.N ?? 0) };
  return overlay(base, tail.commits.map((c) => c.run && { seq: c.seq, effect: c.run }), IMMUTABLE.run);
}

export function currentStep(item: Item | undefined, tail: RunTail, stepId: string): Step | undefined {
  const base = item && { entity: itemToStep(item), seq: Number(item.seq?.N ?? 0) };
  return overlay(base, tail.commits.map((c) => stepEffect(c, stepId)), IMMUTABLE.step);
}

export function currentWait(item: Item | undefined, tail: RunTail, waitId: string): Wait | undefined {
  let seq = Number(item?.seq?.N ?? 0);
  let wait = item && item.gone?.BOOL !== true ? itemToWait(item) : undefined;
  for (const commit of tail.commits) {
    if (commit.seq <= seq) continue;
    const put = commit.waits.find((w) => w.waitId === waitId);
    const deleted = commit.deletedWaits.some((w) => w.waitId === waitId);
    if (put) wait = put;
    if (deleted) wait = undefined;
    if (put || deleted) seq = commit.seq;
  }
  return wait;
}

/** Ids of the steps (or waits) the tail touches, for listings. */
export const tailStepIds = (tail: RunTail): Set<string> => new Set(tail.commits.flatMap((c) => c.steps.map((s) => s.entity.stepId)));
export const tailWaitIds = (tail: RunTail): Set<string> =>
  new Set(tail.commits.flatMap((c) => [...c.waits, ...c.deletedWaits].map((w) => w.waitId)));

const stepEffect = (commit: CommitRecord, stepId: string) => {
  const effect = commit.steps.find((s) => s.entity.stepId === stepId);
  return effect && { seq: commit.seq, effect };
};

function overlay<T extends object>(
  base: { entity: T; seq: number } | undefined,
  effects: Array<{ seq: number; effect: EntityEffect<T> } | undefined>,
  immutable: readonly string[],
): T | undefined {
  let current: EntityEffect<T> | undefined = base && { entity: base.entity, full: true };
  const from = base?.seq ?? 0;
  for (const change of effects) if (change && change.seq > from) current = merge(current, change.effect, immutable);
  return current?.entity;
}
