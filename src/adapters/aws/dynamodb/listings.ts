// The event store's listings, each a Query on a base table or an index
// (never a Scan). Access patterns and the shard design: docs/dynamodb-schema.md.
import type { DynamoDBClient, QueryCommandInput } from '@aws-sdk/client-dynamodb';
import type { Event, Hook, Step, Wait, WorkflowRun } from '@workflow/world';
import type { Page, PageRequest, RunQuery } from '../../../ports/event-store.js';
import { getMany, type BatchRetry } from './batch.js';
import { itemToEvent, itemToHook, itemToRun, type Item } from './item-mappers.js';
import { allHookShards, allRunShards, allRunStatusShards, HOOK_MARKER_PREFIX, hookKey, STEP_PREFIX, stepSk, WAIT_PREFIX } from './keys.js';
import { emptyPage, queryAll, queryPage, queryShards, sortCondition, toPage, collect, type ListQuery, type SortRange } from './query-pages.js';
import { currentStep, currentWait, tailStepIds, tailWaitIds, type RunTail } from './run-tail.js';
import type { EventStoreTables } from './tables.js';

const str = (item: Item, attr: string): string => item[attr]?.S ?? '';
const isDefined = <T>(value: T | undefined): value is T => value !== undefined;
const asItem = (item: Item) => item;

export class EventStoreListings {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tables: EventStoreTables,
    private readonly retry: BatchRetry,
    /** The run's log tail (read before the projections it completes). */
    private readonly tailOf: (runId: string) => Promise<RunTail>,
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

  /**
   * Step projections, completed by the tail: steps it changed are replaced by
   * their current state, and steps it created that are not projected yet are
   * merged in where they fall in the page.
   */
  async listSteps(runId: string, page: PageRequest): Promise<Page<Step>> {
    const tail = await this.tailOf(runId);
    if (!tail.head) return emptyPage();
    const list = listQuery(
      { TableName: this.tables.steps, ConsistentRead: true },
      'pk = :partition',
      runId,
      { attr: 'sk', prefix: STEP_PREFIX },
      { ...page, after: page.after === undefined ? undefined : stepSk(page.after) },
    );
    const idOf = (item: Item) => str(item, 'sk').slice(STEP_PREFIX.length);
    const { items, complete } = list ? await collect(this.client, list, page.limit + 1) : { items: [], complete: true };
    const touched = tailStepIds(tail);
    if (touched.size === 0) return toPage(items, page.limit, (item) => currentStep(item, tail, idOf(item))!, idOf);
    const byId = new Map(items.map((item) => [idOf(item), item]));
    const desc = page.order === 'desc';
    const inRange = (id: string) => {
      if (page.after !== undefined && (desc ? id >= page.after : id <= page.after)) return false;
      // Past the last projection read, unless the listing is complete, the next page has it.
      const bound = items.length > page.limit || !complete ? idOf(items.at(-1)!) : undefined;
      return bound === undefined || (desc ? id > bound : id < bound);
    };
    const ids = [...new Set([...byId.keys(), ...[...touched].filter(inRange)])].sort();
    if (desc) ids.reverse();
    const steps = ids.map((id) => currentStep(byId.get(id), tail, id)).filter(isDefined);
    const kept = steps.slice(0, page.limit);
    return { items: kept, lastKey: kept.at(-1)?.stepId ?? null, hasMore: steps.length > page.limit };
  }

  async listEvents(runId: string, page: PageRequest): Promise<Page<Event>> {
    const list = listQuery({ TableName: this.tables.events, ConsistentRead: true }, 'pk = :partition', runId, { attr: 'sk' }, page);
    return list ? queryPage(this.client, list, page, itemToEvent, (item) => str(item, 'sk')) : emptyPage();
  }

  /**
   * A run's events with one correlation id: its log, filtered (strongly
   * consistent). Without a run, the runs come from the steps table's
   * correlation index (steps, waits and hook markers carry `cid`), which is
   * eventually consistent and written with the projections. Keyed by eventId.
   */
  async listEventsByCorrelationId(correlationId: string, runId: string | undefined, page: PageRequest): Promise<Page<Event>> {
    const runIds = runId !== undefined ? [runId] : await this.correlationRuns(correlationId);
    const logs = await Promise.all(
      runIds.map((id) =>
        queryAll(this.client, {
          TableName: this.tables.events,
          ConsistentRead: true,
          KeyConditionExpression: 'pk = :runId',
          FilterExpression: 'correlationId = :cid',
          ExpressionAttributeValues: { ':runId': { S: id }, ':cid': { S: correlationId } },
        }),
      ),
    );
    const desc = page.order === 'desc';
    const events = logs
      .flat()
      .map(itemToEvent)
      .filter((e) => page.after === undefined || (desc ? e.eventId < page.after : e.eventId > page.after))
      .sort((a, b) => (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
    if (desc) events.reverse();
    const kept = events.slice(0, page.limit);
    return { items: kept, lastKey: kept.at(-1)?.eventId ?? null, hasMore: events.length > page.limit };
  }

  /** One event by id: the run's log, filtered (event items are keyed by sequence number). */
  async findEvent(runId: string, eventId: string): Promise<Event | undefined> {
    const items = await queryAll(this.client, {
      TableName: this.tables.events,
      ConsistentRead: true,
      KeyConditionExpression: 'pk = :runId',
      FilterExpression: 'eventId = :eventId',
      ExpressionAttributeValues: { ':runId': { S: runId }, ':eventId': { S: eventId } },
    });
    return items[0] && itemToEvent(items[0]);
  }

  /** The run a step belongs to, from the correlation index (eventually consistent). */
  async stepOwner(stepId: string): Promise<string | undefined> {
    const keys = await this.correlationKeys(stepId);
    return keys.find((key) => str(key, 'sk').startsWith(STEP_PREFIX))?.pk?.S;
  }

  private async correlationRuns(correlationId: string): Promise<string[]> {
    return [...new Set((await this.correlationKeys(correlationId)).map((key) => str(key, 'pk')))];
  }

  private correlationKeys(correlationId: string): Promise<Item[]> {
    return queryAll(this.client, {
      TableName: this.tables.steps,
      IndexName: 'byCorrelation',
      KeyConditionExpression: 'cid = :cid',
      ExpressionAttributeValues: { ':cid': { S: correlationId } },
    });
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
   * Waits are the wait projections completed by the log tail.
   */
  async listRunChildren(runId: string): Promise<{ hooks: Hook[]; waits: Wait[] }> {
    const byPrefix = (prefix: string) =>
      queryAll(this.client, {
        TableName: this.tables.steps,
        ConsistentRead: true,
        KeyConditionExpression: 'pk = :runId AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':runId': { S: runId }, ':prefix': { S: prefix } },
      });
    const tail = await this.tailOf(runId);
    const [markers, waitItems] = await Promise.all([byPrefix(HOOK_MARKER_PREFIX), byPrefix(WAIT_PREFIX)]);
    const hookIds = markers.map((marker) => str(marker, 'hookId'));
    const hookItems = hookIds.length === 0 ? [] : await getMany(this.client, this.tables.hooks, hookIds.map(hookKey), this.retry);
    // BatchGetItem answers in any order: keep the markers' (hookId) order. A stale
    // marker's hook id may since belong to another run's hook: not this run's.
    const byId = new Map(hookItems.filter((item) => str(item, 'runId') === runId).map((item) => [str(item, 'hookId'), item]));
    const hooks = hookIds.map((hookId) => byId.get(hookId)).filter(isDefined).map(itemToHook);
    // Waits are projections: complete them with the tail (created, changed or deleted there).
    const waitItemsById = new Map(waitItems.map((item) => [str(item, 'sk').slice(WAIT_PREFIX.length), item]));
    const waitIds = [...new Set([...waitItemsById.keys(), ...tailWaitIds(tail)])].sort();
    const waits = waitIds.map((id) => currentWait(waitItemsById.get(id), tail, id)).filter(isDefined);
    return { hooks, waits };
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
