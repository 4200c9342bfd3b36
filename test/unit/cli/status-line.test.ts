// `status` says which Workflow line an installation serves (the marker its first app recorded).
import { DynamoDbWorkflowLineMarker } from '../../../src/adapters/aws/dynamodb/workflow-line-marker.js';
import Bootstrap from '../../../src/cli/commands/bootstrap.js';
import Status from '../../../src/cli/commands/status.js';
import type { StatusResult } from '../../../src/cli/operations/status.js';
import { resourceNames } from '../../../src/config/resource-names.js';
import { fakeCloud } from './helpers/fake-cloud.js';
import { noSleep } from './helpers/mock-clients.js';
import { runCommand } from './helpers/run-command.js';

it('status reports no line before any app, then the line the first app recorded', async () => {
  const cloud = fakeCloud('eu-west-1');
  const inject = { factory: cloud.aws.factory, sleep: noSleep };
  const common = ['--name', 'shop', '--region', 'eu-west-1', '--no-runs'];
  expect((await runCommand(Bootstrap, ['--name', 'shop', '--region', 'eu-west-1', '--json'], inject)).exitCode).toBe(0);

  const before = await runCommand(Status, [...common, '--json'], inject);
  expect((JSON.parse(before.stdout) as StatusResult).line).toBe('none');
  expect((await runCommand(Status, common, inject)).stdout).toContain('installation "shop" in eu-west-1, no Workflow line recorded yet');

  // What the 5 facade does before its first message (the CLI's mocked client, answered by the fake cloud).
  const marker = new DynamoDbWorkflowLineMarker(cloud.aws.clients.dynamodb, resourceNames('shop').tables.steps);
  expect(await marker.claim('5')).toBe('5');
  expect(await marker.claim('4')).toBe('5');

  const after = await runCommand(Status, [...common, '--json'], inject);
  expect((JSON.parse(after.stdout) as StatusResult).line).toBe('5');
  expect((await runCommand(Status, common, inject)).stdout).toContain('installation "shop" in eu-west-1, serves workflow@5');
});
