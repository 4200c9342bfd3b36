// The tests' remote control: every operation goes through the official
// `workflow/api` (start, getRun, resumeHook) of this process, which is also
// the process whose world delivers the runs (required by in-memory adapters).
// The 5 line's server (test/e2e-v5) passes its own `workflow/errors` and health check.
import * as errors4x from 'workflow/errors';
import { encodeJson } from './codec.mjs';

const PREFIX = '/__e2e/';

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function sendJson(res, status, value) {
  const body = encodeJson(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

async function readJson(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
}

function describeError(error) {
  return { name: error?.name ?? 'Error', message: error?.message ?? String(error), code: error?.code };
}

/** Waits for the run's terminal state through `run.returnValue` (which polls every second). */
async function outcome(run, timeoutMs, { WorkflowRunCancelledError, WorkflowRunFailedError }) {
  const timedOut = Symbol('timeout');
  let timer;
  const deadline = new Promise((resolve) => {
    timer = setTimeout(() => resolve(timedOut), timeoutMs);
  });
  try {
    const value = await Promise.race([run.returnValue, deadline]);
    if (value === timedOut) return { outcome: 'timeout', status: await run.status };
    return { outcome: 'completed', value };
  } catch (error) {
    if (WorkflowRunFailedError.is(error)) return { outcome: 'failed', error: describeError(error.cause) };
    if (WorkflowRunCancelledError.is(error)) return { outcome: 'cancelled' };
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** Streams the run's default stream as NDJSON, one line per chunk, live until EOF. */
async function pipeRunStream(run, startIndex, res) {
  const reader = run.getReadable(startIndex === undefined ? {} : { startIndex }).getReader();
  const onClose = () => reader.cancel().catch(() => {});
  res.on('close', onClose);
  try {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.flushHeaders();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(`${encodeJson(value)}\n`)) await new Promise((r) => res.once('drain', r));
    }
    res.end();
  } finally {
    res.off('close', onClose);
  }
}

async function tailIndex(run) {
  const readable = run.getReadable();
  try {
    return await readable.getTailIndex();
  } finally {
    await readable.cancel().catch(() => {});
  }
}

/**
 * Returns `handle(req, res, url)`: true when the request was a control route.
 * `api` is `workflow/api`, `runtime` is `workflow/runtime` (for healthCheck);
 * `workflowIds` maps exported names to workflowIds; `errors` is the line's
 * `workflow/errors`, `health(endpoint)` its health check (4.x's by default).
 */
export function createControlApi({ api, runtime, workflowIds, errors = errors4x, health }) {
  const { HookNotFoundError, WorkflowRunNotFoundError } = errors;
  const healthCheck = health ?? ((endpoint) => runtime.healthCheck(runtime.getWorld(), endpoint, { timeout: 30_000 }));
  const routes = [
    ['POST', /^start$/, async ({ body }) => {
      const workflowId = workflowIds.get(body.workflow);
      if (!workflowId) throw new HttpError(400, `unknown workflow "${body.workflow}"`);
      const run = await api.start({ workflowId }, body.args ?? []);
      return { runId: run.runId };
    }],
    ['GET', /^runs\/([^/]+)\/status$/, async ({ m }) => ({ status: await api.getRun(m[1]).status })],
    ['POST', /^runs\/([^/]+)\/outcome$/, async ({ m, body }) => outcome(api.getRun(m[1]), body.timeoutMs ?? 60_000, errors)],
    ['POST', /^runs\/([^/]+)\/cancel$/, async ({ m }) => {
      await api.getRun(m[1]).cancel();
      return {};
    }],
    ['GET', /^runs\/([^/]+)\/tail$/, async ({ m }) => ({ tailIndex: await tailIndex(api.getRun(m[1])) })],
    // What `workflow health` does: a message through the queue, answered on a stream.
    ['POST', /^health\/(workflow|step)$/, async ({ m }) => healthCheck(m[1])],
    ['POST', /^hooks\/resume$/, async ({ body }) => {
      const hook = await api.resumeHook(body.token, body.payload);
      return { runId: hook.runId };
    }],
  ];

  return async function handle(req, res, url) {
    if (!url.pathname.startsWith(PREFIX)) return false;
    const path = url.pathname.slice(PREFIX.length);
    try {
      const stream = req.method === 'GET' && /^runs\/([^/]+)\/stream$/.exec(path);
      if (stream) {
        const raw = url.searchParams.get('startIndex');
        await pipeRunStream(api.getRun(stream[1]), raw === null ? undefined : Number(raw), res);
        return true;
      }
      for (const [method, pattern, fn] of routes) {
        const m = req.method === method && pattern.exec(path);
        if (m) {
          sendJson(res, 200, await fn({ m, body: method === 'POST' ? await readJson(req) : {} }));
          return true;
        }
      }
      throw new HttpError(404, `no control route ${req.method} ${url.pathname}`);
    } catch (error) {
      const status =
        error instanceof HttpError ? error.status
        : HookNotFoundError.is(error) || WorkflowRunNotFoundError.is(error) ? 404
        : 500;
      if (!res.headersSent) sendJson(res, status, { error: describeError(error) });
      else res.destroy(error);
      return true;
    }
  };
}
