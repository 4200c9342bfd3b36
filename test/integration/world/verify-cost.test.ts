// What verify costs per run, measured on the local AWS: DynamoDB requests and
// read capacity (dynalite reports ConsumedCapacity by AWS's rules) for a run
// of 10 completed steps, checked from a process that never wrote it.
import { jest } from '@jest/globals';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbEventStore } from '../../../src/adapters/aws/dynamodb/index.js';
import { resolveWorldConfig } from '../../../src/config/world-config.js';
import { startLocalAws, type LocalAws } from '../../../src/infra/local-aws/index.js';
import { createWorld } from '../../../src/index.js';
import { verifyProjections } from '../../../src/testing.js';

jest.setTimeout(120_000);

let local: LocalAws;
const saved = { ...process.env };
beforeAll(async () => {
  local = await startLocalAws({ name: 'verifycost' });
  Object.assign(process.env, local.env);
});
afterAll(async () => {
  await local.stop();
  process.env = saved;
});

it('checks a 10-step run in a bounded number of reads (printed: requests and RCU per run)', async () => {
  const world = createWorld({ consumer: 'none' });
  const create = (runId: string | null, request: object) => world.events.create(runId as string, request as never);
  const runId = (await create(null, { eventType: 'run_created', eventData: { deploymentId: 'd', workflowName: 'wf', input: new Uint8Array(200) } })).run!.runId;
  await create(runId, { eventType: 'run_started' });
  for (let i = 0; i < 10; i++) {
    const stepId = `step_${i}`;
    await create(runId, { eventType: 'step_created', correlationId: stepId, eventData: { stepName: 's', input: new Uint8Array(200) } });
    await create(runId, { eventType: 'step_started', correlationId: stepId });
    await create(runId, { eventType: 'step_completed', correlationId: stepId, eventData: { result: new Uint8Array(200) } });
  }
  await create(runId, { eventType: 'run_completed', eventData: { output: new Uint8Array(200) } });
  // A second run left live with a hook and waits: the fold must agree with the hooks table and the wait projections too.
  const live = (await create(null, { eventType: 'run_created', eventData: { deploymentId: 'd', workflowName: 'wf', input: new Uint8Array(1) } })).run!.runId;
  await create(live, { eventType: 'run_started' });
  await create(live, { eventType: 'hook_created', correlationId: 'hook_1', eventData: { token: `tok-${live}`, metadata: { a: 1 } } });
  await create(live, { eventType: 'hook_received', correlationId: 'hook_1', eventData: { payload: new Uint8Array([1]) } });
  await create(live, { eventType: 'wait_created', correlationId: 'wait_1', eventData: { resumeAt: new Date(Date.now() + 60_000) } });
  await create(live, { eventType: 'wait_completed', correlationId: 'wait_1' });
  await create(live, { eventType: 'wait_created', correlationId: 'wait_2', eventData: { resumeAt: new Date(Date.now() + 60_000) } });
  await world.close();
  expect(await verifyProjections({ consumer: 'none', runIds: [live] })).toEqual({ runsChecked: 1, drift: [], late: [], repaired: [] });

  const config = resolveWorldConfig({ consumer: 'none' });
  const client = new DynamoDBClient({ endpoint: local.endpoints.dynamodb, region: local.region, credentials: local.credentials });
  const requests: string[] = [];
  let rcu = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      requests.push(context.commandName!);
      (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'TOTAL';
      const out = await next(args);
      const consumed = (out.output as { ConsumedCapacity?: { CapacityUnits?: number } | Array<{ CapacityUnits?: number }> }).ConsumedCapacity;
      for (const c of Array.isArray(consumed) ? consumed : consumed ? [consumed] : []) rcu += c.CapacityUnits ?? 0;
      return out;
    },
    { step: 'initialize', name: 'meter' },
  );
  const store = new DynamoDbEventStore(client, config.resources.tables);
  const result = await verifyProjections({ consumer: 'none', runIds: [runId], overrides: { events: store } });
  expect(result).toEqual({ runsChecked: 1, drift: [], late: [], repaired: [] });
  const counts = requests.reduce<Record<string, number>>((acc, name) => ({ ...acc, [name]: (acc[name] ?? 0) + 1 }), {});
  process.stdout.write(`verify, one run of 10 steps (34 events): ${requests.length} requests ${JSON.stringify(counts)}, ${rcu} RCU\n`);
  expect(requests.length).toBeLessThanOrEqual(10);
  client.destroy();
});
