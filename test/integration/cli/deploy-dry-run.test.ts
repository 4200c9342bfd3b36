// deploy --dry-run on a real app: the app's Workflow builder writes the flow
// and step routes unbundled, then deploy bundles them with this package's
// handler and world, zipped. The bundle loads and answers an (empty) SQS batch.
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { jest } from '@jest/globals';
import { unzipSync } from 'fflate';
import { startLocalAws } from '../../../src/infra/local-aws/index.js';
import { deploy } from '../../../src/cli/operations/deploy.js';

jest.setTimeout(180_000);

const fixture = join(process.cwd(), 'test', 'integration', 'cli', 'fixtures', 'app');
const modules = { handler: join(process.cwd(), 'src', 'lambda', 'index.ts'), world: join(process.cwd(), 'src', 'index.ts') };
let project: string;

beforeAll(async () => {
  // A copy, so the build's output (.well-known, .swc, .gitignore) never lands in the repository.
  project = await mkdtemp(join(tmpdir(), 'aws-workflow-fixture-'));
  await cp(fixture, project, { recursive: true });
  await symlink(join(process.cwd(), 'node_modules'), join(project, 'node_modules'), 'dir');
});

afterAll(async () => {
  await rm(project, { recursive: true, force: true });
});

it('builds the routes with the app\'s builder, bundles, zips, and writes only build output', async () => {
  const notes: string[] = [];
  const result = await deploy({ projectDir: project, outDir: join(project, '.aws-workflow'), build: true, dryRun: true, modules, note: (l) => notes.push(l) });

  expect(notes).toContain("building the workflow routes with the app's Workflow builder (deploy bundles them)");
  // The builder ran in a staging directory under the out directory, not in the project.
  expect(result.source).toMatchObject({ built: true, line: '4', flow: join(project, '.aws-workflow', 'wf', '.well-known', 'workflow', 'v1', 'flow.mjs') });
  const zip = unzipSync(new Uint8Array(await readFile(result.zip.path)));
  // The entry with its chunks, and the flow and step routes as self-contained files it imports on first use
  // (not chunks shared with the entry: a split chunk of a CommonJS package loaded with import() loses its named exports).
  const names = Object.keys(zip).sort();
  expect(names.filter((name) => !name.startsWith('entry-chunks/'))).toEqual(['flow.mjs', 'index.mjs', 'step.mjs']);
  // What the entry loads only on demand (here the SSM client for the master key parameter) is a chunk of its own.
  expect(names.some((name) => /^entry-chunks\/master-key-parameter-[A-Z0-9]+\.mjs$/.test(name))).toBe(true);
  for (const route of ['flow.mjs', 'step.mjs']) expect(new TextDecoder().decode(zip[route])).not.toContain('entry-chunks/');
  expect(result.zip.bytes).toBeLessThan(50 * 1024 * 1024);
  // The runtime's Vercel and local worlds are left out of the routes (absent-worlds.ts): no undici, no Vercel OIDC.
  for (const route of ['flow.mjs', 'step.mjs']) {
    const code = new TextDecoder().decode(zip[route]);
    expect(code).toContain('@workflow/world-local is not in the Lambda package');
    expect(code).not.toMatch(/VercelOidcTokenError|undici/);
  }
  expect(result.zip.unzippedBytes).toBeGreaterThan(result.zip.bytes);
  // The app's sources are untouched; the only new entry is the out directory, which git-ignores itself.
  expect((await readFile(join(project, 'workflows', 'greet.ts'), 'utf8')).includes("'use workflow'")).toBe(true);
  const top = (await readdir(project)).sort();
  expect(top).toEqual(['.aws-workflow', 'node_modules', 'package.json', 'workflows']);
  expect(await readFile(join(project, '.aws-workflow', '.gitignore'), 'utf8')).toMatch(/^\*$/m);
  expect(result.changes).toEqual(['no earlier deploy recorded in this out directory']);

  // The bundled Lambda loads with the world it was given and handles a batch.
  const saved = { consumer: process.env.WORKFLOW_AWS_CONSUMER, region: process.env.AWS_REGION };
  process.env.WORKFLOW_AWS_CONSUMER = 'lambda';
  process.env.AWS_REGION = 'us-east-1';
  try {
    const mod = (await import(join(project, '.aws-workflow', 'build', 'lambda', 'index.mjs'))) as { handler: (e: unknown) => Promise<unknown> };
    await expect(mod.handler({ Records: [] })).resolves.toEqual({ batchItemFailures: [] });
  } finally {
    restore('WORKFLOW_AWS_CONSUMER', saved.consumer);
    restore('AWS_REGION', saved.region);
  }
});

function restore(key: string, value: string | undefined): void {
  if (value === undefined) delete process.env[key];
  else process.env[key] = value;
}

it('the zip, unzipped and fed SQS events from the local AWS, completes a workflow', async () => {
  const zipPath = join(project, '.aws-workflow', 'lambda.zip');
  const files = unzipSync(new Uint8Array(await readFile(zipPath)));
  const bundleDir = await mkdtemp(join(tmpdir(), 'aws-workflow-unzipped-'));
  const local = await startLocalAws({ name: 'zip-check' });
  try {
    const bundle = join(bundleDir, 'index.mjs');
    for (const [name, bytes] of Object.entries(files)) {
      await mkdir(dirname(join(bundleDir, name)), { recursive: true });
      await writeFile(join(bundleDir, name), bytes);
    }
    const runner = join(process.cwd(), 'scripts', 'lib', 'lambda-zip-runner.mjs');
    const env = { ...process.env, ...local.env, WORKFLOW_TARGET_WORLD: join(process.cwd(), 'dist', 'index.js') };
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile(process.execPath, [runner, bundle, 'workflow//./workflows/greet//greet', JSON.stringify(['  Ada '])], { env, timeout: 90_000 }, (error, out, err) =>
        error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out),
      ),
    );
    const report = JSON.parse(stdout.trim().split('\n').at(-1)!) as { status: string; returnValue: unknown; invocations: number };
    expect(report.status).toBe('completed');
    expect(report.returnValue).toBe('Hello, Ada!');
    // The run started, each step ran and the run resumed: several Lambda invocations.
    expect(report.invocations).toBeGreaterThanOrEqual(3);
  } finally {
    await local.stop();
    await rm(bundleDir, { recursive: true, force: true });
  }
});
