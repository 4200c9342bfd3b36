// Lambda on the workflow@5 line: `deploy --dry-run` bundles the fixture app's
// 5 build (one merged route) with the 5 facade; the zip, unzipped and fed SQS
// events from the embedded local AWS by the event-source stand-in, runs
// workflows started with the 5 runtime's start() (scripts/lib/lambda-zip-runner.mjs).
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { unzipSync } from 'fflate';
import { deploy } from '../../src/cli/operations/deploy.js';
import { ROOT } from '../e2e/harness/targets.js';
import { prepareV5App } from './harness/prepare.mjs';
import { V5_DIR, V5_TARGETS } from './harness/targets.js';

// The package's own sources, as the CLI would resolve them from an installed build.
const modules = { handler: join(ROOT, 'src', 'lambda', 'index.ts'), world: join(ROOT, 'src', 'world-v5', 'index.ts') };
let appDir: string;
let outDir: string;
let bundleDir: string;
let builtOutDir: string;
let builtBundleDir: string;

beforeAll(async () => {
  appDir = await prepareV5App();
  outDir = await mkdtemp(join(tmpdir(), 'aws-workflow-v5-deploy-'));
  bundleDir = await mkdtemp(join(tmpdir(), 'aws-workflow-v5-unzipped-'));
  builtOutDir = await mkdtemp(join(tmpdir(), 'aws-workflow-v5-built-'));
  builtBundleDir = await mkdtemp(join(tmpdir(), 'aws-workflow-v5-built-unzipped-'));
}, 600_000);

afterAll(async () => {
  for (const dir of [outDir, bundleDir, builtOutDir, builtBundleDir]) await rm(dir, { recursive: true, force: true });
});

async function unzipTo(zipPath: string, dir: string): Promise<string[]> {
  const files = unzipSync(new Uint8Array(await readFile(zipPath)));
  for (const [name, bytes] of Object.entries(files)) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), bytes);
  }
  // The entry's chunks aside (entry-chunks/): the package's top-level files.
  return Object.keys(files).filter((name) => !name.startsWith('entry-chunks/')).sort();
}

function runZip(bundle: string, workflowId: string, args: unknown[], env: Record<string, string>): Promise<{ status: string; returnValue: unknown; invocations: number }> {
  const runner = join(ROOT, 'scripts', 'lib', 'lambda-zip-runner.mjs');
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [runner, bundle, workflowId, JSON.stringify(args)], { cwd: appDir, env: { ...process.env, ...env }, timeout: 120_000 }, (error, out, err) =>
      error ? reject(new Error(`${error.message}\n${err}`)) : resolve(JSON.parse(out.trim().split('\n').at(-1)!)),
    ),
  );
}

test('deploy --dry-run zips one route with the 5 facade, and the zip runs 5 workflows on the local AWS', async () => {
  const notes: string[] = [];
  const result = await deploy({
    projectDir: appDir,
    outDir,
    workflowDir: join(appDir, '.well-known', 'workflow', 'v1'),
    build: false,
    dryRun: true,
    modules,
    note: (line) => notes.push(line),
  });
  expect(result.source).toMatchObject({ line: '5', flow: join(appDir, '.well-known', 'workflow', 'v1', 'flow.mjs') });
  expect(notes).toContain('a workflow@5 build: one merged route (flow), the 5 facade');
  expect(await unzipTo(result.zip.path, bundleDir)).toEqual(['flow.mjs', 'index.mjs']);

  const target = await V5_TARGETS.find((t) => t.name === 'aws')!.start();
  try {
    const bundle = join(bundleDir, 'index.mjs');
    const seq = await runZip(bundle, 'workflow//./workflows/basics//sequentialSteps', [5], target.env);
    expect(seq).toMatchObject({ status: 'completed', returnValue: 5 });
    const fan = await runZip(bundle, 'workflow//./workflows/basics//parallelSteps', [10], target.env);
    expect(fan).toMatchObject({ status: 'completed', returnValue: Array.from({ length: 10 }, (_, i) => i * i) });
  } finally {
    await target.stop();
  }
}, 300_000);

test('deploy builds a 5 app itself: one unbundled merged route from the 5 builder, without the runtime\'s Vercel and local worlds; the zip runs', async () => {
  // A copy of the app's sources beside the 5 installation's node_modules, as an app has it.
  const project = join(builtOutDir, 'app');
  for (const entry of ['package.json', 'workflows', 'shared']) await cp(join(appDir, entry), join(project, entry), { recursive: true });
  await symlink(join(V5_DIR, 'node_modules'), join(project, 'node_modules'), 'dir');
  const notes: string[] = [];
  const result = await deploy({ projectDir: project, outDir: join(project, '.aws-workflow'), build: true, dryRun: true, modules, note: (line) => notes.push(line) });
  expect(notes).toContain("building the workflow routes with the app's Workflow builder (deploy bundles them)");
  expect(result.source).toMatchObject({ line: '5', built: true, flow: join(project, '.aws-workflow', 'wf', '.well-known', 'workflow', 'v1', 'flow.mjs') });
  expect(await unzipTo(result.zip.path, builtBundleDir)).toEqual(['flow.mjs', 'index.mjs']);
  const flow = await readFile(join(builtBundleDir, 'flow.mjs'), 'utf8');
  expect(flow).toContain('@workflow/world-local is not in the Lambda package');
  // world-local's HTTP client; the runtime's own @vercel/functions (waitUntil) stays.
  expect(flow).not.toContain('undici');

  const target = await V5_TARGETS.find((t) => t.name === 'aws')!.start();
  try {
    const seq = await runZip(join(builtBundleDir, 'index.mjs'), 'workflow//./workflows/basics//sequentialSteps', [5], target.env);
    expect(seq).toMatchObject({ status: 'completed', returnValue: 5 });
  } finally {
    await target.stop();
  }
}, 300_000);
