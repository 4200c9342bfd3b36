// The production EventStore on DynamoDB. Schema and costs: docs/dynamodb-schema.md.
// Each commit is one TransactWriteItems conditioned on the run's head item, so
// appends to one run are serialised; reads of base tables are strongly
// consistent because replay depends on seeing the latest commit.
import {
  DeleteItemCommand,
  GetItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  type DynamoDBClient,
  type QueryCommandInput,
} from '@aws-sdk/client-dynamodb';
import type { Event, Hook, Step, Wait, WorkflowRunStatus } from '@workflow/world';
import type { Commit, RunRecord } from '../../../domain/model.js';
import type { EventStore, Page, PageRequest, RunQuery } from '../../../ports/event-store.js';
import type { Logger } from '../../../ports/logger.js';
import { awsErrorName, toWorldError } from '../aws-errors.js';
import { batchGetAll, chunk, DEFAULT_BATCH_RETRY, getMany, writeAll, type BatchRetry } from './batch.js';
import { commitFailure } from './commit-errors.js';
import { planCommit, type CommitPlan } from './commit-transaction.js';
import {
  itemToEvent,
  itemToHead,
  itemToHook,
  itemToRun,
  itemToStep,
  itemToWait,
  type Item,
} from './item-mappers.js';
import {
  allHookShards,
  allRunShards,
  allRunStatusShards,
  eventKey,
  HEAD_SK,
  headKey,
  hookKey,
  runKey,
  STEP_PREFIX,
  stepKey,
  stepSk,
  tokenKey,
  WAIT_PREFIX,
  waitKey,
} from './keys.js';
import { queryPage, queryShards, sortCondition, type ListQuery, type SortRange } from './query-pages.js';
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
const PARALLEL_RELEASES = 10;

const str = (item: Item, attr: string): string => item[attr]?.S ?? '';

export class DynamoDbEventStore implements EventStore {
  private readonly now: () => number;
  private readonly retry: BatchRetry;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tables: EventStoreTables,
    private readonly options: DynamoDbEventStoreOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.retry = options.batchRetry ?? DEFAULT_BATCH_RETRY;
  }

  async commit(commit: Commit): Promise<void> {
    const plan = planCommit(commit, this.tables, this.expiresAt(commit));
    try {
      await this.client.send(new TransactWriteItemsCommand({ TransactItems: plan.actions }));
    } catch (error) {
      throw commitFailure(error, plan.roles);
    }
    await this.applyOverflow(commit.runId, plan.overflow);
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

  async getStep(runId: string | undefined, stepId: string): Promise<Step | undefined> {
    if (runId !== undefined) {
      const item = await this.getItem(this.tables.steps, stepKey(runId, stepId));
      return item && itemToStep(item);
    }
    // byStepId is KEYS_ONLY and eventually consistent: it only locates the step.
    const located = await this.query({
      TableName: this.tables.steps,
      IndexName: 'byStepId',
      KeyConditionExpression: 'stepId = :stepId',
      ExpressionAttributeValues: { ':stepId': { S: stepId } },
      Limit: 1,
    });
    const keys = located[0];
    if (keys === undefined) return undefined;
    const item = await this.getItem(this.tables.steps, { pk: keys.pk!, sk: keys.sk! });
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

  async listRuns(query: RunQuery): Promise<Page<RunRecord>> {
    const range: SortRange = { attr: 'runId' };
    const runIdOf = (item: Item) => str(item, 'runId');
    let page: Page<Item>;
    if (query.workflowName !== undefined) {
      // Names spread load on their own; a status filter reads past other statuses until the page is full.
      const status: Partial<QueryCommandInput> =
        query.status === undefined
          ? {}
          : {
              FilterExpression: '#status = :status',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: { ':status': { S: query.status } },
            };
      const list = this.listQuery(
        { TableName: this.tables.runs, IndexName: 'byWorkflow', ...status },
        'workflowName = :partition',
        query.workflowName,
        range,
        query,
      );
      page = list ? await queryPage(this.client, list, query, (item) => item, runIdOf) : empty();
    } else {
      const [index, attr, partitions] =
        query.status === undefined
          ? ['byShard', 'shard', allRunShards()]
          : ['byStatus', 'statusShard', allRunStatusShards(query.status)];
      const lists = partitions.map((partition) =>
        this.listQuery(
          { TableName: this.tables.runs, IndexName: index, ExpressionAttributeNames: { '#partition': attr } },
          '#partition = :partition',
          partition,
          range,
          query,
        ),
      );
      page = await queryShards(this.client, lists.filter(isDefined), query, (item) => item, runIdOf);
    }
    return { ...page, items: await this.withHeads(page.items) };
  }

  async listSteps(runId: string, page: PageRequest): Promise<Page<Step>> {
    const list = this.listQuery(
      { TableName: this.tables.steps, ConsistentRead: true },
      'pk = :partition',
      runId,
      { attr: 'sk', prefix: STEP_PREFIX },
      { ...page, after: page.after === undefined ? undefined : stepSk(page.after) },
    );
    return list ? queryPage(this.client, list, page, itemToStep, (item) => str(item, 'sk').slice(STEP_PREFIX.length)) : empty();
  }

  async listEvents(runId: string, page: PageRequest): Promise<Page<Event>> {
    const list = this.listQuery(
      { TableName: this.tables.events, ConsistentRead: true },
      'pk = :partition',
      runId,
      { attr: 'sk', floor: HEAD_SK },
      page,
    );
    return list ? queryPage(this.client, list, page, itemToEvent, (item) => str(item, 'sk')) : empty();
  }

  async listEventsByCorrelationId(correlationId: string, runId: string | undefined, page: PageRequest): Promise<Page<Event>> {
    const byRun: Partial<QueryCommandInput> =
      runId === undefined ? {} : { FilterExpression: 'runId = :runId', ExpressionAttributeValues: { ':runId': { S: runId } } };
    const list = this.listQuery(
      { TableName: this.tables.events, IndexName: 'byCorrelation', ...byRun },
      'correlationId = :partition',
      correlationId,
      { attr: 'sk' },
      page,
    );
    return list ? queryPage(this.client, list, page, itemToEvent, (item) => str(item, 'sk')) : empty();
  }

  async listHooks(runId: string | undefined, page: PageRequest): Promise<Page<Hook>> {
    const range: SortRange = { attr: 'hookId' };
    const hookIdOf = (item: Item) => str(item, 'hookId');
    if (runId !== undefined) {
      const list = this.listQuery({ TableName: this.tables.hooks, IndexName: 'byRun' }, 'runId = :partition', runId, range, page);
      return list ? queryPage(this.client, list, page, itemToHook, hookIdOf) : empty();
    }
    const lists = allHookShards().map((shard) =>
      this.listQuery(
        { TableName: this.tables.hooks, IndexName: 'byShard', ExpressionAttributeNames: { '#shard': 'shard' } },
        '#shard = :partition',
        shard,
        range,
        page,
      ),
    );
    return queryShards(this.client, lists.filter(isDefined), page, itemToHook, hookIdOf);
  }

  async listRunChildren(runId: string): Promise<{ hooks: Hook[]; waits: Wait[] }> {
    const [hooks, waits] = await Promise.all([
      this.query({
        TableName: this.tables.hooks,
        IndexName: 'byRun',
        KeyConditionExpression: 'runId = :runId',
        ExpressionAttributeValues: { ':runId': { S: runId } },
      }),
      this.query({
        TableName: this.tables.steps,
        ConsistentRead: true,
        KeyConditionExpression: 'pk = :runId AND begins_with(sk, :wait)',
        ExpressionAttributeValues: { ':runId': { S: runId }, ':wait': { S: WAIT_PREFIX } },
      }),
    ]);
    return { hooks: hooks.map(itemToHook), waits: waits.map(itemToWait) };
  }

  /** TTL stamp for a commit that leaves the run terminal, when retention is configured. */
  private expiresAt(commit: Commit): number | undefined {
    const days = this.options.runRetentionDays;
    if (days === undefined || !TERMINAL.has(commit.run.run.status)) return undefined;
    return Math.floor(this.now() / 1000) + days * DAY_SECONDS;
  }

  /**
   * Deletes that did not fit in the transaction. The run is already terminal,
   * so these children are dead: the domain takes over a token whose holder's
   * run is terminal, and a repeated terminal event disposes leftovers again.
   * A failure here is logged, not thrown: the commit itself has succeeded.
   */
  private async applyOverflow(runId: string, overflow: CommitPlan['overflow']): Promise<void> {
    const { deletes, tokenReleases } = overflow;
    if (deletes.length === 0 && tokenReleases.length === 0) return;
    try {
      // Tokens first: a claim whose hook is gone would block the token, a hook whose claim is gone blocks nothing.
      // BatchWriteItem has no conditions, and a token may already be claimed by a newer hook: release each conditionally.
      for (const group of chunk(tokenReleases, PARALLEL_RELEASES)) {
        await Promise.all(group.map((release) => this.releaseToken(release.table, release.key, release.hookId)));
      }
      const byTable = new Map<string, Item[]>();
      for (const { table, key } of deletes) byTable.set(table, [...(byTable.get(table) ?? []), key]);
      for (const [table, keys] of byTable) {
        await writeAll(this.client, table, keys.map((Key) => ({ DeleteRequest: { Key } })), this.retry);
      }
    } catch (error) {
      this.options.logger?.warn('dynamodb.commit.overflow_cleanup_failed', {
        runId,
        deletes: deletes.length,
        tokenReleases: tokenReleases.length,
        // Mapped errors keep the AWS error name as their code.
        error: (error as { code?: string }).code ?? awsErrorName(error) ?? 'Error',
      });
    }
  }

  private async releaseToken(table: string, key: Item, hookId: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: table,
          Key: key,
          ConditionExpression: 'hookId = :hookId',
          ExpressionAttributeValues: { ':hookId': { S: hookId } },
        }),
      );
    } catch (error) {
      if (awsErrorName(error) === 'ConditionalCheckFailedException') return; // already taken over
      throw toWorldError(error, 'DynamoDB.DeleteItem');
    }
  }

  /** Attaches each run's head (sequencing fields); runs whose head is gone (TTL) are left out. */
  private async withHeads(runItems: Item[]): Promise<RunRecord[]> {
    if (runItems.length === 0) return [];
    const heads = await getMany(this.client, this.tables.events, runItems.map((item) => headKey(str(item, 'runId'))), this.retry);
    const headByRun = new Map(heads.map((head) => [str(head, 'pk'), head]));
    const records: RunRecord[] = [];
    for (const item of runItems) {
      const head = headByRun.get(str(item, 'runId'));
      if (head) records.push({ run: itemToRun(item), ...itemToHead(head) });
    }
    return records;
  }

  /** A key-ordered listing on one partition; undefined when the cursor is past the range. */
  private listQuery(
    base: QueryCommandInput,
    partitionCondition: string,
    partition: string,
    range: SortRange,
    page: PageRequest,
  ): ListQuery | undefined {
    const sort = sortCondition(range, page.order, page.after);
    if (sort.empty) return undefined;
    return {
      input: {
        ...base,
        KeyConditionExpression: sort.expression ? `${partitionCondition} AND ${sort.expression}` : partitionCondition,
        ExpressionAttributeValues: { ...base.ExpressionAttributeValues, ':partition': { S: partition }, ...sort.values },
        ScanIndexForward: page.order !== 'desc',
      },
      sortAttr: range.attr,
      excluded: sort.excluded,
    };
  }

  private async getItem(table: string, key: Item): Promise<Item | undefined> {
    try {
      const output = await this.client.send(new GetItemCommand({ TableName: table, Key: key, ConsistentRead: true }));
      return output.Item;
    } catch (error) {
      throw toWorldError(error, 'DynamoDB.GetItem');
    }
  }

  /** Every item of a query, following LastEvaluatedKey. */
  private async query(input: QueryCommandInput): Promise<Item[]> {
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      try {
        const output = await this.client.send(new QueryCommand({ ...input, ...(start ? { ExclusiveStartKey: start } : {}) }));
        items.push(...(output.Items ?? []));
        start = input.Limit !== undefined ? undefined : output.LastEvaluatedKey;
      } catch (error) {
        throw toWorldError(error, 'DynamoDB.Query');
      }
    } while (start !== undefined);
    return items;
  }
}

const isDefined = <T>(value: T | undefined): value is T => value !== undefined;

function empty<T>(): Page<T> {
  return { items: [], lastKey: null, hasMore: false };
}
