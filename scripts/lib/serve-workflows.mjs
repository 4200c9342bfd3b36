// Serves an app's `wf build` bundles on a plain node:http server: loads
// flow.js/step.js/webhook.js and routes /.well-known/workflow/v1/* to their
// Web-standard handlers. Shared by the e2e harness server and the examples.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROUTE_BASE = '/.well-known/workflow/v1/';
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection']);

/**
 * Loads the bundles. flow.js and step.js call the world's createQueueHandler
 * at load time, so the world's env (base URL, adapters) must be final first.
 * webhook.js is ESM; build-workflows.mjs gives it a webhook.mjs twin.
 */
export async function loadWorkflowBundles(appDir) {
  const dir = resolve(appDir, '.well-known', 'workflow', 'v1');
  const load = createRequire(join(dir, 'index.js'));
  return {
    flow: load('./flow.js'),
    step: load('./step.js'),
    webhook: await import(pathToFileURL(join(dir, 'webhook.mjs')).href),
    manifest: JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')),
  };
}

/** workflowId by exported function name (`addition` → `workflow//./workflows/basics//addition`). */
export function workflowIdsByName(manifest) {
  const ids = new Map();
  for (const [file, workflows] of Object.entries(manifest.workflows ?? {})) {
    for (const [name, { workflowId }] of Object.entries(workflows)) {
      if (ids.has(name)) throw new Error(`workflow name "${name}" is exported twice (${file}); names must be unique`);
      ids.set(name, workflowId);
    }
  }
  return ids;
}

/** The bundle handler for a request, or undefined when the path is not a workflow route. */
export function workflowHandlerFor(bundles, method, pathname) {
  if (!pathname.startsWith(ROUTE_BASE)) return undefined;
  const rest = pathname.slice(ROUTE_BASE.length);
  const bundle = rest === 'flow' ? bundles.flow : rest === 'step' ? bundles.step : rest.startsWith('webhook/') ? bundles.webhook : undefined;
  return bundle?.[method];
}

export function isWorkflowRoute(pathname) {
  return pathname.startsWith(ROUTE_BASE);
}

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** node:http request → Web Request (body buffered: queue messages are small). */
export async function toWebRequest(req, origin) {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  return new Request(new URL(req.url ?? '/', origin), {
    method: req.method,
    headers,
    body: hasBody ? await readBody(req) : undefined,
  });
}

/** Web Response → node:http response, streaming the body. */
export async function sendWebResponse(res, response) {
  const headers = {};
  response.headers.forEach((value, name) => {
    if (!HOP_BY_HOP.has(name)) headers[name] = value;
  });
  res.writeHead(response.status, headers);
  if (response.body) {
    for await (const chunk of response.body) res.write(chunk);
  }
  res.end();
}
