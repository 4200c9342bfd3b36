// Paging every listing to the end against the local DynamoDB: pages join up to
// the full, ordered listing, with no gaps or repeats, in both orders.
import { jest } from '@jest/globals';
import type { Page, PageRequest } from '../../../src/ports/event-store.js';
import { appendOne, hookOf, newRun, newRunId, startLocalEventStore, stepOf, type LocalEventStore } from './local-event-store.js';

jest.setTimeout(60_000);

let local: LocalEventStore;
beforeAll(async () => {
  local = await startLocalEventStore();
});
afterAll(async () => {
  await local.stop();
});

async function pageAll<T>(list: (page: PageRequest) => Promise<Page<T>>, limit: number, order: 'asc' | 'desc'): Promise<{ items: T[]; pages: number }> {
  const items: T[] = [];
  let after: string | undefined;
  for (let pages = 1; ; pages++) {
    const page = await list({ limit, order, after });
    items.push(...page.items);
    if (page.items.length > 0) expect(page.lastKey).not.toBeNull();
    if (!page.hasMore) return { items, pages };
    expect(page.lastKey).not.toBe(after);
    after = page.lastKey!;
  }
}

const sorted = (ids: string[], order: 'asc' | 'desc') => [...ids].sort((a, b) => (order === 'asc' ? (a < b ? -1 : 1) : a < b ? 1 : -1));

describe('DynamoDbEventStore on local DynamoDB: pagination', () => {
  const runIds: string[] = [];
  const workflowOf = (i: number) => (i % 3 === 0 ? 'wf//a' : 'wf//b');
  const statusOf = (i: number) => (i % 2 === 0 ? 'running' : 'pending');

  beforeAll(async () => {
    const store = local.store();
    // 23 runs, created 1 ms apart so their ULIDs sort by creation; spread over the 8 shards by hash.
    for (let i = 0; i < 23; i++) {
      const runId = newRunId(Date.now() - 60_000 + i);
      runIds.push(runId);
      await store.commit(appendOne(runId, undefined, newRun(runId, { workflowName: workflowOf(i), status: statusOf(i) })).commit);
    }
    // Listings read indexes of the run projections: write them first.
    await local.flush();
  });

  it.each(['asc', 'desc'] as const)('runs.list() across shards, %s', async (order) => {
    const store = local.store();
    const { items, pages } = await pageAll((page) => store.listRuns(page), 5, order);
    expect(items.map((r) => r.runId)).toEqual(sorted(runIds, order));
    expect(pages).toBe(5);
    expect(items.map((r) => r.status)).toEqual(sorted(runIds, order).map((id) => statusOf(runIds.indexOf(id))));
  });

  it.each(['asc', 'desc'] as const)('runs.list({status}) and ({workflowName, status}), %s', async (order) => {
    const store = local.store();
    const running = runIds.filter((_, i) => statusOf(i) === 'running');
    expect((await pageAll((page) => store.listRuns({ ...page, status: 'running' }), 4, order)).items.map((r) => r.runId)).toEqual(
      sorted(running, order),
    );
    const aRunning = runIds.filter((_, i) => statusOf(i) === 'running' && workflowOf(i) === 'wf//a');
    const filtered = await pageAll((page) => store.listRuns({ ...page, workflowName: 'wf//a', status: 'running' }), 2, order);
    expect(filtered.items.map((r) => r.runId)).toEqual(sorted(aRunning, order));
    const byName = await pageAll((page) => store.listRuns({ ...page, workflowName: 'wf//b' }), 6, order);
    expect(byName.items.map((r) => r.runId)).toEqual(sorted(runIds.filter((_, i) => workflowOf(i) === 'wf//b'), order));
  });

  it.each(['asc', 'desc'] as const)('events, steps and hooks of one run, %s', async (order) => {
    const store = local.store();
    const runId = newRunId();
    const run = newRun(runId);
    await store.commit(appendOne(runId, undefined, run).commit);
    const stepIds: string[] = [];
    const hookIds: string[] = [];
    for (let i = 0; i < 12; i++) {
      const stepId = `step_${String(i).padStart(2, '0')}`;
      const hook = hookOf(runId, `hook_${runId}_${String(i).padStart(2, '0')}`, `tok_${runId}_${i}`);
      stepIds.push(stepId);
      hookIds.push(hook.hookId);
      await store.commit(
        appendOne(runId, await store.getRun(runId), run, {
          correlationId: stepId,
          putSteps: [stepOf(runId, stepId)],
          putHooks: [hook],
          tokenClaims: [{ token: hook.token, hookId: hook.hookId, runId, expect: { kind: 'absent' } }],
        }).commit,
      );
    }
    const all = (await store.listEvents(runId, { limit: 100, order: 'asc' })).items.map((e) => e.eventId);
    expect(all).toHaveLength(13);
    const events = await pageAll((page) => store.listEvents(runId, page), 4, order);
    expect(events.items.map((e) => e.eventId)).toEqual(order === 'asc' ? all : [...all].reverse());
    const steps = await pageAll((page) => store.listSteps(runId, page), 5, order);
    expect(steps.items.map((s) => s.stepId)).toEqual(sorted(stepIds, order));
    const hooks = await pageAll((page) => store.listHooks(runId, page), 5, order);
    expect(hooks.items.map((h) => h.hookId)).toEqual(sorted(hookIds, order));
    const allHooks = await pageAll((page) => store.listHooks(undefined, page), 7, order);
    expect(allHooks.items.map((h) => h.hookId).filter((id) => hookIds.includes(id))).toEqual(sorted(hookIds, order));
  });
});
