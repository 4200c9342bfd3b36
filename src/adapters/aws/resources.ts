// The AWS resources one installation needs, as plain data. Bootstrap (CLI) and
// the embedded local AWS both create them from these definitions, so the
// schema the adapters rely on is defined exactly once.
// The reasons behind keys and indexes are in docs/dynamodb-schema.md; the
// resources' names are in config/resource-names.ts.
import { DEFAULT_MAX_RECEIVE_COUNT } from '../../config/settings.js';
import type { TableRole } from '../../config/resource-names.js';
import { CLAIM_CHECK_PREFIX } from '../../domain/claim-check.js';

export interface KeyAttribute {
  name: string;
  type: 'S' | 'N' | 'B';
}

export interface IndexDefinition {
  indexName: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  /** KEYS_ONLY keeps index writes off the hot path; ALL saves a read where items are immutable. */
  projection: 'ALL' | 'KEYS_ONLY';
}

export interface TableDefinition {
  /** Logical role; the physical name comes from config. */
  role: TableRole;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  indexes: IndexDefinition[];
  /** TTL attribute (epoch seconds). Items without it never expire. */
  ttlAttribute?: string;
}

/**
 * The tables read and written with BatchGetItem/BatchWriteItem (the worker
 * role's batch actions are granted on these only): a run's hooks are read by
 * id (dynamodb/listings.ts), and deletes past a transaction's 100 actions are
 * batched (dynamodb/overflow-cleanup.ts).
 */
export const BATCH_TABLE_ROLES: readonly TableRole[] = ['hooks'];

/** Runs listed with no filter are spread over this many index partitions (write sharding). */
export const RUN_LIST_SHARDS = 8;

export const TABLES: Record<TableRole, TableDefinition> = {
  runs: {
    role: 'runs',
    partitionKey: { name: 'pk', type: 'S' }, // runId
    indexes: [
      // runs.list(): shard `R#<0..7>` by hash(runId), sorted by runId (ULID = creation time).
      { indexName: 'byShard', partitionKey: { name: 'shard', type: 'S' }, sortKey: { name: 'runId', type: 'S' }, projection: 'ALL' },
      // runs.list({status}): `<status>#<shard>`.
      { indexName: 'byStatus', partitionKey: { name: 'statusShard', type: 'S' }, sortKey: { name: 'runId', type: 'S' }, projection: 'ALL' },
      // runs.list({workflowName}): names already spread the load.
      { indexName: 'byWorkflow', partitionKey: { name: 'workflowName', type: 'S' }, sortKey: { name: 'runId', type: 'S' }, projection: 'ALL' },
    ],
    ttlAttribute: 'expiresAt',
  },
  steps: {
    role: 'steps',
    // pk = runId; sk = `S#<stepId>` for steps, `W#<waitId>` for waits, `K#<hookId>` for hook markers.
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    // steps.get(undefined, stepId) and listByCorrelationId without a run: which run has this
    // correlation id. Keys only, and `cid` never changes, so only an item's first write costs an index write.
    indexes: [{ indexName: 'byCorrelation', partitionKey: { name: 'cid', type: 'S' }, projection: 'KEYS_ONLY' }],
    ttlAttribute: 'expiresAt',
  },
  events: {
    role: 'events',
    // pk = runId; sk = the event's sequence number in the run, zero-padded: the
    // commit point (a commit puts the next number if it is free). No index: an
    // event write is one item and nothing more.
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    indexes: [],
    ttlAttribute: 'expiresAt',
  },
  hooks: {
    role: 'hooks',
    // pk = `H#<hookId>` for hooks, `T#<sha256(token)>` for token claims.
    partitionKey: { name: 'pk', type: 'S' },
    indexes: [
      // hooks.list({runId}) and disposal when a run ends.
      { indexName: 'byRun', partitionKey: { name: 'runId', type: 'S' }, sortKey: { name: 'hookId', type: 'S' }, projection: 'ALL' },
      // hooks.list() with no run: sharded like runs.
      { indexName: 'byShard', partitionKey: { name: 'shard', type: 'S' }, sortKey: { name: 'hookId', type: 'S' }, projection: 'ALL' },
    ],
    ttlAttribute: 'expiresAt',
  },
  streams: {
    role: 'streams',
    // pk = stream name; sk = chunk index (N). The streams adapter documents its items.
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'N' },
    indexes: [{ indexName: 'byRun', partitionKey: { name: 'runId', type: 'S' }, sortKey: { name: 'pk', type: 'S' }, projection: 'KEYS_ONLY' }],
    ttlAttribute: 'expiresAt',
  },
};

export interface QueueDefinition {
  /** Above the Lambda timeout (AWS requires ≥ it for event-source mappings). */
  visibilityTimeoutSeconds: number;
  /** Deliveries before SQS moves a message to the DLQ. */
  maxReceiveCount: number;
  /** DLQ retention: the maximum, so a poisoned message can be inspected. */
  dlqRetentionSeconds: number;
  messageRetentionSeconds: number;
}

export const QUEUES: QueueDefinition = {
  visibilityTimeoutSeconds: 960,
  // Above the runtime's own limit (it fails a run or step after 48
  // deliveries), so the runtime ends the run cleanly; the DLQ only catches
  // messages the runtime never got to see (undecodable, or lost payloads).
  maxReceiveCount: DEFAULT_MAX_RECEIVE_COUNT,
  dlqRetentionSeconds: 14 * 24 * 3600,
  // The SQS maximum: a consumer outage shorter than this loses no wake-up
  // (longer ones are recovered by `aws-workflow repair`, docs/cli.md).
  messageRetentionSeconds: 14 * 24 * 3600,
};

export interface BucketDefinition {
  /** Claim-check payloads live under `<payloadPrefix><runId>/`. */
  payloadPrefix: string;
  /**
   * A payload is uploaded tagged `<tag.key>=<tag.uncommittedValue>` and the tag is
   * removed once its transaction commits. If the transaction loses (or the process
   * dies in between), the lifecycle rule expires the still-tagged object.
   */
  uncommittedTag: { key: string; value: string };
  orphanExpirationDays: number;
}

export const BUCKET: BucketDefinition = {
  payloadPrefix: CLAIM_CHECK_PREFIX.payloads,
  uncommittedTag: { key: 'workflow-commit', value: 'pending' },
  orphanExpirationDays: 1,
};
