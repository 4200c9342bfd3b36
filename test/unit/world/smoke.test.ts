import { createWorld, resetMemoryInstallations } from '../../../src/index.js';

test('memory world: run lifecycle', async () => {
  resetMemoryInstallations();
  const world = createWorld({ adapters: 'memory', consumer: 'none', name: 'smoke' });
  const input = new Uint8Array([1, 2, 3]);
  const created = await world.events.create(null, { eventType: 'run_created', eventData: { deploymentId: 'd', workflowName: 'wf', input } } as never);
  const runId = created.run!.runId;
  const started = await world.events.create(runId, { eventType: 'run_started' } as never);
  expect(started.run?.status).toBe('running');
  expect(started.run?.input).toEqual(input);
  const events = await world.events.list({ runId });
  expect(events.data.map((e) => e.eventType)).toEqual(['run_created', 'run_started']);
  await world.close();
});
