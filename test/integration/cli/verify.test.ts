// `aws-workflow verify` on the embedded local AWS: a run whose step
// projection was written wrong (as the pre-fix gap repair left them) is
// reported with exit 1, `--repair` rewrites it from the log, and a second
// check finds nothing.
import { jest } from '@jest/globals';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { localClients, startLocalAws, type LocalAws } from '../../../src/infra/local-aws/index.js';
import type { AwsClients } from '../../../src/cli/aws/clients.js';
import Verify from '../../../src/cli/commands/verify.js';
import { stepToItem } from '../../../src/adapters/aws/dynamodb/item-mappers.js';
import { createWorld } from '../../../src/index.js';
import type { VerifyResult } from '../../../src/world/verify.js';
import { fakeCloud } from '../../unit/cli/helpers/fake-cloud.js';
import { noSleep } from '../../unit/cli/helpers/mock-clients.js';
import { runCommand } from '../../unit/cli/helpers/run-command.js';

jest.setTimeout(60_000);

let local: LocalAws;
const saved = { ...process.env };

beforeAll(async () => {
  local = await startLocalAws({ name: 'verifyit' });
  Object.assign(process.env, local.env);
});

afterAll(async () => {
  process.env = saved;
  await local.stop();
});

it('reports a drifted step (exit 1), repairs it from the log, then finds nothing (exit 0)', async () => {
  const world = createWorld({ consumer: 'none', name: 'verifyit' });
  const create = (runId: string | null, request: object) => world.events.create(runId as string, request as never);
  const runId = (await create(null, { eventType: 'run_created', eventData: { deploymentId: 'd', workflowName: 'wf', input: new Uint8Array([1]) } })).run!.runId;
  await create(runId, { eventType: 'run_started' });
  const created = (await create(runId, { eventType: 'step_created', correlationId: 'step_1', eventData: { stepName: 's', input: new Uint8Array([2]) } })).step!;
  await create(runId, { eventType: 'step_started', correlationId: 'step_1' });
  await create(runId, { eventType: 'step_completed', correlationId: 'step_1', eventData: { result: new Uint8Array([3]) } });
  await world.close?.();

  const data = localClients(local.endpoints, local.region);
  // The step's creation state, stamped as if it were the newest: what readers would be served.
  await data.dynamodb.send(new PutItemCommand({ TableName: local.names.tables.steps, Item: stepToItem(created, 5) }));
  const cloud = fakeCloud(local.region);
  const clients: AwsClients = { ...data, lambda: cloud.aws.clients.lambda, iam: cloud.aws.clients.iam, ssm: cloud.aws.clients.ssm, sts: cloud.aws.clients.sts };
  const verify = (...args: string[]) => runCommand(Verify, ['--name', 'verifyit', '--region', local.region, '--json', ...args], { factory: () => clients, sleep: noSleep });

  const found = await verify('--run', runId);
  expect(found.exitCode).toBe(1);
  const drift = (JSON.parse(found.stdout) as VerifyResult).drift;
  expect(drift).toEqual([
    { runId, entity: 'step', id: 'step_1', problem: 'different', fields: ['attempt', 'completedAt', 'output', 'startedAt', 'status', 'updatedAt'], expectedStatus: 'completed', actualStatus: 'pending' },
  ]);

  const repaired = await verify('--since', '1h', '--repair');
  expect(repaired.exitCode).toBe(1);
  expect((JSON.parse(repaired.stdout) as VerifyResult).repaired).toEqual([runId]);

  const clean = await verify('--since', '1h');
  expect(clean.exitCode).toBe(0);
  expect(JSON.parse(clean.stdout)).toEqual({ runsChecked: 1, drift: [], late: [], repaired: [] });

  const bad = await verify('--since', 'yesterday');
  expect(bad.exitCode).toBe(2);
  expect(JSON.parse(bad.stdout).error.message).toContain('"yesterday" is not a duration');
  for (const client of Object.values(data)) client.destroy();
});
