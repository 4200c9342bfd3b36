// A plain Node server for workflows on @workflow/world-aws, with no framework:
//   npm run build    # wf build: .well-known/workflow/v1/{flow,step,webhook}.js
//   WORKFLOW_TARGET_WORLD=@workflow/world-aws PORT=3000 node server.mjs
// It serves the workflow routes the world delivers queue messages to, starts
// the world's queue consumer, and closes the world promptly on SIGTERM.
// The world's settings come from the environment (.env.aws, or the output of
// `aws-workflow dev`).
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const bundleDir = join(dirname(fileURLToPath(import.meta.url)), '.well-known', 'workflow', 'v1');
if (!existsSync(join(bundleDir, 'flow.js'))) throw new Error(`${bundleDir}/flow.js is missing: run \`npm run build\` (wf build) first`);

// wf build writes flow.js and step.js as CommonJS. In a "type": "module" app,
// Node would load them as ES modules ("module is not defined in ES module
// scope"), so the bundle directory gets its own package.json saying CommonJS;
// webhook.js is an ES module, so it is loaded through an .mjs copy.
writeFileSync(join(bundleDir, 'package.json'), '{ "type": "commonjs" }\n');
copyFileSync(join(bundleDir, 'webhook.js'), join(bundleDir, 'webhook.mjs'));

// The world reads PORT to address its deliveries: http://127.0.0.1:$PORT.
const port = Number(process.env.PORT ?? 3000);
process.env.PORT = String(port);

// Loading flow.js and step.js registers their handlers with the world.
const load = createRequire(join(bundleDir, 'index.js'));
const routes = {
  flow: load('./flow.js'),
  step: load('./step.js'),
  webhook: await import(pathToFileURL(join(bundleDir, 'webhook.mjs')).href),
};
const manifest = JSON.parse(readFileSync(join(bundleDir, 'manifest.json'), 'utf8'));
const { start, getRun } = await import('workflow/api');
const { getWorld } = await import('workflow/runtime');
const world = getWorld();

/** Without a framework plugin there is no client transform: workflows are started by id. */
function workflowId(name) {
  for (const workflows of Object.values(manifest.workflows ?? {})) {
    if (workflows[name]) return workflows[name].workflowId;
  }
  throw new Error(`no workflow named ${name} in the build`);
}

async function handle(req, res) {
  const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
  const route = url.pathname.match(/^\/\.well-known\/workflow\/v1\/(flow|step|webhook)(?:\/|$)/)?.[1];
  if (route) return send(res, await routes[route][req.method](await toWebRequest(req, url)));

  // The app's own API.
  if (req.method === 'POST' && url.pathname === '/api/signup') {
    const { email } = JSON.parse((await readBody(req)).toString('utf8') || '{}');
    if (typeof email !== 'string' || email === '') return json(res, 400, { error: 'email must be a non-empty string' });
    const run = await start({ workflowId: workflowId('handleUserSignup') }, [email]);
    return json(res, 200, { runId: run.runId });
  }
  const runMatch = url.pathname.match(/^\/api\/runs\/([\w-]+)$/);
  if (req.method === 'GET' && runMatch) {
    const run = getRun(runMatch[1]);
    const status = await run.status;
    return json(res, 200, { runId: run.runId, status, output: status === 'completed' ? await run.returnValue : undefined });
  }
  json(res, 404, { error: 'not found' });
}

const server = createServer((req, res) => {
  handle(req, res).catch((error) => {
    console.error(`${req.method} ${req.url} failed:`, error);
    if (!res.headersSent) json(res, 500, { error: 'internal error' });
    else res.destroy();
  });
});
await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
// Starts the queue consumer, and re-enqueues runs that were active when the server last stopped.
await world.start?.();
console.log(`listening on http://127.0.0.1:${port}`);

let closing = false;
async function shutdown() {
  if (closing) return;
  closing = true;
  // The world stops polling and drains in-flight deliveries, which still need
  // this server; then the server closes.
  await world.close?.();
  server.close();
  server.closeAllConnections();
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

function json(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function toWebRequest(req, url) {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name === 'connection' || name === 'transfer-encoding') continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await readBody(req);
  return new Request(url, { method: req.method, headers, body });
}

async function send(res, response) {
  const headers = {};
  response.headers.forEach((value, name) => {
    if (name !== 'connection' && name !== 'transfer-encoding') headers[name] = value;
  });
  res.writeHead(response.status, headers);
  if (response.body) for await (const chunk of response.body) res.write(chunk);
  res.end();
}
