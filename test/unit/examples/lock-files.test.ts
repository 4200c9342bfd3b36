// Each example depends on this package by path (file:../..), and its lock file
// records this package's dependencies. When they differ from package.json,
// `npm install` in the example rewrites the committed lock file (and `npm ci`
// refuses it): this fails first, naming the example and the fix.
import { readFile } from 'node:fs/promises';

type Manifest = Record<'dependencies' | 'devDependencies' | 'peerDependencies' | 'peerDependenciesMeta', Record<string, unknown> | undefined> & {
  version?: string;
};

const FIELDS = ['version', 'dependencies', 'devDependencies', 'peerDependencies', 'peerDependenciesMeta'] as const;

// test/e2e-v5 is the workflow@5 line's installation, linked the same way.
it.each(['examples/server', 'examples/nextjs', 'test/e2e-v5'])('%s/package-lock.json records this package as package.json declares it', async (example) => {
  const root = JSON.parse(await readFile('package.json', 'utf8')) as Manifest;
  const lock = JSON.parse(await readFile(`${example}/package-lock.json`, 'utf8')) as { packages: Record<string, Manifest> };
  const recorded = lock.packages['../..'];
  expect(recorded).toBeDefined();
  const pick = (m: Manifest) => Object.fromEntries(FIELDS.map((f) => [f, m[f]]));
  // On failure: run `npm install` in that directory and commit its package-lock.json.
  expect({ example, ...pick(recorded!) }).toEqual({ example, ...pick(root) });
});
