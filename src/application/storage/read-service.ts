// The Storage read API: entity lookups and listings with the contract's
// defaults, errors and resolveData filtering. Reads served from indexes over
// projections (runs.list, steps.get by step id alone, events by correlation
// id across runs) first write this process's pending projections, so a
// process sees its own commits there (read-your-writes); another process's
// commits appear once that process has written them (docs/dynamodb-schema.md).
// runs.get of a run this process holds is confirmed by its version alone.
import { HookNotFoundError, WorkflowRunNotFoundError, WorkflowWorldError } from '@workflow/errors';
import type {
  Event,
  GetEventParams,
  GetHookParams,
  GetStepParams,
  GetWorkflowRunParams,
  Hook,
  ListEventsByCorrelationIdParams,
  ListEventsParams,
  ListHooksParams,
  ListWorkflowRunStepsParams,
  ListWorkflowRunsParams,
  PaginatedResponse,
  ResolveData,
  Step,
  WorkflowRun,
} from '@workflow/world';
import { stripEventDataRefs } from '@workflow/world';
import type { EventStore } from '../../ports/event-store.js';
import type { PayloadClaimCheck } from './claim-check.js';
import type { SnapshotCache } from './snapshot-cache.js';
import { eventListingScope, toPageRequest, toPaginatedResponse } from './pagination.js';

export class ReadService {
  constructor(
    private readonly store: EventStore,
    private readonly claimCheck: PayloadClaimCheck,
    private readonly cache?: SnapshotCache,
  ) {}

  async getRun(runId: string, params?: GetWorkflowRunParams): Promise<WorkflowRun> {
    const run = (await this.currentCachedRun(runId)) ?? (await this.store.getRunEntity(runId));
    if (!run) throw new WorkflowRunNotFoundError(runId);
    return this.withData(run, params?.resolveData);
  }

  /**
   * A run this process holds in its snapshot cache, when the version read
   * from the log's newest item (one item, strongly consistent) equals the
   * cached one: nobody has committed since, so the cached state is the
   * current one, as a decision confirms a cached answer. Saves the projection
   * read of `runs.get`, which callers poll (`returnValue`, status pages).
   */
  private async currentCachedRun(runId: string): Promise<WorkflowRun | undefined> {
    const held = this.cache?.run(runId);
    if (!held || !this.store.runVersion) return undefined;
    const version = await this.store.runVersion(runId);
    // Otherwise read the stored run. The entry is left alone: a newer version may be this
    // process's own commit, landed but not yet applied to the cache; a decision on a
    // truly stale entry finds out by its conditioned commit.
    return version === held.version ? { ...held.run } : undefined;
  }

  async listRuns(params?: ListWorkflowRunsParams): Promise<PaginatedResponse<WorkflowRun>> {
    const scope = `runs:${params?.workflowName ?? ''}:${params?.status ?? ''}`;
    const request = toPageRequest(scope, params?.pagination, { limit: 20, order: 'desc' });
    await this.store.flush?.();
    const page = await this.store.listRuns({ ...request, workflowName: params?.workflowName, status: params?.status });
    const data = await Promise.all(page.items.map((r) => this.withData(r, params?.resolveData)));
    return toPaginatedResponse(scope, request, page, data);
  }

  async getStep(runId: string | undefined, stepId: string, params?: GetStepParams): Promise<Step> {
    if (runId === undefined) await this.store.flush?.();
    const step = await this.store.getStep(runId, stepId);
    if (!step) throw new WorkflowWorldError(`Step "${stepId}" not found`, { status: 404 });
    return this.withData(step, params?.resolveData);
  }

  async listSteps(params: ListWorkflowRunStepsParams): Promise<PaginatedResponse<Step>> {
    const scope = `steps:${params.runId}`;
    const request = toPageRequest(scope, params.pagination, { limit: 20, order: 'desc' });
    const page = await this.store.listSteps(params.runId, request);
    const data = await Promise.all(page.items.map((s) => this.withData(s, params.resolveData)));
    return toPaginatedResponse(scope, request, page, data);
  }

  async getEvent(runId: string, eventId: string, params?: GetEventParams): Promise<Event> {
    const event = await this.store.getEvent(runId, eventId);
    if (!event) throw new WorkflowWorldError(`Event "${eventId}" not found in run "${runId}"`, { status: 404 });
    return this.eventWithData(event, params?.resolveData);
  }

  async listEvents(params: ListEventsParams): Promise<PaginatedResponse<Event>> {
    const scope = eventListingScope(params.runId);
    const request = toPageRequest(scope, params.pagination, { limit: 100, order: 'asc' });
    const page = await this.store.listEvents(params.runId, request);
    const data = await Promise.all(page.items.map((e) => this.eventWithData(e, params.resolveData)));
    return toPaginatedResponse(scope, request, page, data);
  }

  async listEventsByCorrelationId(params: ListEventsByCorrelationIdParams): Promise<PaginatedResponse<Event>> {
    const scope = `correlation:${params.correlationId}:${params.runId ?? ''}`;
    const request = toPageRequest(scope, params.pagination, { limit: 100, order: 'asc' });
    if (params.runId === undefined) await this.store.flush?.();
    const page = await this.store.listEventsByCorrelationId(params.correlationId, params.runId, request);
    const data = await Promise.all(page.items.map((e) => this.eventWithData(e, params.resolveData)));
    return toPaginatedResponse(scope, request, page, data);
  }

  async getHook(hookId: string, params?: GetHookParams): Promise<Hook> {
    const hook = await this.store.getHook(hookId);
    if (!hook) throw new HookNotFoundError(hookId);
    return this.withData(hook, params?.resolveData);
  }

  async getHookByToken(token: string, params?: GetHookParams): Promise<Hook> {
    const hook = await this.store.getHookByToken(token);
    if (!hook) throw new HookNotFoundError(token);
    return this.withData(hook, params?.resolveData);
  }

  async listHooks(params: ListHooksParams): Promise<PaginatedResponse<Hook>> {
    const scope = `hooks:${params.runId ?? ''}`;
    const request = toPageRequest(scope, params.pagination, { limit: 100, order: 'asc' });
    const page = await this.store.listHooks(params.runId, request);
    const data = await Promise.all(page.items.map((h) => this.withData(h, params.resolveData)));
    return toPaginatedResponse(scope, request, page, data);
  }

  /** resolveData 'none' drops payloads (§1.2); 'all' resolves claim checks. */
  private async withData<T extends object>(entity: T, resolveData: ResolveData = 'all'): Promise<T> {
    if (resolveData === 'all') return this.claimCheck.resolveEntity(entity);
    const { input: _input, output: _output, metadata: _metadata, ...rest } = entity as Record<string, unknown>;
    return rest as T;
  }

  private async eventWithData(event: Event, resolveData: ResolveData = 'all'): Promise<Event> {
    return this.claimCheck.resolveEvent(stripEventDataRefs(event, resolveData));
  }
}
