// deploy --dry-run on a real app: `wf build` (standalone), then one Lambda
// file bundled from the app's flow/step bundles, this package's handler and
// world, zipped. The bundle loads and answers an (empty) SQS batch.
import { cp, mkdtemp, readFile, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { unzipSync } from 'fflate';
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

it('builds with wf build, bundles, zips, and writes only build output', async () => {
  const notes: string[] = [];
  const result = await deploy({ projectDir: project, outDir: join(project, '.aws-workflow'), build: true, dryRun: true, modules, note: (l) => notes.push(l) });

  expect(notes).toContain('building workflows with `wf build` (standalone)');
  expect(result.source).toMatchObject({ built: true, flow: join(project, '.well-known', 'workflow', 'v1', 'flow.js') });
  const zip = unzipSync(new Uint8Array(await readFile(result.zip.path)));
  expect(Object.keys(zip)).toEqual(['index.mjs']);
  expect(result.zip.bytes).toBeLessThan(50 * 1024 * 1024);
  // The app's sources are untouched; new files are wf build's output and ours.
  expect((await readFile(join(project, 'workflows', 'greet.ts'), 'utf8')).includes("'use workflow'")).toBe(true);
  const top = (await readdir(project)).sort();
  expect(top).toEqual(['.aws-workflow', '.gitignore', '.swc', '.well-known', 'node_modules', 'package.json', 'workflows']);

  // The bundled Lambda loads with the world it was given and handles a batch.
  const saved = { consumer: process.env.WORKFLOW_AWS_CONSUMER, region: process.env.AWS_REGION };
  process.env.WORKFLOW_AWS_CONSUMER = 'lambda';
  process.env.AWS_REGION = 'us-east-1';
  try {
    const mod = (await import(join(project, '.aws-workflow', 'build', 'index.mjs'))) as { handler: (e: unknown) => Promise<unknown> };
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
