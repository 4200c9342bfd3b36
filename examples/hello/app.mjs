// A minimal app on @workflow/world-aws: serve the `wf build` bundles on
// 127.0.0.1, start the world's consumer, start one run, print its return
// value, shut down. The world comes from the environment (WORKFLOW_TARGET_WORLD
// and WORKFLOW_AWS_*); scripts/run-example.mjs sets it up.
import { createServer } from 'node:http';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  loadWorkflowBundles,
  sendWebResponse,
  toWebRequest,
  workflowHandlerFor,
  workflowIdsByName,
} from '../../scripts/lib/serve-workflows.mjs';

const appDir = dirname(fileURLToPath(import.meta.url));
let bundles;
let origin = 'http://127.0.0.1';

// Any HTTP framework works; the world only needs POST /.well-known/workflow/v1/{flow,step}.
const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', origin);
  const handler = bundles && workflowHandlerFor(bundles, req.method ?? 'GET', url.pathname);
  if (!handler) return void res.writeHead(bundles ? 404 : 503).end();
  try {
    await sendWebResponse(res, await handler(await toWebRequest(req, origin)));
  } catch (error) {
    console.error(`${req.method} ${url.pathname} failed:`, error);
    if (!res.headersSent) res.writeHead(500).end();
    else res.destroy();
  }
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
origin = `http://127.0.0.1:${server.address().port}`;
// The world reads where to deliver messages when it is created (while the bundles load).
process.env.WORKFLOW_AWS_BASE_URL = origin;

bundles = await loadWorkflowBundles(appDir);
const { start } = await import('workflow/api');
const { getWorld } = await import('workflow/runtime');
const world = getWorld();

async function shutdown(code) {
  await world.close?.();
  server.closeAllConnections();
  server.close();
  process.exit(code);
}
process.on('SIGTERM', () => void shutdown(143));
process.on('SIGINT', () => void shutdown(130));

try {
  await world.start?.(); // the in-process consumer (WORKFLOW_AWS_CONSUMER=process)
  // Without a framework plugin there is no client transform, so name the workflow by its id.
  const workflowId = workflowIdsByName(bundles.manifest).get('hello');
  const startedAt = Date.now();
  const run = await start({ workflowId }, [process.env.EXAMPLE_NAME ?? 'AWS']);
  console.log(`started ${run.runId} on deployment ${await world.getDeploymentId()}`);
  const value = await run.returnValue;
  console.log(`status: ${await run.status}`);
  console.log(`returnValue: ${JSON.stringify(value)} (${Date.now() - startedAt} ms)`);
  await shutdown(0);
} catch (error) {
  console.error('example failed:', error);
  await shutdown(1);
}
