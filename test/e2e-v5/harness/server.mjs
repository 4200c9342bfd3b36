// The workflow@5 line's harness server, run as a child process with cwd = the
// built 5 app (test/e2e-v5/app). It resolves `workflow` from test/e2e-v5's own
// installation (5.0.0-beta.55). Same protocol as test/e2e/harness/server.mjs
// (control API, `E2E_SERVER_READY {"port":N}`, SIGTERM / stdin EOF shutdown),
// with the 5 builder's output: one merged route, flow.mjs, serves every queue
// delivery (steps run there too); webhook.mjs serves webhooks. The world is
// chosen at run time by WORKFLOW_TARGET_WORLD, as on 4.x.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isWorkflowRoute, sendWebResponse, toWebRequest, workflowIdsByName } from '../../../scripts/lib/serve-workflows.mjs';
import { createControlApi } from '../../e2e/harness/lib/control-api.mjs';

const ROUTE_BASE = '/.well-known/workflow/v1/';
const appDir = process.cwd();
let routes;
let control;
let origin = 'http://127.0.0.1';
/** Deliveries to the merged route (the 5 line has no step route: `step` stays 0). */
const routeCalls = { flow: 0, step: 0 };

async function loadBundles(dir) {
  const bundleDir = join(dir, '.well-known', 'workflow', 'v1');
  return {
    flow: await import(pathToFileURL(join(bundleDir, 'flow.mjs')).href),
    webhook: await import(pathToFileURL(join(bundleDir, 'webhook.mjs')).href),
    manifest: JSON.parse(readFileSync(join(bundleDir, 'manifest.json'), 'utf8')),
  };
}

function handlerFor(bundles, method, pathname) {
  const rest = pathname.slice(ROUTE_BASE.length);
  const bundle = rest === 'flow' ? bundles.flow : rest.startsWith('webhook/') ? bundles.webhook : undefined;
  return bundle?.[method];
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', origin);
  try {
    if (!routes) {
      res.writeHead(503).end('starting');
      return;
    }
    if (url.pathname === '/__e2e/route-calls') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(routeCalls));
      return;
    }
    if (await control(req, res, url)) return;
    if (url.pathname.endsWith('/v1/flow')) routeCalls.flow++;
    const handler = isWorkflowRoute(url.pathname) && handlerFor(routes, req.method ?? 'GET', url.pathname);
    if (!handler) {
      res.writeHead(404).end();
      return;
    }
    await sendWebResponse(res, await handler(await toWebRequest(req, origin)));
  } catch (error) {
    console.error(`[e2e-v5-server] ${req.method} ${url.pathname} failed:`, error);
    if (!res.headersSent) res.writeHead(500).end();
    else res.destroy();
  }
});

await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(Number(process.env.E2E_PORT ?? 0), '127.0.0.1', resolve);
});
const { port } = server.address();
origin = `http://127.0.0.1:${port}`;

// Worlds read their delivery address from env when they are created.
process.env.PORT = String(port);
process.env.WORKFLOW_LOCAL_BASE_URL = origin;
process.env.WORKFLOW_AWS_BASE_URL = process.env.E2E_DELIVERY_BASE_URL ?? origin;

const loaded = await loadBundles(appDir);
const api = await import('workflow/api');
const runtime = await import('workflow/runtime');
const errors = await import('workflow/errors');
const world = await runtime.getWorld();
control = createControlApi({
  api,
  runtime,
  workflowIds: workflowIdsByName(loaded.manifest),
  errors,
  // 5 has one route: the check goes through the flow handler whatever the endpoint.
  health: async () => runtime.healthCheck(await runtime.getWorld(), { timeout: 30_000 }),
});
routes = loaded;
await world.start?.();

let stopping = false;
async function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  const closed = new Promise((resolve) => server.close(resolve));
  server.closeAllConnections();
  const timeout = new Promise((resolve) => setTimeout(resolve, 5_000).unref());
  try {
    await Promise.race([Promise.all([closed, world.close?.()]), timeout]);
  } catch (error) {
    console.error(`[e2e-v5-server] shutdown after ${signal} failed:`, error);
    process.exit(1);
  }
  process.exit(0);
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
if (process.env.E2E_EXIT_ON_STDIN_EOF === '1') {
  process.stdin.on('end', () => void shutdown('stdin EOF')).resume();
}

process.stdout.write(`E2E_SERVER_READY ${JSON.stringify({ port })}\n`);
