// E2E harness server, run as a child process with cwd = a built workflow app.
// Serves the app's workflow routes on 127.0.0.1 (ephemeral port) plus the
// control API (lib/control-api.mjs), starts the world once listening, and
// prints `E2E_SERVER_READY {"port":N}` on stdout. SIGTERM/SIGINT (or stdin EOF
// when E2E_EXIT_ON_STDIN_EOF=1, i.e. the parent died) close the world and exit.
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import {
  isWorkflowRoute,
  loadWorkflowBundles,
  sendWebResponse,
  toWebRequest,
  workflowHandlerFor,
  workflowIdsByName,
} from '../../../scripts/lib/serve-workflows.mjs';
import { createControlApi } from './lib/control-api.mjs';
import { startLambdaBridge } from '../../../scripts/lib/sqs-lambda-bridge.mjs';

async function startLambdaBridgeFor(loaded) {
  // E2E_WORLD_ENTRY: the package's entry when WORKFLOW_TARGET_WORLD is a test seam wrapping it.
  const wrapped = process.env.E2E_WORLD_ENTRY;
  const worldModule = wrapped ?? process.env.WORKFLOW_TARGET_WORLD;
  const { createLambdaHandler } = await import(new URL('lambda/index.js', new URL(`file://${worldModule}`)).href);
  // Unwrapped, the handler builds its world as it does on Lambda; wrapped, it gets the seam's world.
  const world = wrapped ? createRequire(import.meta.url)(process.env.WORKFLOW_TARGET_WORLD)() : undefined;
  const handler = createLambdaHandler({ flow: loaded.flow.POST, step: loaded.step.POST, world });
  return startLambdaBridge({
    handler,
    queueUrls: { workflow: process.env.WORKFLOW_AWS_WORKFLOW_QUEUE_URL, step: process.env.WORKFLOW_AWS_STEP_QUEUE_URL },
    endpoint: process.env.AWS_ENDPOINT_URL_SQS,
    region: process.env.AWS_REGION,
    log: (line) => console.error(`[lambda-bridge] ${line}`),
  });
}

const appDir = process.cwd();
let bundles;
let control;
let origin = 'http://127.0.0.1';
/** Deliveries per workflow route (flow = workflow replays, step = step handler calls), read by the fan-out bench. */
const routeCalls = { flow: 0, step: 0 };

/** The runtime's handler calls, in process too, when the world is the counting seam (counting-world.cjs). */
function countedHandlerCalls() {
  if (!process.env.E2E_WORLD_ENTRY) return undefined;
  return createRequire(import.meta.url)(process.env.WORKFLOW_TARGET_WORLD).handlerCalls;
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', origin);
  try {
    if (!bundles) {
      res.writeHead(503).end('starting');
      return;
    }
    if (url.pathname === '/__e2e/route-calls') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ...routeCalls, handlers: countedHandlerCalls() }));
      return;
    }
    if (await control(req, res, url)) return;
    if (url.pathname.endsWith('/v1/flow')) routeCalls.flow++;
    else if (url.pathname.endsWith('/v1/step')) routeCalls.step++;
    const handler = isWorkflowRoute(url.pathname) && workflowHandlerFor(bundles, req.method ?? 'GET', url.pathname);
    if (!handler) {
      res.writeHead(404).end();
      return;
    }
    await sendWebResponse(res, await handler(await toWebRequest(req, origin)));
  } catch (error) {
    console.error(`[e2e-server] ${req.method} ${url.pathname} failed:`, error);
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

// Every world reads its queue-delivery address from env when it is created,
// which happens while the bundles load, so set it first.
process.env.PORT = String(port);
process.env.WORKFLOW_LOCAL_BASE_URL = origin;
// E2E_DELIVERY_BASE_URL: a test's recording proxy in front of this server.
process.env.WORKFLOW_AWS_BASE_URL = process.env.E2E_DELIVERY_BASE_URL ?? origin;

const loaded = await loadWorkflowBundles(appDir);
const api = await import('workflow/api');
const runtime = await import('workflow/runtime');
const { getWorld } = runtime;
control = createControlApi({ api, runtime, workflowIds: workflowIdsByName(loaded.manifest) });
bundles = loaded;
await getWorld().start?.();
// The aws-lambda target: no in-process consumer; batches go through the Lambda handler.
const lambdaBridge = process.env.E2E_LAMBDA_BRIDGE === '1' ? await startLambdaBridgeFor(loaded) : undefined;

let stopping = false;
async function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  const closed = new Promise((resolve) => server.close(resolve));
  server.closeAllConnections();
  const timeout = new Promise((resolve) => setTimeout(resolve, 5_000).unref());
  try {
    await Promise.race([Promise.all([closed, lambdaBridge?.stop(), getWorld().close?.()]), timeout]);
  } catch (error) {
    console.error(`[e2e-server] shutdown after ${signal} failed:`, error);
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
