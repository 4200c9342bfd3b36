// The environment dev and outputs write names the facade of the app's Workflow line.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Bootstrap from '../../../src/cli/commands/bootstrap.js';
import Outputs from '../../../src/cli/commands/outputs.js';
import type { OutputsResult } from '../../../src/cli/operations/outputs.js';
import { worldEnv } from '../../../src/cli/output/world-env.js';
import { installedWorkflowLine, workflowLineOf } from '../../../src/cli/workflow-line-flag.js';
import { DynamoDbWorkflowLineMarker } from '../../../src/adapters/aws/dynamodb/workflow-line-marker.js';
import { resourceNames } from '../../../src/config/resource-names.js';
import { fakeCloud } from './helpers/fake-cloud.js';
import { noSleep } from './helpers/mock-clients.js';
import { runCommand } from './helpers/run-command.js';

const input = { name: 'shop', region: 'eu-west-1', names: resourceNames('shop'), queueUrls: { workflow: 'w', step: 's' }, consumer: 'process' as const };

it('WORKFLOW_TARGET_WORLD is the 4.x facade by default and the 5 facade for line 5', () => {
  expect(worldEnv(input).WORKFLOW_TARGET_WORLD).toBe('@workflow/world-aws');
  expect(worldEnv({ ...input, line: '4' }).WORKFLOW_TARGET_WORLD).toBe('@workflow/world-aws');
  expect(worldEnv({ ...input, line: '5' }).WORKFLOW_TARGET_WORLD).toBe('@workflow/world-aws/v5');
});

it('the default line is the installed `workflow` package\'s: 4 here, 5 in the 5 line\'s installation', () => {
  expect(installedWorkflowLine(process.cwd())).toBe('4');
  expect(workflowLineOf(undefined, process.cwd())).toBe('4');
  expect(workflowLineOf('5', process.cwd())).toBe('5');
  const v5App = join(process.cwd(), 'test', 'e2e-v5', 'app');
  // Present once test/e2e-v5 is installed (npm run test:e2e-v5).
  if (existsSync(join(process.cwd(), 'test', 'e2e-v5', 'node_modules', 'workflow'))) expect(installedWorkflowLine(v5App)).toBe('5');
  expect(installedWorkflowLine('/')).toBeUndefined();
});

it('outputs names the facade of the line the installation records, unless told otherwise', async () => {
  const cloud = fakeCloud('eu-west-1');
  const inject = { factory: cloud.aws.factory, sleep: noSleep };
  const common = ['--name', 'shop', '--region', 'eu-west-1', '--json', '--no-lambda'];
  expect((await runCommand(Bootstrap, ['--name', 'shop', '--region', 'eu-west-1', '--json'], inject)).exitCode).toBe(0);
  const env = async (...args: string[]) => (JSON.parse((await runCommand(Outputs, [...common, ...args], inject)).stdout) as OutputsResult).env.WORKFLOW_TARGET_WORLD;
  expect(await env()).toBe('@workflow/world-aws');
  await new DynamoDbWorkflowLineMarker(cloud.aws.clients.dynamodb, resourceNames('shop').tables.steps).claim('5');
  expect(await env()).toBe('@workflow/world-aws/v5');
  expect(await env('--workflow-line', '4')).toBe('@workflow/world-aws');
});
