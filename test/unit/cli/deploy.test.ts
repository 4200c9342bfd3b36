// deploy: finds the bundles, builds the Lambda package (an ESM entry and one file per route), zips it, ships it.
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
  UpdateFunctionConfigurationCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  PublishVersionCommand,
  ResourceNotFoundException,
  UpdateFunctionCodeCommand,
} from '@aws-sdk/client-lambda';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { unzipSync } from 'fflate';
import { resourceNames } from '../../../src/config/resource-names.js';
import type { CliContext } from '../../../src/cli/base-command.js';
import { entrySource, ROUTE_FILES, WORLD_CACHE_SYMBOLS, worldSource } from '../../../src/cli/deploy/bundle.js';
import { uploadCode } from '../../../src/cli/deploy/upload.js';
import { zipLambda } from '../../../src/cli/deploy/zip.js';
import { CliFailure, NotBootstrapped } from '../../../src/cli/errors.js';
import { DIRECT_UPLOAD_LIMIT_BYTES } from '../../../src/infra/lambda/settings.js';
import { deploy, locateWorkflows } from '../../../src/cli/operations/deploy.js';
import { commandsOf, mockAws, noSleep } from './helpers/mock-clients.js';

let project: string;
let modules: { handler: string; world: string };

/** Lists every file under `dir` (relative), for "nothing else was written" checks. */
async function tree(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const rel = join(prefix, entry.name);
    if (entry.isDirectory()) out.push(...(await tree(dir, rel)));
    else out.push(rel);
  }
  return out.sort();
}

beforeEach(async () => {
  project = await mkdtemp(join(tmpdir(), 'aws-workflow-deploy-'));
  await writeFile(join(project, 'package.json'), '{ "type": "module" }\n');
  // The entry imports `workflow/runtime` from the project, as an app's would.
  await symlink(join(process.cwd(), 'node_modules'), join(project, 'node_modules'), 'dir');
  // Handler and world modules with the real ones' shapes: the handler reports what it was given.
  modules = { handler: join(project, 'handler-under-test.mjs'), world: join(project, 'world-under-test.mjs') };
  await writeFile(
    modules.handler,
    [
      'export function createLambdaHandler({ world, ...routes }) {',
      '  return async () => ({ world: world.kind, routes: Object.keys(routes).map((k) => `${k}:${typeof routes[k]}`), flowSaw: await routes.flow() });',
      '}',
      '',
    ].join('\n'),
  );
  await writeFile(modules.world, 'export function createWorld() { return { kind: "test-world" }; }\n');
});

afterEach(async () => {
  await rm(project, { recursive: true, force: true });
});

async function standaloneOutput() {
  const dir = join(project, '.well-known', 'workflow', 'v1');
  await mkdir(dir, { recursive: true });
  // `wf build` writes CommonJS into a possibly-ESM project. This flow bundle
  // records which world the runtime had when it was loaded.
  await writeFile(
    join(dir, 'flow.js'),
    'const seen = globalThis[Symbol.for("@workflow/world//cache")]?.kind ?? "none";\nexports.POST = async () => seen;\n',
  );
  await writeFile(join(dir, 'step.js'), 'module.exports = { POST: async () => new Response("step") };\n');
  return dir;
}

async function nextOutput() {
  const dir = join(project, 'app', '.well-known', 'workflow', 'v1');
  await mkdir(join(dir, 'flow'), { recursive: true });
  await mkdir(join(dir, 'step'), { recursive: true });
  await writeFile(join(dir, 'flow', 'route.js'), 'export const POST = async () => new Response("flow");\n');
  await writeFile(join(dir, 'step', 'route.js'), 'import "server-only";\nexport async function POST() { return new Response("step"); }\n');
  return dir;
}

function context(aws: ReturnType<typeof mockAws>): CliContext {
  return {
    name: 'shop',
    region: 'us-east-1',
    names: resourceNames('shop'),
    clients: aws.clients,
    clientOptions: { region: 'us-east-1' },
    progress: () => {},
    sleep: noSleep,
    note: () => {},
  };
}

const options = (extra: Partial<Parameters<typeof deploy>[0]> = {}) => ({
  projectDir: project,
  outDir: join(project, '.aws-workflow'),
  build: false,
  dryRun: true,
  modules,
  ...extra,
});

describe('locating the workflow bundles', () => {
  it('uses the standalone output when asked not to build', async () => {
    const dir = await standaloneOutput();
    await expect(locateWorkflows(options())).resolves.toEqual({ dir, flow: join(dir, 'flow.js'), step: join(dir, 'step.js'), line: '4', built: false });
  });

  it('prefers a Next.js withWorkflow output (app/.well-known/workflow/v1/{flow,step}/route.js)', async () => {
    await standaloneOutput();
    const dir = await nextOutput();
    const found = await locateWorkflows(options({ build: true }));
    expect(found).toMatchObject({ dir, flow: join(dir, 'flow', 'route.js'), step: join(dir, 'step', 'route.js'), built: false });
  });

  it('accepts an explicit --workflow-dir and explains when it holds no bundles', async () => {
    const dir = await standaloneOutput();
    await expect(locateWorkflows(options({ workflowDir: dir }))).resolves.toMatchObject({ dir });
    await expect(locateWorkflows(options({ workflowDir: join(project, 'nowhere') }))).rejects.toThrow(CliFailure);
  });

  it('says how to get bundles when there are none and building is off', async () => {
    await expect(locateWorkflows(options())).rejects.toThrow(/run `wf build`, drop --no-build, or pass --workflow-dir/);
  });
});

describe('deploy --dry-run', () => {
  it('writes a zip holding an ESM entry and one file per route, loaded on first use, and touches nothing else', async () => {
    await standaloneOutput();
    const before = await tree(project);
    const result = await deploy(options());

    expect(result.dryRun).toBe(true);
    expect(result.zip.path).toBe(join(project, '.aws-workflow', 'lambda.zip'));
    const files = unzipSync(new Uint8Array(await readFile(result.zip.path)));
    expect(Object.keys(files).sort()).toEqual(['flow.mjs', 'index.mjs', 'step.mjs']);
    // Each route is its own self-contained file: the entry carries neither, and no chunk is shared.
    const text = (name: string) => new TextDecoder().decode(files[name]);
    expect(text('index.mjs')).not.toContain('module.exports = { POST');
    expect(text('step.mjs')).toContain('new Response("step")');
    expect(text('flow.mjs')).not.toContain('new Response("step")');
    for (const name of ['flow.mjs', 'step.mjs']) expect(text(name)).not.toMatch(/from\s*"\.\/[^"]+"/);
    const after = await tree(project);
    expect(after.filter((f) => !f.startsWith('.aws-workflow'))).toEqual(before);

    // The bundle runs: both CommonJS bundles were loaded as CommonJS despite "type": "module",
    // and the world was handed to the Workflow runtime before they loaded.
    const mod = await import(join(project, '.aws-workflow', 'build', 'lambda', 'index.mjs'));
    await expect(mod.handler({})).resolves.toEqual({ world: 'test-world', routes: ['flow:function', 'step:function'], flowSaw: 'test-world' });
  });

  it('evaluates a route file only when its first message arrives', async () => {
    const dir = await standaloneOutput();
    // Each route counts its evaluations in a global, so the test sees when it was loaded.
    await writeFile(join(dir, 'flow.js'), 'globalThis.__routeLoads = [...(globalThis.__routeLoads ?? []), "flow"];\nexports.POST = async () => "flow";\n');
    await writeFile(join(dir, 'step.js'), 'globalThis.__routeLoads = [...(globalThis.__routeLoads ?? []), "step"];\nexports.POST = async () => "step";\n');
    await writeFile(modules.handler, 'export function createLambdaHandler(routes) { return async (kind) => routes[kind](); }\n');
    await deploy(options());
    const g = globalThis as { __routeLoads?: string[] };
    delete g.__routeLoads;
    try {
      const mod = await import(join(project, '.aws-workflow', 'build', 'lambda', 'index.mjs'));
      expect(g.__routeLoads).toBeUndefined();
      await expect(mod.handler('step')).resolves.toBe('step');
      await expect(mod.handler('step')).resolves.toBe('step');
      expect(g.__routeLoads).toEqual(['step']);
      await expect(mod.handler('flow')).resolves.toBe('flow');
      expect(g.__routeLoads).toEqual(['step', 'flow']);
    } finally {
      delete g.__routeLoads;
    }
  });

  it('takes a package\'s ESM build (the `module` field) for the entry, and esbuild\'s default for the routes', async () => {
    const dir = await standaloneOutput();
    // A package with both builds and no exports map, as the AWS SDK's clients are published.
    const pkg = join(project, 'lib', 'node_modules', 'dual-build');
    await mkdir(pkg, { recursive: true });
    await writeFile(join(pkg, 'package.json'), JSON.stringify({ name: 'dual-build', main: 'main.cjs', module: 'module.mjs' }));
    await writeFile(join(pkg, 'main.cjs'), 'exports.build = "main";\n');
    await writeFile(join(pkg, 'module.mjs'), 'export const build = "module";\n');
    modules.world = join(project, 'lib', 'world-under-test.mjs');
    await writeFile(modules.world, 'import { build } from "dual-build";\nexport function createWorld() { return { kind: build }; }\n');
    await writeFile(join(dir, 'flow.js'), `const { build } = require(${JSON.stringify(pkg)});\nexports.POST = async () => build;\n`);
    await deploy(options());
    const mod = await import(join(project, '.aws-workflow', 'build', 'lambda', 'index.mjs'));
    await expect(mod.handler({})).resolves.toMatchObject({ world: 'module', flowSaw: 'main' });
  });

  it('bundles a Next.js output, with server-only resolved to nothing', async () => {
    await nextOutput();
    const result = await deploy(options());
    const code = Object.values(unzipSync(new Uint8Array(await readFile(result.zip.path)))).map((f) => new TextDecoder().decode(f)).join('\n');
    expect(code).toContain('new Response("step")');
  });

  it('produces the same zip for the same input', async () => {
    await standaloneOutput();
    const first = await deploy(options());
    const second = await deploy(options());
    expect(second.zip.sha256).toBe(first.zip.sha256);
  }, 30_000);

  it('times each phase and rejects settings outside Lambda\'s limits before building', async () => {
    await standaloneOutput();
    const seen: string[] = [];
    const phase = async <T>(name: string, _label: string, fn: () => Promise<T>) => {
      seen.push(name);
      return fn();
    };
    const result = await deploy(options({ phase }));
    expect(seen).toEqual(['build', 'bundle', 'zip']);
    expect(result.settings).toEqual({ memoryMb: 1024, timeoutSeconds: 900, architecture: 'arm64', batchSize: 10 });
    await expect(deploy(options({ settings: { timeoutSeconds: 901 } }))).rejects.toThrow('--timeout must be 1–900 s; got 901');
    await expect(deploy(options({ settings: { maxConcurrency: 1 } }))).rejects.toThrow(/--max-concurrency must be 2–1000/);
    await expect(deploy(options({ settings: { batchSize: 11 } }))).rejects.toThrow(/--batch-size must be 1–10/);
  }, 30_000);
});

describe('deploy', () => {
  it('stops before building when the installation is not bootstrapped', async () => {
    const aws = mockAws();
    aws.lambda.on(GetFunctionConfigurationCommand).rejects(new ResourceNotFoundException({ message: 'Function not found', $metadata: {} }));
    await expect(deploy(options({ dryRun: false }), context(aws))).rejects.toThrow(NotBootstrapped);
    expect(commandsOf(aws.lambda)).toEqual(['GetFunctionConfiguration']);
  });

  it('uploads the zip directly, waits for the update and publishes a version pinned to its hash', async () => {
    await standaloneOutput();
    const aws = mockAws();
    aws.lambda
      .on(GetFunctionConfigurationCommand)
      .resolves({ FunctionName: 'shop-worker', MemorySize: 1024, Timeout: 900, Architectures: ['arm64'], CodeSha256: 'old', CodeSize: 100 });
    aws.lambda.on(ListEventSourceMappingsCommand).resolves({ EventSourceMappings: [{ UUID: 'm1', BatchSize: 10, State: 'Enabled' }] });
    aws.lambda.on(GetFunctionCommand).resolves({ Configuration: { LastUpdateStatus: 'Successful' } });
    aws.lambda.on(UpdateFunctionCodeCommand).resolves({});
    aws.lambda.on(PublishVersionCommand).resolves({ Version: '7' });

    const result = await deploy(options({ dryRun: false }), context(aws));
    expect(commandsOf(aws.lambda)).toEqual(['GetFunctionConfiguration', 'ListEventSourceMappings', 'ListEventSourceMappings', 'GetFunction', 'UpdateFunctionCode', 'GetFunction', 'PublishVersion']);
    expect(result.changes).toEqual(['code 100 B → ' + (result.zip.bytes / 1024).toFixed(1) + ' KiB zipped']);
    const update = aws.lambda.commandCalls(UpdateFunctionCodeCommand)[0]!.args[0].input;
    expect(update.FunctionName).toBe('shop-worker');
    expect(update.Architectures).toEqual(['arm64']);
    expect(update.ZipFile!.byteLength).toBe(result.zip.bytes);
    expect(aws.lambda.commandCalls(PublishVersionCommand)[0]!.args[0].input).toMatchObject({ FunctionName: 'shop-worker', CodeSha256: result.zip.sha256 });
    expect(result.upload).toEqual({ via: 'direct', version: '7', codeSha256: result.zip.sha256 });
    expect(aws.s3.calls()).toHaveLength(0);
  });
});

describe('deploy settings', () => {
  it('applies memory, timeout, architecture, batch size and max concurrency, and keeps them for the next deploy', async () => {
    await standaloneOutput();
    const aws = mockAws();
    aws.lambda
      .on(GetFunctionConfigurationCommand)
      .resolves({ FunctionName: 'shop-worker', MemorySize: 1024, Timeout: 900, Architectures: ['x86_64'], CodeSha256: 'old' });
    aws.lambda.on(ListEventSourceMappingsCommand).resolves({
      EventSourceMappings: [{ UUID: 'm1', EventSourceArn: 'arn:aws:sqs:us-east-1:1:shop-step', BatchSize: 10, State: 'Enabled' }],
    });
    aws.lambda.on(GetFunctionCommand).resolves({ Configuration: { LastUpdateStatus: 'Successful' } });
    aws.lambda.on(UpdateFunctionConfigurationCommand).resolves({});
    aws.lambda.on(UpdateEventSourceMappingCommand).resolves({});
    aws.lambda.on(UpdateFunctionCodeCommand).resolves({});
    aws.lambda.on(PublishVersionCommand).resolves({ Version: '8' });

    const settings = { memoryMb: 2048, timeoutSeconds: 300, architecture: 'x86_64' as const, batchSize: 5, maxConcurrency: 50 };
    const result = await deploy(options({ dryRun: false, settings }), context(aws));
    expect(aws.lambda.commandCalls(UpdateFunctionConfigurationCommand)[0]!.args[0].input).toEqual({ FunctionName: 'shop-worker', MemorySize: 2048, Timeout: 300 });
    expect(aws.lambda.commandCalls(UpdateEventSourceMappingCommand)[0]!.args[0].input).toEqual({ UUID: 'm1', BatchSize: 5, ScalingConfig: { MaximumConcurrency: 50 } });
    expect(aws.lambda.commandCalls(UpdateFunctionCodeCommand)[0]!.args[0].input.Architectures).toEqual(['x86_64']);
    expect(result.changes).toEqual(['code', 'memory 1024 → 2048 MB', 'timeout 900 → 300 s', 'shop-step batch size 10 → 5', 'shop-step max concurrency unset → 50']);

    // The next deploy, with no flags, keeps them.
    const dry = await deploy(options());
    expect(dry.settings).toEqual(settings);
    expect(dry.changes).toEqual([]);
  }, 30_000);
});

describe('uploadCode', () => {
  it('goes through the bucket when the zip exceeds the direct-upload limit', async () => {
    const aws = mockAws();
    aws.lambda.on(GetFunctionCommand).resolves({ Configuration: { LastUpdateStatus: 'Successful' } });
    aws.lambda.on(PublishVersionCommand).resolves({ Version: '2' });
    const big = { bytes: new Uint8Array(DIRECT_UPLOAD_LIMIT_BYTES + 1), sha256: zipLambda(new Uint8Array([1])).sha256 };

    const result = await uploadCode(aws.clients, { functionName: 'shop-worker', bucket: 'shop-payloads' }, big, 'test');
    const put = aws.s3.commandCalls(PutObjectCommand)[0]!.args[0].input;
    expect(put.Bucket).toBe('shop-payloads');
    expect(put.Key).toMatch(/^deployments\/shop-worker\/[0-9a-f]{64}\.zip$/);
    expect(aws.lambda.commandCalls(UpdateFunctionCodeCommand)[0]!.args[0].input).toEqual({
      FunctionName: 'shop-worker',
      S3Bucket: 'shop-payloads',
      S3Key: put.Key,
    });
    expect(result).toMatchObject({ via: 's3', s3Key: put.Key, version: '2' });
    // The staged zip is removed once Lambda has taken the code.
    expect(aws.s3.commandCalls(DeleteObjectCommand)[0]!.args[0].input).toEqual({ Bucket: 'shop-payloads', Key: put.Key });
  });
});

describe('the generated Lambda entry', () => {
  it('writes the same globals as workflow/runtime\'s setWorld, without importing the runtime', async () => {
    // The module workflow/runtime re-exports setWorld from (importing workflow/runtime itself builds a world).
    const { setWorld } = (await import(join(process.cwd(), 'node_modules', '@workflow', 'core', 'dist', 'runtime', 'world.js'))) as { setWorld(w: unknown): void };
    const world = { kind: 'probe' };
    setWorld(world);
    try {
      for (const symbol of WORLD_CACHE_SYMBOLS) expect((globalThis as Record<symbol, unknown>)[Symbol.for(symbol)]).toBe(world);
      expect(Object.getOwnPropertySymbols(globalThis).filter((s) => (globalThis as Record<symbol, unknown>)[s] === world).map((s) => s.description).sort()).toEqual(
        [...WORLD_CACHE_SYMBOLS].sort(),
      );
    } finally {
      setWorld(undefined);
    }
    expect(worldSource({ handler: 'h', world: 'w' })).not.toContain('workflow/runtime');
  });

  it('imports the route files by the names the package holds them under, after the world', () => {
    const entry = entrySource({ handler: 'h', world: 'w' });
    expect(entry).toContain(`import("./${ROUTE_FILES.flow}")`);
    expect(entry).toContain(`import("./${ROUTE_FILES.step}")`);
    expect(entry.indexOf("import { world } from './world.mjs'")).toBe(0);
  });
});
