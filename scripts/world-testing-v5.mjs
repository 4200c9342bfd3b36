// The World contract tests of @workflow/world-testing@5.0.0-beta.35 against
// @workflow/world-aws/v5: on the memory adapters, then on the embedded local
// AWS. test/world-testing-v5 has its own package.json and lock (workflow@5
// must not meet the 4.x devDependencies); it is installed with `npm ci`
// unless its node_modules already matches the lock. Needs `npm run build`.
// The suite pins workflow@5.0.0-beta.35, whose runtime accepts exactly spec
// version 5: the facade is run with WORKFLOW_AWS_V5_SPEC_VERSION=5.
//   node scripts/world-testing-v5.mjs [memory] [aws]
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { installExample, log, ROOT } from './lib/example-harness.mjs';

const TARGETS = ['memory', 'aws'];
const selected = process.argv.slice(2).length > 0 ? process.argv.slice(2) : TARGETS;
for (const target of selected) if (!TARGETS.includes(target)) throw new Error(`unknown target "${target}"; known: ${TARGETS.join(', ')}`);

const DIR = join(ROOT, 'test', 'world-testing-v5');
const PREFIX = 'world-testing-v5';
const BASE_ENV = { WORKFLOW_AWS_V5_SPEC_VERSION: '5', WORKFLOW_AWS_LOG_LEVEL: 'error' };

function vitest(env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(DIR, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--config', 'vitest.config.mjs'], {
      cwd: DIR,
      env: { ...process.env, ...BASE_ENV, ...env },
      stdio: 'inherit',
    });
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function onLocalAws() {
  const { startLocalAws } = await import(join(ROOT, 'dist', 'infra', 'local-aws', 'index.js'));
  const local = await startLocalAws({ name: 'world-testing-v5' });
  try {
    return await vitest({ ...local.env, WORKFLOW_AWS_ADAPTERS: 'aws' });
  } finally {
    await local.stop();
  }
}

if (await installExample(DIR, PREFIX)) log(PREFIX, 'installed test/world-testing-v5 (npm ci)');
const results = [];
for (const target of selected) {
  const startedAt = Date.now();
  log(PREFIX, `target ${target}`);
  const code = target === 'memory' ? await vitest({ WORKFLOW_AWS_ADAPTERS: 'memory' }) : await onLocalAws();
  results.push({ target, passed: code === 0, seconds: (Date.now() - startedAt) / 1000 });
}
for (const r of results) log(PREFIX, `${r.passed ? 'PASS' : 'FAIL'} ${r.target} (${r.seconds.toFixed(1)} s)`);
process.exit(results.every((r) => r.passed) ? 0 : 1);
