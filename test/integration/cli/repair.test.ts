// `aws-workflow repair` on the embedded local AWS: the world it builds lists
// the active runs from DynamoDB and puts one message per run on the real SQS
// workflow queue; finished runs get none.
import { jest } from '@jest/globals';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { localClients, startLocalAws, type LocalAws } from '../../../src/infra/local-aws/index.js';
import type { AwsClients } from '../../../src/cli/aws/clients.js';
import Repair from '../../../src/cli/commands/repair.js';
import type { RepairResult } from '../../../src/cli/operations/repair.js';
import { createWorld } from '../../../src/index.js';
import { fakeCloud } from '../../unit/cli/helpers/fake-cloud.js';
import { noSleep } from '../../unit/cli/helpers/mock-clients.js';
import { runCommand } from '../../unit/cli/helpers/run-command.js';

jest.setTimeout(60_000);

let local: LocalAws;
const saved = { ...process.env };

beforeAll(async () => {
  local = await startLocalAws({ name: 'repairit' });
  // As with .env.aws loaded: the world the command builds finds the local endpoints here.
  Object.assign(process.env, local.env);
});

afterAll(async () => {
  process.env = saved;
  await local.stop();
});

it('re-enqueues the pending and running runs, and only those, on the workflow queue', async () => {
  const world = createWorld({ consumer: 'none', name: 'repairit' });
  const create = (runId: string | null, request: object) => world.events.create(runId as string, request as never);
  const started = async (workflowName: string) => (await create(null, { eventType: 'run_created', eventData: { deploymentId: 'd', workflowName, input: new Uint8Array([1]) } })).run!.runId;
  const pending = await started('wfPending');
  const running = await started('wfRunning');
  await create(running, { eventType: 'run_started' });
  const done = await started('wfDone');
  await create(done, { eventType: 'run_started' });
  await create(done, { eventType: 'run_completed', eventData: { output: new Uint8Array([2]) } });
  await world.close?.();

  const data = localClients(local.endpoints, local.region);
  const cloud = fakeCloud(local.region);
  const clients: AwsClients = { ...data, lambda: cloud.aws.clients.lambda, iam: cloud.aws.clients.iam, ssm: cloud.aws.clients.ssm, sts: cloud.aws.clients.sts };
  const run = await runCommand(Repair, ['--name', 'repairit', '--region', local.region, '--json'], { factory: () => clients, sleep: noSleep });
  if (run.exitCode !== 0) throw new Error(run.stderr);
  const result = JSON.parse(run.stdout) as RepairResult;
  expect(result).toMatchObject({ active: 2, reenqueued: 2, failed: [] });

  const bodies: string[] = [];
  for (let i = 0; i < 5 && bodies.length < 2; i++) {
    const out = await data.sqs.send(new ReceiveMessageCommand({ QueueUrl: local.env.WORKFLOW_AWS_WORKFLOW_QUEUE_URL, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    bodies.push(...(out.Messages ?? []).map((m) => m.Body ?? ''));
  }
  const sent = bodies.map((b) => JSON.parse(b) as { queueName: string; payload: { runId: string } });
  expect(sent.map((m) => [m.queueName, m.payload.runId]).sort()).toEqual(
    [
      ['__wkf_workflow_wfPending', pending],
      ['__wkf_workflow_wfRunning', running],
    ].sort(),
  );
  for (const client of Object.values(data)) client.destroy();
});
