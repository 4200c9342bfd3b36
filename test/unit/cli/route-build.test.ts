// The route build drives the app's own @workflow/builders as the framework
// integrations do. A stand-in builders module records what it is asked for:
// the 4.x builder writes a flow and a step route, the 5 builder (it has
// createCombinedBundle) one merged route whose step registrations are not
// named step.mjs (a step route would mean a 4.x build).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { resolveProjectBuilders, ROUTE_BUILD_SOURCE, ROUTES_DIR, V5_STEP_REGISTRATIONS_FILE } from '../../../src/cli/deploy/route-build.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'route-build-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A BaseBuilder stand-in; `combined` adds the 5 line's createCombinedBundle. */
function fakeBuilders(combined: boolean): string {
  return `
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
const calls = [];
const record = (name, options) => { calls.push({ name, ...options, inputFiles: undefined }); writeFileSync(join(process.cwd(), 'calls.json'), JSON.stringify({ config, calls })); };
let config;
export class BaseBuilder {
  constructor(c) { config = c; this.config = c; }
  resolvePath(p) { return join(this.config.workingDir, p); }
  async getInputFiles() { return ['workflows/a.ts']; }
  async findTsConfigPath() { return undefined; }
  async createStepsBundle(o) { record('createStepsBundle', o); }
  async createWorkflowsBundle(o) { record('createWorkflowsBundle', o); }
  ${combined ? 'async createCombinedBundle(o) { record("createCombinedBundle", o); }' : ''}
}
`;
}

async function run(combined: boolean): Promise<{ config: Record<string, unknown>; calls: Array<Record<string, unknown>> }> {
  const builders = join(dir, 'builders.mjs');
  await writeFile(builders, fakeBuilders(combined));
  await new Promise<void>((done, fail) =>
    execFile(process.execPath, ['--input-type=module', '--eval', ROUTE_BUILD_SOURCE, pathToFileURL(builders).href], { cwd: dir }, (error, _out, err) =>
      error ? fail(new Error(`${error.message}\n${err}`)) : done(),
    ),
  );
  return JSON.parse(await readFile(join(dir, 'calls.json'), 'utf8'));
}

it('4.x: an unbundled step route (non-step code left to deploy) and an unbundled flow route, as ESM, in the working directory', async () => {
  const { config, calls } = await run(false);
  const out = join(dir, ROUTES_DIR);
  expect(config).toMatchObject({ workingDir: dir, dirs: ['.'], buildTarget: 'standalone' });
  expect(calls).toEqual([
    { name: 'createStepsBundle', format: 'esm', outfile: join(out, 'step.mjs'), externalizeNonSteps: true },
    { name: 'createWorkflowsBundle', format: 'esm', outfile: join(out, 'flow.mjs'), bundleFinalOutput: false },
  ]);
});

it('5: one unbundled merged route, its step registrations in a file that is not step.mjs', async () => {
  const { calls } = await run(true);
  const out = join(dir, ROUTES_DIR);
  expect(V5_STEP_REGISTRATIONS_FILE).not.toBe('step.mjs');
  expect(calls).toEqual([
    {
      name: 'createCombinedBundle',
      format: 'esm',
      stepsOutfile: join(out, V5_STEP_REGISTRATIONS_FILE),
      flowOutfile: join(out, 'flow.mjs'),
      bundleFinalOutput: false,
      externalizeNonSteps: true,
    },
  ]);
});

it("names the missing package when the app has no workflow installed", async () => {
  await writeFile(join(dir, 'package.json'), '{}');
  expect(() => resolveProjectBuilders(dir)).toThrow(/The "workflow" package is not installed in .*pass --workflow-dir/);
});

it("finds the builder of this repository's workflow (4.8.9)", () => {
  expect(resolveProjectBuilders(process.cwd())).toMatch(/[\\/]@workflow[\\/]builders[\\/]dist[\\/]index\.js$/);
});
