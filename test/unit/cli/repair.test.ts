// repair re-enqueues exactly the pending and running runs, one workflow message each.
import type { World } from '@workflow/world';
import { repairActiveRuns } from '../../../src/cli/operations/repair.js';
import { createWorld } from '../../../src/world/create-world.js';
import { installationWorldOptions } from '../../../src/cli/status/installation-world.js';
import { resolveWorldConfig } from '../../../src/config/world-config.js';
import { resourceNames } from '../../../src/config/resource-names.js';

const world = createWorld({ adapters: 'memory', consumer: 'none', name: `repair-${Date.now()}` });
afterAll(() => world.close?.());

async function run(workflowName: string, status: 'pending' | 'running' | 'completed'): Promise<string> {
  const { run: created } = await world.events.create(null, { eventType: 'run_created', eventData: { deploymentId: 'd', workflowName, input: new Uint8Array([1]) } });
  const runId = created!.runId;
  if (status !== 'pending') await world.events.create(runId, { eventType: 'run_started' });
  if (status === 'completed') await world.events.create(runId, { eventType: 'run_completed', eventData: { output: new Uint8Array([2]) } });
  return runId;
}

it('sends one message per active run to its workflow queue, and none for finished runs', async () => {
  const pending = await run('repairA', 'pending');
  const running = await run('repairB', 'running');
  await run('repairC', 'completed');
  const sent: Array<[string, unknown]> = [];
  const spy = { runs: world.runs, queue: (async (name: string, payload: unknown) => (sent.push([name, payload]), { messageId: 'msg_x' })) as World['queue'] };

  const dry = await repairActiveRuns(spy, { dryRun: true });
  expect(sent).toEqual([]);
  expect(dry.active).toBeGreaterThanOrEqual(2);

  const result = await repairActiveRuns(spy, { dryRun: false });
  expect(result.failed).toEqual([]);
  expect(sent).toEqual(expect.arrayContaining([['__wkf_workflow_repairA', { runId: pending }], ['__wkf_workflow_repairB', { runId: running }]]));
  expect(sent.some(([name]) => name === '__wkf_workflow_repairC')).toBe(false);
  expect(result.reenqueued).toBe(sent.length);
});

it('skips runs updated within --idle-seconds and reports a failed send without stopping', async () => {
  const fresh = await run('repairD', 'running');
  const failing = { runs: world.runs, queue: (async () => Promise.reject(new Error('throttled'))) as World['queue'] };
  const skipped = await repairActiveRuns(failing, { dryRun: false, idleSeconds: 3600 });
  expect(skipped.skippedRecent).toBe(skipped.active);
  expect(skipped.failed).toEqual([]);
  const later = await repairActiveRuns(failing, { dryRun: false, idleSeconds: 3600, now: () => Date.now() + 2 * 3600_000 });
  expect(later.failed.map((f) => f.runId)).toContain(fresh);
  expect(later.failed.every((f) => f.error === 'throttled')).toBe(true);
});

describe('the world repair and status read with', () => {
  const ctx = { name: 'shop', region: 'eu-west-1', names: resourceNames('shop'), clientOptions: {} };

  it('takes table names from WORKFLOW_AWS_*_TABLE, as the app does', () => {
    const env = { WORKFLOW_AWS_RUNS_TABLE: 'workflow_runs', WORKFLOW_AWS_EVENTS_TABLE: 'workflow_events' };
    const config = resolveWorldConfig(installationWorldOptions(ctx), env);
    expect(config.resources.tables).toEqual({ runs: 'workflow_runs', steps: 'shop-steps', events: 'workflow_events', hooks: 'shop-hooks', streams: 'shop-streams' });
    expect(config.resources.bucket).toBe('shop-payloads');
  });
});
