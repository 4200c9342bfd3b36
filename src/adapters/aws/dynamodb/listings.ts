// The event store's listings, each a Query on a base table or an index
// (never a Scan). Access patterns and the shard design: docs/dynamodb-schema.md.
import type { DynamoDBClient, QueryCommandInput } from '@aws-sdk/client-dynamodb';
import type { Event, Hook, Step, Wait, WorkflowRun } from '@workflow/world';
import type { Page, PageRequest, RunQuery } from '../../../ports/event-store.js';
import { getMany, type BatchRetry } from './batch.js';
import { itemToEvent, itemToHook, itemToRun, itemToStep, itemToWait, type Item } from './item-mappers.js';
import {
  allHookShards,
  allRunShards,
  allRunStatusShards,
  HEAD_SK,
  HOOK_MARKER_PREFIX,
  hookKey,
  STEP_PREFIX,
  stepSk,
  WAIT_PREFIX,
} from './keys.js';
import { emptyPage, queryAll, queryPage, queryShards, sortCondition, type ListQuery, type SortRange } from './query-pages.js';
import type { EventStoreTables } from './tables.js';

const str = (item: Item, attr: string): string => item[attr]?.S ?? '';
const isDefined = <T>(value: T | undefined): value is T => value !== undefined;
const asItem = (item: Item) => item;

export class EventStoreListings {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tables: EventStoreTables,
    private readonly retry: BatchRetry,
  ) {}

  async listRuns(query: RunQuery): Promise<Page<WorkflowRun>> {
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
      const list = listQuery({ TableName: this.tables.runs, IndexName: 'byWorkflow', ...status }, 'workflowName = :partition', query.workflowName, range, query);
      page = list ? await queryPage(this.client, list, query, asItem, runIdOf) : emptyPage();
    } else {
      const [index, attr, partitions] =
        query.status === undefined ? ['byShard', 'shard', allRunShards()] : ['byStatus', 'statusShard', allRunStatusShards(query.status)];
      const lists = partitions.map((partition) =>
        listQuery(
          { TableName: this.tables.runs, IndexName: index, ExpressionAttributeNames: { '#partition': attr } },
          '#partition = :partition',
          partition,
          range,
          query,
        ),
      );
      page = await queryShards(this.client, lists.filter(isDefined), query, asItem, runIdOf);
    }
    return { ...page, items: page.items.map(itemToRun) };
  }

  async listSteps(runId: string, page: PageRequest): Promise<Page<Step>> {
    const list = listQuery(
      { TableName: this.tables.steps, ConsistentRead: true },
      'pk = :partition',
      runId,
      { attr: 'sk', prefix: STEP_PREFIX },
      { ...page, after: page.after === undefined ? undefined : stepSk(page.after) },
    );
    return list ? queryPage(this.client, list, page, itemToStep, (item) => str(item, 'sk').slice(STEP_PREFIX.length)) : emptyPage();
  }

  async listEvents(runId: string, page: PageRequest): Promise<Page<Event>> {
    const list = listQuery({ TableName: this.tables.events, ConsistentRead: true }, 'pk = :partition', runId, { attr: 'sk', floor: HEAD_SK }, page);
    return list ? queryPage(this.client, list, page, itemToEvent, (item) => str(item, 'sk')) : emptyPage();
  }

  async listEventsByCorrelationId(correlationId: string, runId: string | undefined, page: PageRequest): Promise<Page<Event>> {
    const byRun: Partial<QueryCommandInput> =
      runId === undefined ? {} : { FilterExpression: 'runId = :runId', ExpressionAttributeValues: { ':runId': { S: runId } } };
    const list = listQuery(
      { TableName: this.tables.events, IndexName: 'byCorrelation', ...byRun },
      'correlationId = :partition',
      correlationId,
      { attr: 'sk' },
      page,
    );
    return list ? queryPage(this.client, list, page, itemToEvent, (item) => str(item, 'sk')) : emptyPage();
  }

  async listHooks(runId: string | undefined, page: PageRequest): Promise<Page<Hook>> {
    const range: SortRange = { attr: 'hookId' };
    const hookIdOf = (item: Item) => str(item, 'hookId');
    if (runId !== undefined) {
      const list = listQuery({ TableName: this.tables.hooks, IndexName: 'byRun' }, 'runId = :partition', runId, range, page);
      return list ? queryPage(this.client, list, page, itemToHook, hookIdOf) : emptyPage();
    }
    const lists = allHookShards().map((shard) =>
      listQuery(
        { TableName: this.tables.hooks, IndexName: 'byShard', ExpressionAttributeNames: { '#shard': 'shard' } },
        '#shard = :partition',
        shard,
        range,
        page,
      ),
    );
    return queryShards(this.client, lists.filter(isDefined), page, itemToHook, hookIdOf);
  }

  /**
   * Everything terminal disposal must remove, strongly consistent: a run's hooks
   * are found through its hook markers (the byRun index lags behind writes),
   * then read from the hooks table. A marker whose hook is gone is skipped.
   */
  async listRunChildren(runId: string): Promise<{ hooks: Hook[]; waits: Wait[] }> {
    const byPrefix = (prefix: string) =>
      queryAll(this.client, {
        TableName: this.tables.steps,
        ConsistentRead: true,
        KeyConditionExpression: 'pk = :runId AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':runId': { S: runId }, ':prefix': { S: prefix } },
      });
    const [markers, waits] = await Promise.all([byPrefix(HOOK_MARKER_PREFIX), byPrefix(WAIT_PREFIX)]);
    const hookIds = markers.map((marker) => str(marker, 'hookId'));
    const hookItems = hookIds.length === 0 ? [] : await getMany(this.client, this.tables.hooks, hookIds.map(hookKey), this.retry);
    // BatchGetItem answers in any order: keep the markers' (hookId) order. A stale
    // marker's hook id may since belong to another run's hook: not this run's.
    const byId = new Map(hookItems.filter((item) => str(item, 'runId') === runId).map((item) => [str(item, 'hookId'), item]));
    const hooks = hookIds.map((hookId) => byId.get(hookId)).filter(isDefined).map(itemToHook);
    return { hooks, waits: waits.map(itemToWait) };
  }
}

/** A key-ordered listing on one partition; undefined when the cursor is past the range. */
function listQuery(base: QueryCommandInput, partitionCondition: string, partition: string, range: SortRange, page: PageRequest): ListQuery | undefined {
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
