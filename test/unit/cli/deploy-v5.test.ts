// deploy of a workflow@5 build: one merged route (flow.mjs, no step bundle),
// bundled with the 5 facade, and the installation's line recorded (or an app
// of the other line refused) before anything is uploaded.
import { mkdir, mkdtemp, rm, symlink, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConditionalCheckFailedException, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  ListEventSourceMappingsCommand,
  PublishVersionCommand,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda';
import { unzipSync } from 'fflate';
import type { CliContext } from '../../../src/cli/base-command.js';
import { entrySource, ROUTE_FILES } from '../../../src/cli/deploy/bundle.js';
import { CliFailure } from '../../../src/cli/errors.js';
import { deploy, locateWorkflows } from '../../../src/cli/operations/deploy.js';
import { resourceNames } from '../../../src/config/resource-names.js';
import { commandsOf, mockAws, noSleep } from './helpers/mock-clients.js';

let project: string;
let modules: { handler: string; world: string };

beforeEach(async () => {
  project = await mkdtemp(join(tmpdir(), 'aws-workflow-deploy-v5-'));
  await writeFile(join(project, 'package.json'), '{ "type": "module" }\n');
  await symlink(join(process.cwd(), 'node_modules'), join(project, 'node_modules'), 'dir');
  // A handler that reports the routes it was given and what the step route does.
  modules = { handler: join(project, 'handler-under-test.mjs'), world: join(project, 'world-under-test.mjs') };
  await writeFile(
    modules.handler,
    [
      'export function createLambdaHandler({ world, flow, step }) {',
      '  return async () => ({ world: world.kind, flowSaw: await flow(), step: await step().then(() => "answered", (e) => e.message) });',
      '}',
      '',
    ].join('\n'),
  );
  await writeFile(modules.world, 'export function createWorld() { return { kind: "v5-world" }; }\n');
});

afterEach(async () => {
  await rm(project, { recursive: true, force: true });
});

/** What the 5 builder writes: an ESM flow route, a manifest, no step route. */
async function v5Output(): Promise<string> {
  const dir = join(project, '.well-known', 'workflow', 'v1');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'flow.mjs'), 'export const POST = async () => globalThis[Symbol.for("@workflow/world//cache")]?.kind ?? "none";\n');
  await writeFile(join(dir, 'webhook.mjs'), 'export const POST = async () => new Response(null);\n');
  return dir;
}

const options = (extra: Partial<Parameters<typeof deploy>[0]> = {}) => ({
  projectDir: project,
  outDir: join(project, '.aws-workflow'),
  build: false,
  dryRun: true,
  modules,
  ...extra,
});

function context(aws: ReturnType<typeof mockAws>): CliContext {
  return { name: 'shop', region: 'us-east-1', names: resourceNames('shop'), clients: aws.clients, clientOptions: { region: 'us-east-1' }, progress: () => {}, sleep: noSleep, note: () => {} };
}

it('finds a workflow@5 build by its single flow route', async () => {
  const dir = await v5Output();
  await expect(locateWorkflows(options())).resolves.toEqual({ dir, flow: join(dir, 'flow.mjs'), line: '5', built: false });
});

it('the entry of a 5 app imports the flow route only; its step route refuses, naming why', () => {
  const entry = entrySource({ handler: 'h', world: 'w' }, '5');
  expect(entry).toContain(`import("./${ROUTE_FILES.flow}")`);
  expect(entry).not.toContain(`import("./${ROUTE_FILES.step}")`);
  expect(entry).toContain('a workflow@5 app has no step route');
});

it('deploy --dry-run zips the entry and the one route; the world is set before the route loads', async () => {
  await v5Output();
  const result = await deploy(options());
  expect(result.source).toMatchObject({ line: '5' });
  expect(result.source.step).toBeUndefined();
  const files = unzipSync(new Uint8Array(await readFile(result.zip.path)));
  expect(Object.keys(files).sort()).toEqual(['flow.mjs', 'index.mjs']);
  const mod = (await import(join(project, '.aws-workflow', 'build', 'lambda', 'index.mjs'))) as { handler: () => Promise<unknown> };
  await expect(mod.handler()).resolves.toEqual({
    world: 'v5-world',
    flowSaw: 'v5-world',
    step: 'aws-workflow: a workflow@5 app has no step route; a message on the step queue was not sent by it',
  });
});

function deployableAws(): ReturnType<typeof mockAws> {
  const aws = mockAws();
  aws.lambda.on(GetFunctionConfigurationCommand).resolves({ FunctionName: 'shop-worker', MemorySize: 1024, Timeout: 900, Architectures: ['arm64'], CodeSha256: 'old' });
  aws.lambda.on(ListEventSourceMappingsCommand).resolves({ EventSourceMappings: [] });
  aws.lambda.on(GetFunctionCommand).resolves({ Configuration: { LastUpdateStatus: 'Successful' } });
  aws.lambda.on(UpdateFunctionCodeCommand).resolves({});
  aws.lambda.on(PublishVersionCommand).resolves({ Version: '3' });
  return aws;
}

it('deploy records line 5 in the installation (steps table) before uploading', async () => {
  await v5Output();
  const aws = deployableAws();
  aws.dynamodb.on(PutItemCommand).resolves({});
  await deploy(options({ dryRun: false }), context(aws));
  expect(aws.dynamodb.commandCalls(PutItemCommand)[0]!.args[0].input).toMatchObject({
    TableName: 'shop-steps',
    Item: { pk: { S: 'L#workflow-line' }, sk: { S: 'L' }, line: { S: '5' } },
    ConditionExpression: 'attribute_not_exists(pk)',
  });
  expect(commandsOf(aws.lambda)).toContain('UpdateFunctionCode');
});

it('deploy of a 5 app to an installation serving workflow@4 is refused, nothing uploaded', async () => {
  await v5Output();
  const aws = deployableAws();
  aws.dynamodb
    .on(PutItemCommand)
    .rejects(Object.assign(new ConditionalCheckFailedException({ message: 'failed', $metadata: {} }), { Item: { pk: { S: 'L#workflow-line' }, sk: { S: 'L' }, line: { S: '4' } } }));
  const refused = deploy(options({ dryRun: false }), context(aws));
  await expect(refused).rejects.toThrow(CliFailure);
  await expect(refused).rejects.toThrow('Installation "shop" serves the workflow@4 line; this app runs workflow@5.');
  expect(commandsOf(aws.lambda)).not.toContain('UpdateFunctionCode');
});
