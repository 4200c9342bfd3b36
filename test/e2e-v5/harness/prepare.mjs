// Prepares the workflow@5 line's app: `npm ci` in test/e2e-v5 (its own
// package.json and lock file, so `workflow` there is 5.0.0-beta.55 while the
// root has 4.8.9), a copy of the fixture workflows (test/e2e/fixtures/app) in
// test/e2e-v5/app, built there with the 5 builder. Each step is skipped when
// current, so the suites, the fault suite and the bench share one build.
//   node test/e2e-v5/harness/prepare.mjs
import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installExample } from '../../../scripts/lib/example-harness.mjs';
import { ensureWorkflowsBuilt } from '../../../scripts/lib/build-workflows.mjs';

export const V5_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const V5_APP = join(V5_DIR, 'app');
const FIXTURE_APP = resolve(V5_DIR, '..', 'e2e', 'fixtures', 'app');
const COPIED = ['workflows', 'shared'];

/** The fixture sources, copied with their mtimes (so an unchanged copy needs no rebuild). */
async function copyFixture() {
  await mkdir(V5_APP, { recursive: true });
  const manifest = '{ "name": "world-aws-e2e-v5-app", "private": true, "type": "module" }\n';
  const manifestPath = join(V5_APP, 'package.json');
  if ((await readFile(manifestPath, 'utf8').catch(() => '')) !== manifest) await writeFile(manifestPath, manifest);
  for (const dir of COPIED) {
    await rm(join(V5_APP, dir), { recursive: true, force: true });
    await cp(join(FIXTURE_APP, dir), join(V5_APP, dir), { recursive: true, preserveTimestamps: true });
  }
}

/** Installs the 5 line (npm ci when the lock file changed) and builds the app; returns the app dir. */
export async function prepareV5App({ log = (line) => console.log(`[e2e-v5] ${line}`) } = {}) {
  if (await installExample(V5_DIR, 'e2e-v5')) log('installed test/e2e-v5 (npm ci)');
  await copyFixture();
  const startedAt = Date.now();
  if (await ensureWorkflowsBuilt(V5_APP, { workflowDir: join(V5_DIR, 'node_modules', 'workflow') })) {
    log(`built the fixture workflows with workflow@5 in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
  }
  return V5_APP;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await prepareV5App();
}
