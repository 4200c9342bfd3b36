// Writers racing on one run against the local DynamoDB: the head item's
// condition lets exactly one commit per version through.
import { jest } from '@jest/globals';
import { CommitConflict } from '../../../src/ports/event-store.js';
import { appendOne, commitWithRetry, newRun, newRunId, startLocalEventStore, stepOf, type LocalEventStore } from './local-event-store.js';

jest.setTimeout(120_000);

let local: LocalEventStore;
beforeAll(async () => {
  local = await startLocalEventStore();
});
afterAll(async () => {
  await local.stop();
});

async function createRun() {
  const store = local.store();
  const runId = newRunId();
  const run = newRun(runId);
  await store.commit(appendOne(runId, undefined, run).commit);
  return { store, runId, run };
}

describe('DynamoDbEventStore on local DynamoDB: concurrency', () => {
  it('two commits from the same snapshot: exactly one wins, the other changes nothing', async () => {
    const { store, runId, run } = await createRun();
    const snapshot = (await store.getRun(runId))!;
    const first = appendOne(runId, snapshot, run, { putSteps: [stepOf(runId, 'step_a')] });
    const second = appendOne(runId, snapshot, run, { putSteps: [stepOf(runId, 'step_b')] });
    const results = await Promise.allSettled([store.commit(first.commit), store.commit(second.commit)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const loser = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')!;
    expect(loser.reason).toBeInstanceOf(CommitConflict);
    expect((loser.reason as CommitConflict).reason).toBe('run');

    const events = await store.listEvents(runId, { limit: 10, order: 'asc' });
    expect(events.items).toHaveLength(2);
    const steps = await store.listSteps(runId, { limit: 10, order: 'asc' });
    expect(steps.items).toHaveLength(1);
    const winner = events.items[1]!.eventId === first.event.eventId ? 'step_a' : 'step_b';
    expect(steps.items[0]!.stepId).toBe(winner);
  });

  it('100 concurrent writers, each retrying on CommitConflict, land in one consistent order', async () => {
    const { runId, run } = await createRun();
    // Separate store instances, as separate processes would have.
    const writers = Array.from({ length: 100 }, (_, i) => ({ store: local.store(), stepId: `step_${String(i).padStart(3, '0')}` }));
    const attempts = await Promise.all(
      writers.map(({ store, stepId }) =>
        commitWithRetry(store, runId, (current) => appendOne(runId, current, run, { correlationId: stepId, putSteps: [stepOf(runId, stepId)] }).commit),
      ),
    );
    expect(attempts.some((n) => n > 1)).toBe(true);

    const store = local.store();
    const record = (await store.getRun(runId))!;
    expect(record.version).toBe(101);
    expect(record.eventCount).toBe(101);

    // The whole log, paged: strictly increasing ids, non-decreasing times, one event per writer.
    const events = [];
    let after: string | undefined;
    for (;;) {
      const page = await store.listEvents(runId, { limit: 17, order: 'asc', after });
      events.push(...page.items);
      if (!page.hasMore) break;
      after = page.lastKey!;
    }
    expect(events).toHaveLength(101);
    for (let i = 1; i < events.length; i++) {
      expect(events[i]!.eventId > events[i - 1]!.eventId).toBe(true);
      expect(events[i]!.createdAt.getTime()).toBeGreaterThanOrEqual(events[i - 1]!.createdAt.getTime());
    }
    expect(record.lastEventId).toBe(events.at(-1)!.eventId);
    expect(new Set(events.slice(1).map((e) => e.correlationId)).size).toBe(100);
    expect((await store.listSteps(runId, { limit: 1000, order: 'asc' })).items).toHaveLength(100);
  });
});
