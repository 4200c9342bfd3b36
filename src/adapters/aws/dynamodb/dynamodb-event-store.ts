// The production EventStore on DynamoDB, log first. Schema, costs and the
// reasoning: docs/dynamodb-schema.md.
// - The event item at the run's next sequence number is the commit point: a
//   conditional PutItem, so appends to a run are serialised by the log itself
//   (a transaction only where hooks and tokens must change with it).
// - Runs, steps and waits are projections written after the commit
//   (projection-log.ts). Reads that must be current read the log tail first,
//   then the projection, and apply the tail (run-tail.ts).
import { GetItemCommand, PutItemCommand, QueryCommand, TransactWriteItemsCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Event, Hook, Step, Wait, WorkflowRun, WorkflowRunStatus } from '@workflow/world';
import type { Commit, RunRecord } from '../../../domain/model.js';
import { RunLogCache } from '../../../domain/run-log-cache.js';
import { CommitConflict, type EventStore, type Page, type PageRequest, type RunLog, type RunQuery, type StoredProjections } from '../../../ports/event-store.js';
import type { Clock } from '../../../ports/clock.js';
import type { Logger } from '../../../ports/logger.js';
import { SystemClock } from '../../system/system-clock.js';
import { awsErrorName, toWorldError } from '../aws-errors.js';
import { DEFAULT_BATCH_RETRY, type BatchRetry } from './batch.js';
import { commitFailure } from './commit-errors.js';
import { recordOf } from './commit-record.js';
import { planCommit } from './commit-transaction.js';
import { itemToHook, type Item } from './item-mappers.js';
import { hookKey, runKey, seqSk, stepKey, tokenKey, waitKey } from './keys.js';
import { EventStoreListings } from './listings.js';
import { applyOverflow } from './overflow-cleanup.js';
import { ProjectionLog, type ProjectionWriter } from './projection-log.js';
import { readStoredProjections, rewriteStoredProjections } from './projection-repair.js';
import { coalesce, writeProjections } from './projection-writes.js';
import { RunLogReader } from './run-log.js';
import { currentRun, currentStep, currentWait, readCommits, readTail, type RunTail } from './run-tail.js';
import type { EventStoreTables } from './tables.js';

export interface DynamoDbEventStoreOptions {
  /** Days to keep a terminal run's items (DynamoDB TTL); undefined keeps them forever. */
  runRetentionDays?: number;
  /** Stamps retention and times the projection write-behind; the system clock by default. */
  clock?: Clock;
  /** Warnings about post-commit writes; fields are ids and counts only. */
  logger?: Logger;
  batchRetry?: BatchRetry;
  /** Shared by the stores of one process (several worlds per process share their runs). */
  projections?: ProjectionLog;
  /** The log prefixes this process holds; shared like `projections`. */
  logs?: RunLogCache;
}

const TERMINAL: ReadonlySet<WorkflowRunStatus> = new Set(['completed', 'failed', 'cancelled']);
const DAY_SECONDS = 86_400;

export class DynamoDbEventStore implements EventStore {
  private readonly clock: Clock;
  private readonly retry: BatchRetry;
  private readonly listings: EventStoreListings;
  readonly projections: ProjectionLog;
  private readonly writer: ProjectionWriter;
  private readonly log: RunLogReader;
  /** Tail reads in flight, shared by the reads of one decision. */
  private readonly tails = new Map<string, Promise<RunTail>>();

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tables: EventStoreTables,
    private readonly options: DynamoDbEventStoreOptions = {},
  ) {
    this.clock = options.clock ?? new SystemClock();
    this.retry = options.batchRetry ?? DEFAULT_BATCH_RETRY;
    this.projections = options.projections ?? new ProjectionLog({ logger: options.logger, clock: this.clock });
    const fold = async (runId: string, upTo: number) => coalesce(await readCommits(client, tables.events, runId, 1, upTo));
    this.writer = {
      write: (batch) => writeProjections(client, tables, batch, fold),
      readCommits: (runId, from, to) => readCommits(client, tables.events, runId, from, to),
    };
    this.log = new RunLogReader(client, tables.events, options.logs ?? new RunLogCache(() => this.clock.now()));
    this.listings = new EventStoreListings(client, tables, this.retry, (runId) => this.tail(runId));
  }

  async commit(commit: Commit): Promise<void> {
    const expiresAt = this.expiresAt(commit);
    const projected = commit.expectRun.kind === 'absent' ? 0 : await this.projectedOf(commit.runId);
    const record = recordOf(commit, projected, expiresAt);
    const plan = planCommit(commit, record, this.tables, expiresAt);
    if (plan.single) {
      try {
        await this.client.send(new PutItemCommand(plan.single));
      } catch (error) {
        if (awsErrorName(error) === 'ConditionalCheckFailedException') throw new CommitConflict('run');
        throw toWorldError(error, 'DynamoDB.PutItem');
      }
    } else {
      try {
        await this.client.send(new TransactWriteItemsCommand({ TransactItems: plan.actions }));
      } catch (error) {
        throw commitFailure(error, plan.roles);
      }
    }
    this.log.committed(commit.runId, plan.single ? [plan.single.Item!] : plan.actions.flatMap((action, i) => (plan.roles[i] === 'head' ? [action.Put!.Item!] : [])));
    this.projections.committed(commit.runId, record, this.writer);
    await applyOverflow(this.client, commit.runId, plan.overflow, this.retry, this.options.logger);
  }

  /** Writes every projection still waiting in this process. */
  flush(): Promise<void> {
    return this.projections.flushAll();
  }

  async readProjections(runId: string): Promise<StoredProjections> {
    const { run, steps, waits } = await readStoredProjections(this.client, this.tables, runId);
    return { ...(run ? { run } : {}), steps, waits };
  }

  rewriteProjections(runId: string, state: StoredProjections, eventCount: number): Promise<void> {
    return rewriteStoredProjections(this.client, this.tables, runId, state, eventCount);
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    const tail = await this.tail(runId);
    if (!tail.head) return undefined;
    const run = currentRun(await this.getItem(this.tables.runs, runKey(runId)), tail);
    // Only while TTL removes a run can its log outlive its run item.
    return run && { run, ...tail.head };
  }

  /** The newest event item alone (one consistent Query of one item): its commit record holds the version. */
  async runVersion(runId: string): Promise<number | undefined> {
    const newest = await this.newestItem(runId);
    return newest?.v?.N === undefined ? undefined : Number(newest.v.N);
  }

  async getRunEntity(runId: string): Promise<WorkflowRun | undefined> {
    const tail = await this.tail(runId);
    if (!tail.head) return undefined;
    return currentRun(await this.getItem(this.tables.runs, runKey(runId)), tail);
  }

  async getStep(runId: string | undefined, stepId: string): Promise<Step | undefined> {
    if (runId === undefined) {
      // The correlation index is eventually consistent: it only locates the step's run.
      const owner = await this.listings.stepOwner(stepId);
      return owner === undefined ? undefined : this.getStep(owner, stepId);
    }
    const tail = await this.tail(runId);
    if (!tail.head) return undefined;
    return currentStep(await this.getItem(this.tables.steps, stepKey(runId, stepId)), tail, stepId);
  }

  async getHook(hookId: string): Promise<Hook | undefined> {
    const item = await this.getItem(this.tables.hooks, hookKey(hookId));
    return item && itemToHook(item);
  }

  async getHookByToken(token: string): Promise<Hook | undefined> {
    const claim = await this.getItem(this.tables.hooks, tokenKey(token));
    const hookId = claim?.hookId?.S;
    if (hookId === undefined) return undefined;
    const hook = await this.getHook(hookId);
    return hook?.token === token ? hook : undefined;
  }

  async getWait(runId: string, waitId: string): Promise<Wait | undefined> {
    const tail = await this.tail(runId);
    if (!tail.head) return undefined;
    return currentWait(await this.getItem(this.tables.steps, waitKey(runId, waitId)), tail, waitId);
  }

  getEvent(runId: string, eventId: string): Promise<Event | undefined> {
    return this.listings.findEvent(runId, eventId);
  }

  listRuns(query: RunQuery): Promise<Page<WorkflowRun>> {
    return this.listings.listRuns(query);
  }

  listSteps(runId: string, page: PageRequest): Promise<Page<Step>> {
    return this.listings.listSteps(runId, page);
  }

  /** From the held log prefix and one tail Query when it can (run-log.ts); else a Query of the page. */
  async listEvents(runId: string, page: PageRequest): Promise<Page<Event>> {
    return (await this.log.page(runId, page)) ?? this.listings.listEvents(runId, page);
  }

  async readLog(runId: string): Promise<RunLog | undefined> {
    const log = await this.log.read(runId);
    return log && { events: log.events, lastKey: seqSk(log.events.length), version: log.version };
  }

  heldLog(runId: string): RunLog | undefined {
    const log = this.log.held(runId);
    return log && { events: log.events, lastKey: seqSk(log.events.length), version: log.version };
  }

  listEventsByCorrelationId(correlationId: string, runId: string | undefined, page: PageRequest): Promise<Page<Event>> {
    return this.listings.listEventsByCorrelationId(correlationId, runId, page);
  }

  listHooks(runId: string | undefined, page: PageRequest): Promise<Page<Hook>> {
    return this.listings.listHooks(runId, page);
  }

  listRunChildren(runId: string): Promise<{ hooks: Hook[]; waits: Wait[] }> {
    return this.listings.listRunChildren(runId);
  }

  /**
   * The run's log tail. Reads started in the same tick (one decision's run,
   * step and wait reads) share one Query; a later read never reuses an older
   * answer, so one reader's reads never go backwards.
   */
  private tail(runId: string): Promise<RunTail> {
    let pending = this.tails.get(runId);
    if (!pending) {
      pending = readTail(this.client, this.tables.events, runId).then((tail) => {
        this.projections.observed(runId, tail, this.writer);
        return tail;
      });
      this.tails.set(runId, pending);
      queueMicrotask(() => this.tails.delete(runId));
    }
    return pending;
  }

  /** The `p` for a commit decided without a read in this store (another world of the process read it). */
  private async projectedOf(runId: string): Promise<number> {
    const known = this.projections.projected(runId);
    if (known !== undefined) return known;
    return Number((await this.newestItem(runId))?.p?.N ?? 0);
  }

  private async newestItem(runId: string): Promise<Item | undefined> {
    const output = await this.client
      .send(
        new QueryCommand({
          TableName: this.tables.events,
          KeyConditionExpression: 'pk = :runId',
          ExpressionAttributeValues: { ':runId': { S: runId } },
          ScanIndexForward: false,
          ConsistentRead: true,
          Limit: 1,
        }),
      )
      .catch((error: unknown) => {
        throw toWorldError(error, 'DynamoDB.Query');
      });
    return output.Items?.[0];
  }

  /** TTL stamp for a commit that leaves the run terminal, when retention is configured. */
  private expiresAt(commit: Commit): number | undefined {
    const days = this.options.runRetentionDays;
    if (days === undefined || !TERMINAL.has(commit.run.run.status)) return undefined;
    return Math.floor(this.clock.now() / 1000) + days * DAY_SECONDS;
  }

  private async getItem(table: string, key: Item): Promise<Item | undefined> {
    try {
      const output = await this.client.send(new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }));
      return output.Item;
    } catch (error) {
      throw toWorldError(error, 'DynamoDB.GetItem');
    }
  }
}
