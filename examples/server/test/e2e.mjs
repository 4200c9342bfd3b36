// examples/server end to end: its own install, `wf build`, `aws-workflow dev`
// (the embedded local AWS), `node server.mjs`, one signup run through the
// server's API to `completed`, then SIGTERM and a clean exit.
//   node examples/server/test/e2e.mjs   (after `npm run build` at the root)
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { assert, fetchJson, freePort, installExample, log, startDev, startProcess, waitForHttp, waitForRun } from '../../../scripts/lib/example-harness.mjs';

const APP = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const say = (line) => log('example:server', line);
const startedAt = Date.now();

await installExample(APP, 'example:server');
await promisify(execFile)(process.execPath, [join(APP, 'node_modules', 'workflow', 'bin', 'run.js'), 'build'], { cwd: APP, maxBuffer: 16 * 1024 * 1024 });
say('wf build done');

const dev = await startDev('signup-server');
let server;
try {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  server = startProcess('server', process.execPath, ['server.mjs'], {
    cwd: APP,
    env: { ...process.env, ...dev.env, PORT: String(port), WORKFLOW_AWS_SIGNING_SECRET: randomBytes(32).toString('hex') },
  });
  await waitForHttp(`${base}/`, 60_000, server);

  const { runId } = await fetchJson(`${base}/api/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'ada@example.com' }),
  });
  const run = await waitForRun(base, runId, 60_000);
  assert(run.status === 'completed', `run ${runId} completed (got ${JSON.stringify(run)})`);
  assert(run.output?.status === 'onboarded' && typeof run.output.userId === 'string', `output is { userId, status: 'onboarded' }: ${JSON.stringify(run.output)}`);
  say(`run ${runId} completed: ${JSON.stringify(run.output)}`);

  const stopped = await server.stop('SIGTERM');
  assert(stopped.code === 0, `server exits 0 on SIGTERM (got ${stopped.code ?? stopped.signal}):\n${server.output()}`);
  say(`SIGTERM → exit 0 in ${stopped.ms} ms`);
} catch (error) {
  if (server) console.error(`[example:server] server output:\n${server.output()}`);
  throw error;
} finally {
  await server?.stop('SIGKILL');
  await dev.stop();
}
say(`passed in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
