// A production install leaves out the emulators and esbuild (devDependencies,
// optional peers). So the static import graph of the world and the Lambda
// entry must not reach them, nor the CLI or the local AWS that use them; and
// the `./local` entry must name the install command when they are missing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EMULATOR_INSTALL_COMMAND, EmulatorsMissing, missingEmulators } from '../../src/infra/local-aws/emulators.js';
import { importGraph, staticImports } from '../support/import-graph.js';

const OPTIONAL = ['dynalite', 'fauxqs', 'esbuild'];

const graph = importGraph;

it.each([
  ['src/index.ts', 50],
  ['src/lambda/index.ts', 3],
])('%s imports no emulator, no esbuild, no CLI and no infrastructure code', (entry, atLeast) => {
  const { files, packages } = graph(entry);
  // The walk did follow the graph.
  expect(files.size).toBeGreaterThanOrEqual(atLeast);
  expect([...packages].filter((p) => OPTIONAL.includes(p))).toEqual([]);
  const root = process.cwd();
  expect([...files].map((f) => f.slice(root.length + 1)).filter((f) => f.startsWith(join('src', 'cli')) || f.startsWith(join('src', 'infra')))).toEqual([]);
});

it('the CLI loads esbuild and the local AWS only when deploy or dev needs them', () => {
  for (const file of ['src/cli/deploy/bundle.ts', 'src/cli/operations/dev.ts', 'src/infra/local-aws/fauxqs-server.ts']) {
    expect(staticImports(file).filter((s) => OPTIONAL.includes(s) || s.includes('local-aws/index'))).toEqual([]);
  }
});

it('names the missing emulators and the one command that installs them', () => {
  expect(missingEmulators([])).toEqual(['dynalite', 'fauxqs']);
  expect(missingEmulators([join(process.cwd(), 'node_modules')])).toEqual([]);
  expect(new EmulatorsMissing(['fauxqs']).message).toBe(
    `The embedded local AWS needs fauxqs, which production installs of @workflow/world-aws leave out; install it with: ${EMULATOR_INSTALL_COMMAND}`,
  );
  expect(EMULATOR_INSTALL_COMMAND).toBe('npm install --save-dev dynalite@4.0.0 fauxqs@1.9.2');
});

it('keeps the emulators and esbuild out of the production dependencies, as optional peers', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as Record<string, Record<string, unknown>>;
  for (const name of OPTIONAL) {
    expect(pkg.dependencies![name]).toBeUndefined();
    expect(pkg.devDependencies![name]).toBeDefined();
    expect(pkg.peerDependenciesMeta![name]).toEqual({ optional: true });
  }
});
