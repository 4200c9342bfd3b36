// verify on the memory adapters: nothing to report on a healthy run; a stored
// step that differs from the log is drift, named by field and status; repair
// rewrites it from the log.
import { createWorld } from '../../../../src/index.js';
import { resetMemoryInstallations } from '../../../../src/world/memory-ports.js';
import { verifyProjections } from '../../../../src/testing.js';
import { checkRun, differingFields } from '../../../../src/application/storage/projection-check.js';
import { MemoryEventStore } from '../../../../src/adapters/memory/memory-event-store.js';
import { composePorts } from '../../../../src/world/compose.js';
import { resolveWorldConfig } from '../../../../src/config/world-config.js';
import { BlobPointer } from '../../../../src/domain/model.js';

const bytes = (...v: number[]) => new Uint8Array(v);
afterEach(() => resetMemoryInstallations());

async function runWithStep(name: string) {
  const world = createWorld({ adapters: 'memory', consumer: 'none', name });
  const create = (runId: string | null, request: object) => world.events.create(runId as string, request as never);
  const runId = (await create(null, { eventType: 'run_created', eventData: { deploymentId: 'd', workflowName: 'wf', input: bytes(1) } })).run!.runId;
  await create(runId, { eventType: 'run_started' });
  await create(runId, { eventType: 'step_created', correlationId: 'step_a', eventData: { stepName: 'a', input: bytes(2) } });
  await create(runId, { eventType: 'step_started', correlationId: 'step_a' });
  await create(runId, { eventType: 'step_completed', correlationId: 'step_a', eventData: { result: bytes(3) } });
  const store = composePorts(resolveWorldConfig({ adapters: 'memory', consumer: 'none', name }))('events');
  return { runId, store };
}

describe('verify (memory adapters)', () => {
  it('finds nothing on healthy runs, listed by --since or given by id', async () => {
    const { runId } = await runWithStep('verify-ok');
    expect(await verifyProjections({ adapters: 'memory', name: 'verify-ok' })).toEqual({ runsChecked: 1, drift: [], late: [], repaired: [] });
    expect(await verifyProjections({ adapters: 'memory', name: 'verify-ok', runIds: [runId], sinceMs: 60_000 })).toMatchObject({ runsChecked: 1, drift: [] });
  });

  it('reports a step that went back to pending as drift, repairs it from the log, then finds nothing', async () => {
    const { runId, store } = await runWithStep('verify-drift');
    const stored = await store.readProjections(runId);
    const stale = { ...stored.steps[0]!, status: 'pending' as const, attempt: 0 };
    delete (stale as { output?: unknown }).output;
    await store.rewriteProjections(runId, { ...stored, steps: [stale] }, 5);
    const found = await checkRun(store, runId);
    expect(found.drift).toEqual([
      { runId, entity: 'step', id: 'step_a', problem: 'different', fields: ['attempt', 'output', 'status'], expectedStatus: 'completed', actualStatus: 'pending' },
    ]);
    const repaired = await verifyProjections({ adapters: 'memory', name: 'verify-drift', repair: true });
    expect(repaired.repaired).toEqual([runId]);
    expect((await checkRun(store, runId)).drift).toEqual([]);
  });

  it('reports an unexpected and a missing entity', async () => {
    const { runId, store } = await runWithStep('verify-missing');
    const stored = await store.readProjections(runId);
    await store.rewriteProjections(runId, { ...stored, steps: [{ ...stored.steps[0]!, stepId: 'step_ghost' }] }, 5);
    expect((await checkRun(store, runId)).drift.map((d) => [d.entity, d.id, d.problem])).toEqual([
      ['step', 'step_a', 'missing'],
      ['step', 'step_ghost', 'unexpected'],
    ]);
  });

  it('compares payloads held in the blob store by key only, dates by time, bytes by value', () => {
    expect(differingFields({ a: new BlobPointer('k', 1), d: new Date(5), b: bytes(1, 2) }, { a: new BlobPointer('k', 1), d: new Date(5), b: bytes(1, 2) })).toEqual([]);
    expect(differingFields({ a: new BlobPointer('k', 1), b: bytes(1) }, { a: bytes(9), b: bytes(2) })).toEqual(['b']);
    expect(differingFields({ d: new Date(5), x: { y: [1, 2] } }, { d: new Date(6), x: { y: [1, 3] } })).toEqual(['d', 'x']);
  });

  it('a store with no such run: nothing expected, nothing found', async () => {
    expect(await checkRun(new MemoryEventStore(), 'wrun_none')).toEqual({ runId: 'wrun_none', drift: [], late: [], repaired: false });
  });
});
