// In-memory EventStore: the reference semantics of the port, used by fast
// tests and by the memory adapter set. Commits are checked and applied
// synchronously, so they are atomic and isolated within the process.
import type { Event, Hook, Step, Wait, WorkflowRun } from '@workflow/world';
import type { Commit, RunRecord } from '../../domain/model.js';
import { CommitConflict, type EventStore, type Page, type PageRequest, type RunLog, type RunQuery, type StoredProjections } from '../../ports/event-store.js';
import { cloneValue } from './clone.js';
import { byKey, paginate } from './paginate.js';

const childKey = (runId: string, id: string) => `${runId}\u0000${id}`;

export class MemoryEventStore implements EventStore {
  private readonly runs = new Map<string, RunRecord>();
  private readonly steps = new Map<string, Step>(); // by runId + stepId, like the steps table
  private readonly waits = new Map<string, Wait>();
  private readonly hooks = new Map<string, Hook>();
  private readonly tokens = new Map<string, string>(); // token → hookId
  private readonly events = new Map<string, Event[]>(); // runId → commit order

  async commit(commit: Commit): Promise<void> {
    this.check(commit);
    const { runId } = commit;
    this.runs.set(runId, cloneValue(commit.run));
    const log = this.events.get(runId) ?? [];
    log.push(...commit.events.map(cloneValue));
    this.events.set(runId, log);
    for (const step of commit.putSteps) this.steps.set(childKey(step.runId, step.stepId), cloneValue(step));
    for (const wait of commit.putWaits) this.waits.set(childKey(wait.runId, wait.waitId), cloneValue(wait));
    for (const wait of commit.deleteWaits) this.waits.delete(childKey(wait.runId, wait.waitId));
    for (const hook of commit.putHooks) this.hooks.set(hook.hookId, cloneValue(hook));
    for (const hook of commit.deleteHooks) this.hooks.delete(hook.hookId);
    for (const release of commit.tokenReleases) this.tokens.delete(release.token);
    for (const claim of commit.tokenClaims) this.tokens.set(claim.token, claim.hookId);
  }

  private check(commit: Commit): void {
    const current = this.runs.get(commit.runId);
    const expect = commit.expectRun;
    if (expect.kind === 'absent' ? current !== undefined : current?.version !== expect.version) {
      throw new CommitConflict('run');
    }
    for (const release of commit.tokenReleases) {
      if (this.tokens.get(release.token) !== release.hookId) throw new CommitConflict('token');
    }
    const released = new Set(commit.tokenReleases.map((r) => r.token));
    for (const claim of commit.tokenClaims) {
      const holder = released.has(claim.token) ? undefined : this.tokens.get(claim.token);
      const ok = claim.expect.kind === 'absent' ? holder === undefined : holder === claim.expect.hookId;
      if (!ok) throw new CommitConflict('token');
    }
    const known = new Set((this.events.get(commit.runId) ?? []).map((e) => e.eventId));
    if (commit.events.some((e) => known.has(e.eventId))) throw new CommitConflict('entity');
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    return cloneValue(this.runs.get(runId));
  }

  async runVersion(runId: string): Promise<number | undefined> {
    return this.runs.get(runId)?.version;
  }

  async getRunEntity(runId: string): Promise<WorkflowRun | undefined> {
    return cloneValue(this.runs.get(runId)?.run);
  }

  async getStep(runId: string | undefined, stepId: string): Promise<Step | undefined> {
    if (runId !== undefined) return cloneValue(this.steps.get(childKey(runId, stepId)));
    return cloneValue([...this.steps.values()].find((s) => s.stepId === stepId));
  }

  async getHook(hookId: string): Promise<Hook | undefined> {
    return cloneValue(this.hooks.get(hookId));
  }

  async getHookByToken(token: string): Promise<Hook | undefined> {
    const hookId = this.tokens.get(token);
    return hookId === undefined ? undefined : cloneValue(this.hooks.get(hookId));
  }

  async getWait(runId: string, waitId: string): Promise<Wait | undefined> {
    return cloneValue(this.waits.get(childKey(runId, waitId)));
  }

  async getEvent(runId: string, eventId: string): Promise<Event | undefined> {
    return cloneValue(this.events.get(runId)?.find((e) => e.eventId === eventId));
  }

  async listRuns(query: RunQuery): Promise<Page<WorkflowRun>> {
    const matching = [...this.runs.values()]
      .map((r) => r.run)
      .filter((r) => (query.workflowName === undefined || r.workflowName === query.workflowName) && (query.status === undefined || r.status === query.status))
      .sort(byKey((r) => r.runId));
    return cloned(paginate(matching, (r) => r.runId, query));
  }

  async listSteps(runId: string, page: PageRequest): Promise<Page<Step>> {
    const steps = [...this.steps.values()].filter((s) => s.runId === runId).sort(byKey((s) => s.stepId));
    return cloned(paginate(steps, (s) => s.stepId, page));
  }

  async listEvents(runId: string, page: PageRequest): Promise<Page<Event>> {
    return cloned(paginate(this.events.get(runId) ?? [], (e) => e.eventId, page));
  }

  async readLog(runId: string): Promise<RunLog | undefined> {
    const log = this.events.get(runId);
    const record = this.runs.get(runId);
    if (!log?.length || !record) return undefined;
    return { events: cloneValue(log), lastKey: log.at(-1)!.eventId, version: record.version };
  }

  async listEventsByCorrelationId(correlationId: string, runId: string | undefined, page: PageRequest): Promise<Page<Event>> {
    const logs = runId === undefined ? [...this.events.values()] : [this.events.get(runId) ?? []];
    const matching = logs.flat().filter((e) => e.correlationId === correlationId).sort(byKey((e) => e.eventId));
    return cloned(paginate(matching, (e) => e.eventId, page));
  }

  async listHooks(runId: string | undefined, page: PageRequest): Promise<Page<Hook>> {
    const hooks = [...this.hooks.values()].filter((h) => runId === undefined || h.runId === runId).sort(byKey((h) => h.hookId));
    return cloned(paginate(hooks, (h) => h.hookId, page));
  }

  /** Entities are stored as commits leave them: there are no separate projections to drift. */
  async readProjections(runId: string): Promise<StoredProjections> {
    const run = this.runs.get(runId)?.run;
    return {
      ...(run ? { run: cloneValue(run) } : {}),
      steps: [...this.steps.values()].filter((s) => s.runId === runId).map(cloneValue),
      waits: [...this.waits.values()].filter((w) => w.runId === runId).map(cloneValue),
    };
  }

  async rewriteProjections(runId: string, state: StoredProjections): Promise<void> {
    const record = this.runs.get(runId);
    if (record && state.run) record.run = cloneValue(state.run);
    for (const key of [...this.steps.keys()]) if (this.steps.get(key)!.runId === runId) this.steps.delete(key);
    for (const key of [...this.waits.keys()]) if (this.waits.get(key)!.runId === runId) this.waits.delete(key);
    for (const step of state.steps) this.steps.set(childKey(runId, step.stepId), cloneValue(step));
    for (const wait of state.waits) this.waits.set(childKey(runId, wait.waitId), cloneValue(wait));
  }

  async listRunChildren(runId: string): Promise<{ hooks: Hook[]; waits: Wait[] }> {
    return {
      hooks: [...this.hooks.values()].filter((h) => h.runId === runId).map(cloneValue),
      waits: [...this.waits.values()].filter((w) => w.runId === runId).map(cloneValue),
    };
  }
}

function cloned<T>(page: Page<T>): Page<T> {
  return { ...page, items: page.items.map(cloneValue) };
}
