// Each facade runs with its own line's packages only: the 5 facade's types
// come from @workflow/world 5 under the `@workflow/world-v5` alias, a
// devDependency, so no runtime import may reach it; the 4.x entry points do
// not load the 5 facade. What a facade does load at run time is a
// production dependency of this package.
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { importGraph } from '../../support/import-graph.js';

/** The graph of `entry`, its files relative to the package root. */
function graph(entry: string): { files: string[]; packages: Set<string> } {
  const { files, packages } = importGraph(entry);
  const root = process.cwd();
  return { files: [...files].map((f) => f.slice(root.length + 1)), packages };
}

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string>; exports: Record<string, unknown> };
const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)].map((m) => m.split('/')[0]!));

it('the 5 facade loads only production dependencies at run time, none of the 5 packages', () => {
  const { files, packages } = graph('src/world-v5/index.ts');
  expect(files.length).toBeGreaterThan(50);
  const foreign = [...packages].filter((p) => !builtins.has(p) && !(p in pkg.dependencies));
  expect(foreign).toEqual([]);
  expect(packages.has('@workflow/world-v5')).toBe(false);
  expect(files.filter((f) => f.startsWith(join('src', 'cli')) || f.startsWith(join('src', 'infra')))).toEqual([]);
});

it('the 5 types come from an alias kept out of the production dependencies', () => {
  expect(pkg.devDependencies['@workflow/world-v5']).toBe('npm:@workflow/world@5.0.0-beta.37');
  expect(pkg.dependencies['@workflow/world-v5']).toBeUndefined();
  expect(pkg.exports['./v5']).toEqual({ types: './dist/world-v5/index.d.ts', default: './dist/world-v5/index.js' });
});

it.each(['src/index.ts', 'src/world/create-world.ts'])('%s (the 4.x facade) does not load the 5 facade', (entry) => {
  const { files, packages } = graph(entry);
  expect(files.filter((f) => f.startsWith(join('src', 'world-v5')))).toEqual([]);
  expect(packages.has('@workflow/world-v5')).toBe(false);
});
