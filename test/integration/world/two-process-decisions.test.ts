// Issue 18's chain through the whole storage service, with two processes
// (two process scopes: each its own projection log and snapshot cache) on one
// installation. Process A creates a step and dies with its projections
// unwritten (its write-behind never comes due); process
// B starts and completes the step. No process may then accept a second
// step_started on that step: not a fresh process C deciding from projections
// and the log tail, not A deciding from its stale cache.
import { jest } from '@jest/globals';
import type { World } from '@workflow/world';
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbEventStore, ProjectionLog } from '../../../src/adapters/aws/dynamodb/index.js';
import { resolveWorldConfig } from '../../../src/config/world-config.js';
import { newUlid } from '../../../src/domain/ids.js';
import { startLocalAws, type LocalAws } from '../../../src/infra/local-aws/index.js';
import { ProcessScope } from '../../../src/process-scope.js';
import { compose } from '../../../src/world/compose.js';
import type { PortOverrides } from '../../../src/world/ports.js';
import { verifyProjections } from '../../../src/testing.js';
import { rejection } from '../../support/storage-contract.js';

jest.setTimeout(120_000);

let local: LocalAws;
const saved = { ...process.env };
const worlds: Array<{ close(): Promise<void> }> = [];
beforeAll(async () => {
  local = await startLocalAws({ name: 'twoproc' });
  Object.assign(process.env, local.env);
});
afterAll(async () => {
  await Promise.all(worlds.map((w) => w.close()));
  await local.stop();
  process.env = saved;
});

/** A world in its own process scope, as another process would build it; `killed`: its projections are never written. */
function processWorld(options: { killed?: boolean } = {}): World {
  const config = resolveWorldConfig({ consumer: 'none' });
  const overrides: PortOverrides = {};
  if (options.killed) {
    const client = new DynamoDBClient({ endpoint: local.endpoints.dynamodb, region: local.region, credentials: local.credentials });
    // Its write-behind never comes due: the process died before writing its projections.
    const projections = new ProjectionLog({ delayMs: 3_600_000, maxWaitMs: 3_600_000 });
    overrides.events = new DynamoDbEventStore(client, config.resources.tables, { projections });
  }
  const world = compose(config, new ProcessScope(), overrides);
  worlds.push(world);
  return world;
}

const create = (world: World, runId: string, request: object) => world.events.create(runId, request as never);

it('a step completed in process B cannot be started again by a fresh process C, nor by A from its stale cache', async () => {
  const a = processWorld({ killed: true });
  const b = processWorld();
  const runId = newUlid('wrun_', Date.now(), randomBytes(10));
  const stepId = 'step_01';
  await create(a, runId, { eventType: 'run_created', eventData: { deploymentId: 'dpl', workflowName: 'wf', input: new Uint8Array([1]) } });
  await create(a, runId, { eventType: 'run_started' });
  await create(a, runId, { eventType: 'step_created', correlationId: stepId, eventData: { stepName: 'charge', input: new Uint8Array([2]) } });

  await create(b, runId, { eventType: 'step_started', correlationId: stepId });
  await create(b, runId, { eventType: 'step_completed', correlationId: stepId, eventData: { result: new Uint8Array([3]) } });
  // B goes on with the run; a listing writes B's pending projections first.
  await create(b, runId, { eventType: 'step_created', correlationId: 'step_02', eventData: { stepName: 'ship', input: new Uint8Array([4]) } });
  expect((await b.runs.list({ workflowName: 'wf' })).data.map((r) => r.runId)).toContain(runId);
  // Its next commit stamps how far projections are written (p): readers trust the projections up to there.
  await create(b, runId, { eventType: 'step_started', correlationId: 'step_02' });

  const c = processWorld();
  expect((await c.steps.get(runId, stepId)).status).toBe('completed');
  expect((await c.steps.list({ runId })).data.find((s) => s.stepId === stepId)?.status).toBe('completed');
  const fromC = await rejection(create(c, runId, { eventType: 'step_started', correlationId: stepId }));
  expect(fromC.status).toBe(409);
  const fromA = await rejection(create(a, runId, { eventType: 'step_started', correlationId: stepId }));
  expect(fromA.status).toBe(409);

  const events = await b.events.list({ runId, pagination: { limit: 100 } });
  expect(events.data.filter((e) => e.correlationId === stepId).map((e) => e.eventType)).toEqual(['step_created', 'step_started', 'step_completed']);
  const verified = await verifyProjections({ consumer: 'none', runIds: [runId] });
  expect(verified).toMatchObject({ runsChecked: 1, drift: [], repaired: [] });
  // A's projections were never written and B's last commit is still in B's write-behind: late, not wrong.
  expect(verified.late.map((d) => [d.entity, d.id])).toEqual([['step', 'step_02']]);
});
