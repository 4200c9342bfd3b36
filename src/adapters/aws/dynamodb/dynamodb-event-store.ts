// The production EventStore on DynamoDB. Schema and costs: docs/dynamodb-schema.md.
// Each commit is one TransactWriteItems conditioned on the run's head item, so
// appends to one run are serialised; reads of base tables are strongly
// consistent because replay depends on seeing the latest commit.
import { GetItemCommand, TransactWriteItemsCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Event, Hook, Step, Wait, WorkflowRun, WorkflowRunStatus } from '@workflow/world';
import type { Commit, RunRecord } from '../../../domain/model.js';
import type { EventStore, Page, PageRequest, RunQuery } from '../../../ports/event-store.js';
import type { Logger } from '../../../ports/logger.js';
import { toWorldError } from '../aws-errors.js';
import { batchGetAll, DEFAULT_BATCH_RETRY, type BatchRetry } from './batch.js';
import { commitFailure } from './commit-errors.js';
import { planCommit } from './commit-transaction.js';
import { itemToEvent, itemToHead, itemToHook, itemToRun, itemToStep, itemToWait, type Item } from './item-mappers.js';
import { eventKey, HEAD_SK, headKey, hookKey, runKey, stepKey, tokenKey, waitKey } from './keys.js';
import { EventStoreListings } from './listings.js';
import { applyOverflow } from './overflow-cleanup.js';
import { queryAll } from './query-pages.js';
import type { EventStoreTables } from './tables.js';

export interface DynamoDbEventStoreOptions {
  /** Days to keep a terminal run's items (DynamoDB TTL); undefined keeps them forever. */
  runRetentionDays?: number;
  /** Epoch milliseconds; injectable for tests. */
  now?: () => number;
  /** Warnings about post-commit cleanup; fields are ids and counts only. */
  logger?: Logger;
  batchRetry?: BatchRetry;
}

const TERMINAL: ReadonlySet<WorkflowRunStatus> = new Set(['completed', 'failed', 'cancelled']);
const DAY_SECONDS = 86_400;

export class DynamoDbEventStore implements EventStore {
  private readonly now: () => number;
  private readonly retry: BatchRetry;
  private readonly listings: EventStoreListings;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tables: EventStoreTables,
    private readonly options: DynamoDbEventStoreOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.retry = options.batchRetry ?? DEFAULT_BATCH_RETRY;
    this.listings = new EventStoreListings(client, tables, this.retry);
  }

  async commit(commit: Commit): Promise<void> {
    const plan = planCommit(commit, this.tables, this.expiresAt(commit));
    try {
      await this.client.send(new TransactWriteItemsCommand({ TransactItems: plan.actions }));
    } catch (error) {
      throw commitFailure(error, plan.roles);
    }
    await applyOverflow(this.client, commit.runId, plan.overflow, this.retry, this.options.logger);
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    // Run item and head item in one round trip, both strongly consistent.
    const found = await batchGetAll(
      this.client,
      {
        [this.tables.runs]: { Keys: [runKey(runId)], ConsistentRead: true },
        [this.tables.events]: { Keys: [headKey(runId)], ConsistentRead: true },
      },
      this.retry,
    );
    const runItem = found[this.tables.runs]?.[0];
    const headItem = found[this.tables.events]?.[0];
    // Written together; one without the other only happens while TTL removes a run.
    if (runItem === undefined || headItem === undefined) return undefined;
    return { run: itemToRun(runItem), ...itemToHead(headItem) };
  }

  async getRunEntity(runId: string): Promise<WorkflowRun | undefined> {
    const item = await this.getItem(this.tables.runs, runKey(runId));
    return item && itemToRun(item);
  }

  async getStep(runId: string | undefined, stepId: string): Promise<Step | undefined> {
    if (runId !== undefined) {
      const item = await this.getItem(this.tables.steps, stepKey(runId, stepId));
      return item && itemToStep(item);
    }
    // byStepId is KEYS_ONLY and eventually consistent: it only locates the step.
    const [keys] = await queryAll(this.client, {
      TableName: this.tables.steps,
      IndexName: 'byStepId',
      KeyConditionExpression: 'stepId = :stepId',
      ExpressionAttributeValues: { ':stepId': { S: stepId } },
      Limit: 1,
    });
    if (keys?.pk === undefined || keys.sk === undefined) return undefined;
    const item = await this.getItem(this.tables.steps, { pk: keys.pk, sk: keys.sk });
    return item && itemToStep(item);
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
    const item = await this.getItem(this.tables.steps, waitKey(runId, waitId));
    return item && itemToWait(item);
  }

  async getEvent(runId: string, eventId: string): Promise<Event | undefined> {
    if (eventId === HEAD_SK) return undefined;
    const item = await this.getItem(this.tables.events, eventKey(runId, eventId));
    return item && itemToEvent(item);
  }

  listRuns(query: RunQuery): Promise<Page<WorkflowRun>> {
    return this.listings.listRuns(query);
  }

  listSteps(runId: string, page: PageRequest): Promise<Page<Step>> {
    return this.listings.listSteps(runId, page);
  }

  listEvents(runId: string, page: PageRequest): Promise<Page<Event>> {
    return this.listings.listEvents(runId, page);
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

  /** TTL stamp for a commit that leaves the run terminal, when retention is configured. */
  private expiresAt(commit: Commit): number | undefined {
    const days = this.options.runRetentionDays;
    if (days === undefined || !TERMINAL.has(commit.run.run.status)) return undefined;
    return Math.floor(this.now() / 1000) + days * DAY_SECONDS;
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
