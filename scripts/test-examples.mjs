// Runs each example's end-to-end script (examples/*/test/e2e.mjs) in its own
// process; each script installs its example's dependencies first (npm ci, one
// at a time: two at once corrupt each other's reads of npm's cache).
// Part of `npm test`; needs `npm run build` first.
//   node scripts/test-examples.mjs [server] [nextjs]
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './lib/example-harness.mjs';

const ALL = ['server', 'nextjs'];
const selected = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ALL;
for (const name of selected) if (!ALL.includes(name)) throw new Error(`unknown example "${name}"; known: ${ALL.join(', ')}`);

const startedAt = Date.now();

const results = [];
for (const name of selected) {
  const exampleStart = Date.now();
  const code = await new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'examples', name, 'test', 'e2e.mjs')], { cwd: ROOT, stdio: 'inherit' });
    child.once('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0)));
  });
  results.push({ name, passed: code === 0, seconds: (Date.now() - exampleStart) / 1000 });
}
for (const r of results) console.log(`[examples] ${r.passed ? 'PASS' : 'FAIL'} ${r.name} (${r.seconds.toFixed(1)} s)`);
const failed = results.filter((r) => !r.passed).length;
console.log(`[examples] total ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
