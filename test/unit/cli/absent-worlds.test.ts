// The route bundles leave out the Vercel and local worlds the Workflow runtime
// imports statically: the runtime's imports get a module whose functions throw
// a named error, while the app's own imports keep the real package.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { ABSENT_WORLD_EXPORTS, ABSENT_WORLD_PACKAGES, absentWorldSource, absentWorlds } from '../../../src/cli/deploy/absent-worlds.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'absent-worlds-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function put(path: string, text: string): Promise<void> {
  await mkdir(dirname(join(dir, path)), { recursive: true });
  await writeFile(join(dir, path), text);
}

async function bundle(entry: string): Promise<Record<string, () => unknown>> {
  const out = join(dir, 'out.mjs');
  await build({ entryPoints: [join(dir, entry)], outfile: out, bundle: true, platform: 'node', format: 'esm', logLevel: 'silent', plugins: [absentWorlds] });
  return (await import(pathToFileURL(out).href)) as Record<string, () => unknown>;
}

async function fakePackages(): Promise<void> {
  for (const pkg of ABSENT_WORLD_PACKAGES) {
    await put(`node_modules/${pkg}/package.json`, JSON.stringify({ name: pkg, type: 'module', main: 'index.js' }));
    await put(`node_modules/${pkg}/index.js`, `export const createLocalWorld = () => 'real ${pkg}';\nexport const createVercelWorld = createLocalWorld;\n`);
  }
  await put('node_modules/@workflow/core/package.json', JSON.stringify({ name: '@workflow/core', type: 'module' }));
  await put(
    'node_modules/@workflow/core/dist/runtime/world.js',
    "import { createLocalWorld } from '@workflow/world-local';\nimport { createVercelWorld } from '@workflow/world-vercel';\nexport const local = () => createLocalWorld();\nexport const vercel = () => createVercelWorld();\n",
  );
}

it("replaces the runtime's imports with functions that throw an error naming the package and the call", async () => {
  await fakePackages();
  await put('app.mjs', "export { local, vercel } from './node_modules/@workflow/core/dist/runtime/world.js';\n");
  const mod = await bundle('app.mjs');
  expect(() => mod.local!()).toThrow(/^aws-workflow: @workflow\/world-local is not in the Lambda package .*called its createLocalWorld\(\)/);
  expect(() => mod.vercel!()).toThrow(/^aws-workflow: @workflow\/world-vercel is not in the Lambda package .*called its createVercelWorld\(\)/);
});

it("leaves the app's own imports of the same packages alone", async () => {
  await fakePackages();
  await put('app.mjs', "import { createLocalWorld } from '@workflow/world-local';\nexport const mine = () => createLocalWorld();\n");
  const mod = await bundle('app.mjs');
  expect(mod.mine!()).toBe('real @workflow/world-local');
});

it('exports every name either line of the runtime imports (4.x createLocalWorld/createVercelWorld, 5 createWorld)', () => {
  for (const pkg of ABSENT_WORLD_PACKAGES) {
    const source = absentWorldSource(pkg);
    for (const name of ABSENT_WORLD_EXPORTS) expect(source).toContain(`export function ${name}()`);
  }
});
