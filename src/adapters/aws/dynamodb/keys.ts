// The key scheme of every item the event store writes (see docs/dynamodb-schema.md).
// Tables and indexes are defined in ../resources.ts; this file only spells keys.
import { createHash } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { RUN_LIST_SHARDS } from '../resources.js';

export type Key = Record<string, AttributeValue>;

/** Digits of an event's sequence number in its sort key: fixed width, so string order is number order. */
const SEQ_DIGITS = 12;
export const STEP_PREFIX = 'S#';
export const WAIT_PREFIX = 'W#';
export const HOOK_PREFIX = 'H#';
/** Per-run hook marker in the steps table: lets disposal find a run's hooks with a consistent Query. */
export const HOOK_MARKER_PREFIX = 'K#';
export const TOKEN_PREFIX = 'T#';
/** The queue's records in the steps table: send claims and delivery leases, run wake-up marks, delivery nonces. */
export const QUEUE_RECORD_SK = 'Q';

const s = (value: string): AttributeValue => ({ S: value });

export const runKey = (runId: string): Key => ({ pk: s(runId) });
/** Sort key of a run's n-th event (1-based): the log position a commit claims. */
export const seqSk = (seq: number): string => String(seq).padStart(SEQ_DIGITS, '0');
export const seqOf = (sk: string): number => Number(sk);
export const eventKey = (runId: string, seq: number): Key => ({ pk: s(runId), sk: s(seqSk(seq)) });
export const stepSk = (stepId: string): string => `${STEP_PREFIX}${stepId}`;
export const waitSk = (waitId: string): string => `${WAIT_PREFIX}${waitId}`;
export const stepKey = (runId: string, stepId: string): Key => ({ pk: s(runId), sk: s(stepSk(stepId)) });
export const waitKey = (runId: string, waitId: string): Key => ({ pk: s(runId), sk: s(waitSk(waitId)) });
export const hookPk = (hookId: string): string => `${HOOK_PREFIX}${hookId}`;
export const hookKey = (hookId: string): Key => ({ pk: s(hookPk(hookId)) });
export const hookMarkerSk = (hookId: string): string => `${HOOK_MARKER_PREFIX}${hookId}`;
export const hookMarkerKey = (runId: string, hookId: string): Key => ({ pk: s(runId), sk: s(hookMarkerSk(hookId)) });

/** Tokens are secrets: only their SHA-256 appears in a key. */
export const tokenPk = (token: string): string => `${TOKEN_PREFIX}${sha256Hex(token)}`;
export const tokenKey = (token: string): Key => ({ pk: s(tokenPk(token)) });

/** Keys longer than this are hashed so they stay under DynamoDB's 2048-byte partition key limit. */
const MAX_IDEMPOTENCY_KEY_BYTES = 1024;
export function idempotencyRecordKey(key: string): Key {
  const id = Buffer.byteLength(key) > MAX_IDEMPOTENCY_KEY_BYTES ? `sha256:${sha256Hex(key)}` : key;
  return { pk: s(`Q#k#${id}`), sk: s(QUEUE_RECORD_SK) };
}
export const wakeupRecordKey = (runId: string): Key => ({ pk: s(`Q#w#${runId}`), sk: s(QUEUE_RECORD_SK) });
export const nonceRecordKey = (nonce: string): Key => ({ pk: s(`Q#n#${nonce}`), sk: s(QUEUE_RECORD_SK) });

/** Write shard of a run in the listing indexes: `R#0` … `R#7`. */
export const runShard = (runId: string): string => `R#${shardOf(runId)}`;
export const runStatusShard = (status: string, runId: string): string => `${status}#${runShard(runId)}`;
/** Write shard of a hook in the hooks `byShard` index: `H#0` … `H#7`. */
export const hookShard = (hookId: string): string => `H#${shardOf(hookId)}`;

export const allRunShards = (): string[] => shardNames('R#');
export const allRunStatusShards = (status: string): string[] => allRunShards().map((shard) => `${status}#${shard}`);
export const allHookShards = (): string[] => shardNames('H#');

/** Stable across processes and languages: first 4 bytes of SHA-256, modulo the shard count. */
export function shardOf(id: string): number {
  return createHash('sha256').update(id).digest().readUInt32BE(0) % RUN_LIST_SHARDS;
}

function shardNames(prefix: string): string[] {
  return Array.from({ length: RUN_LIST_SHARDS }, (_, i) => `${prefix}${i}`);
}

function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
