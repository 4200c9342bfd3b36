// One installation serves one Workflow line, on the embedded local AWS: the
// first app records its line in the steps table; an app of the other line is
// refused at start() and at its first queue(), before any message is sent.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbWorkflowLineMarker } from '../../../src/adapters/aws/dynamodb/workflow-line-marker.js';
import { startLocalAws, type LocalAws } from '../../../src/infra/local-aws/index.js';
import { createWorld } from '../../../src/index.js';

let local: LocalAws;
let dynamodb: DynamoDBClient;
const saved = { ...process.env };

beforeAll(async () => {
  local = await startLocalAws({ name: 'lines' });
  dynamodb = new DynamoDBClient({ endpoint: local.endpoints.dynamodb, region: local.region, credentials: local.credentials });
});
afterAll(async () => {
  dynamodb.destroy();
  await local.stop();
});
beforeEach(() => {
  process.env = { ...saved, ...local.env, WORKFLOW_AWS_CONSUMER: 'process', WORKFLOW_AWS_DELIVERY: 'in-process', WORKFLOW_AWS_LOG_LEVEL: 'silent' };
});
afterEach(() => {
  process.env = saved;
});

const marker = () => new DynamoDbWorkflowLineMarker(dynamodb, local.names.tables.steps);

it('the 4.x facade records line 4 at start(); a workflow@5 claim then gets 4 back', async () => {
  expect(await marker().read()).toBeUndefined();
  const world = createWorld();
  try {
    await world.start();
  } finally {
    await world.close();
  }
  expect(await marker().read()).toBe('4');
  expect(await marker().claim('5')).toBe('4');
  expect(await marker().claim('4')).toBe('4');
  expect(await marker().read()).toBe('4');
});

it('on an installation recorded for line 5, the 4.x facade refuses start() and queue(), naming both lines', async () => {
  const five = await startLocalAws({ name: 'lines5' });
  const client = new DynamoDBClient({ endpoint: five.endpoints.dynamodb, region: five.region, credentials: five.credentials });
  process.env = { ...process.env, ...five.env };
  try {
    expect(await new DynamoDbWorkflowLineMarker(client, five.names.tables.steps).claim('5')).toBe('5');
    const world = createWorld();
    try {
      await expect(world.start()).rejects.toThrow('Installation "lines5" serves the workflow@5 line; this app runs workflow@4.');
      await expect(world.queue('__wkf_workflow_x' as never, { runId: 'wrun_x' } as never)).rejects.toThrow('serves the workflow@5 line');
    } finally {
      await world.close();
    }
  } finally {
    client.destroy();
    await five.stop();
  }
});
