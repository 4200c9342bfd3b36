// The fold of a run's log is what the state machine's commits leave: every
// entity kind, disposal at the end of a run, a resilient start, and events
// the state machine refuses at their place.
import { randomBytes } from 'node:crypto';
import type { Event } from '@workflow/world';
import { newUlid } from '../../../src/domain/ids.js';
import { createWorld } from '../../../src/index.js';
import { foldRunLog } from '../../../src/domain/log-fold.js';
import { WORLD_SPEC_VERSION } from '../../../src/domain/spec-version.js';
import { memoryInstallation, resetMemoryInstallations } from '../../../src/world/memory-ports.js';
import { resolveWorldConfig } from '../../../src/config/world-config.js';
import { SystemClock } from '../../../src/adapters/system/system-clock.js';

const bytes = (...v: number[]) => new Uint8Array(v);
afterEach(() => resetMemoryInstallations());

async function drive(name: string) {
  const world = createWorld({ adapters: 'memory', consumer: 'none', name });
  const create = (runId: string | null, request: object) => world.events.create(runId as string, request as never);
  const runId = (await create(null, { eventType: 'run_created', eventData: { deploymentId: 'd', workflowName: 'wf', input: bytes(1) } })).run!.runId;
  await create(runId, { eventType: 'run_started' });
  await create(runId, { eventType: 'step_created', correlationId: 'step_a', eventData: { stepName: 'a', input: bytes(2) } });
  await create(runId, { eventType: 'step_started', correlationId: 'step_a' });
  await create(runId, { eventType: 'step_retrying', correlationId: 'step_a', eventData: { error: { message: 'x' } } });
  await create(runId, { eventType: 'step_started', correlationId: 'step_a' });
  await create(runId, { eventType: 'step_completed', correlationId: 'step_a', eventData: { result: bytes(3) } });
  await create(runId, { eventType: 'step_created', correlationId: 'step_b', eventData: { stepName: 'b', input: bytes(4) } });
  await create(runId, { eventType: 'step_started', correlationId: 'step_b' });
  await create(runId, { eventType: 'step_failed', correlationId: 'step_b', eventData: { error: 'boom' } });
  await create(runId, { eventType: 'hook_created', correlationId: 'hook_1', eventData: { token: `tok-${runId}` } });
  await create(runId, { eventType: 'hook_received', correlationId: 'hook_1', eventData: { payload: bytes(5) } });
  await create(runId, { eventType: 'hook_created', correlationId: 'hook_2', eventData: { token: `tok2-${runId}` } });
  await create(runId, { eventType: 'hook_disposed', correlationId: 'hook_2' });
  await create(runId, { eventType: 'wait_created', correlationId: 'wait_1', eventData: { resumeAt: new Date(Date.now() + 60_000) } });
  await create(runId, { eventType: 'wait_completed', correlationId: 'wait_1' });
  await create(runId, { eventType: 'wait_created', correlationId: 'wait_2', eventData: { resumeAt: new Date(Date.now() + 60_000) } });
  const store = memoryInstallation(resolveWorldConfig({ adapters: 'memory', consumer: 'none', name }), new SystemClock()).events;
  const events = async () => (await store.listEvents(runId, { limit: 1000, order: 'asc' })).items;
  return { world, create, runId, store, events };
}

describe('foldRunLog', () => {
  it('leaves exactly the run, steps, hooks and waits the commits left', async () => {
    const { runId, store, events } = await drive('fold-live');
    const fold = foldRunLog(runId, await events(), WORLD_SPEC_VERSION);
    expect(fold.refused).toEqual([]);
    expect(fold.run).toEqual(await store.getRunEntity(runId));
    expect([...fold.steps.values()]).toEqual((await store.listSteps(runId, { limit: 10, order: 'asc' })).items);
    const children = await store.listRunChildren(runId);
    expect([...fold.hooks.values()]).toEqual(children.hooks);
    expect([...fold.waits.values()]).toEqual(children.waits);
    expect(fold.eventCount).toBe((await events()).length);
  });

  it('a run that ended has no hooks or waits left, and its steps stay as they were', async () => {
    const { runId, create, store, events } = await drive('fold-ended');
    await create(runId, { eventType: 'run_completed', eventData: { output: bytes(9) } });
    const fold = foldRunLog(runId, await events(), WORLD_SPEC_VERSION);
    expect(fold.run?.status).toBe('completed');
    expect(fold.hooks.size).toBe(0);
    expect(fold.waits.size).toBe(0);
    expect([...fold.steps.values()].map((s) => [s.stepId, s.status, s.attempt])).toEqual([
      ['step_a', 'completed', 2],
      ['step_b', 'failed', 1],
    ]);
    expect(fold.run).toEqual(await store.getRunEntity(runId));
  });

  it('a resilient start (run_created + run_started in one commit) folds to the run it created', async () => {
    const world = createWorld({ adapters: 'memory', consumer: 'none', name: 'fold-resilient' });
    const runId = newUlid('wrun_', Date.now(), randomBytes(10));
    await world.events.create(runId, { eventType: 'run_started', eventData: { deploymentId: 'd', workflowName: 'wf', input: bytes(1) } } as never);
    const store = memoryInstallation(resolveWorldConfig({ adapters: 'memory', consumer: 'none', name: 'fold-resilient' }), new SystemClock()).events;
    const log = (await store.listEvents(runId, { limit: 10, order: 'asc' })).items;
    expect(log.map((e) => e.eventType)).toEqual(['run_created', 'run_started']);
    expect(foldRunLog(runId, log, WORLD_SPEC_VERSION).run).toEqual(await store.getRunEntity(runId));
  });

  it('reports an event the state machine refuses at its place (a second step_started on a completed step) and does not apply it', async () => {
    const { runId, events } = await drive('fold-refused');
    const log = await events();
    const completed = log.find((e) => e.eventType === 'step_completed')!;
    const second: Event = { ...completed, eventType: 'step_started', eventId: `${completed.eventId}x` } as Event;
    delete (second as { eventData?: unknown }).eventData;
    const at = log.indexOf(completed) + 1;
    const fold = foldRunLog(runId, [...log.slice(0, at), second, ...log.slice(at)], WORLD_SPEC_VERSION);
    expect(fold.refused).toEqual([{ eventId: second.eventId, eventType: 'step_started', correlationId: 'step_a', reason: expect.stringMatching(/completed/) }]);
    expect(fold.steps.get('step_a')?.status).toBe('completed');
  });

  it('an empty log folds to nothing', () => {
    expect(foldRunLog('wrun_x', [], WORLD_SPEC_VERSION)).toEqual({ steps: new Map(), hooks: new Map(), waits: new Map(), eventCount: 0, refused: [] });
  });
});
