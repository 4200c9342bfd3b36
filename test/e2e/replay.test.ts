// A signed HTTP delivery captured on the wire and sent again within the
// signature's tolerance is refused, and the step body does not run again.
// A recording proxy sits between the world's consumer and the app's routes.
// The step runs in the process that created it (no step delivery on the
// wire), so the delivery captured is the run's workflow delivery.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureWorkflowsBuilt } from '../../scripts/lib/build-workflows.mjs';
import { startHarnessServer, type HarnessServer } from './harness/server-process.js';
import { selectedTargets, type TargetRuntime } from './harness/targets.js';
import { FIXTURE_APP } from './harness/world-suite.js';

// Any target that delivers over HTTP (not the Lambda bridge, not world-local).
const target = selectedTargets().find((t) => t.name === 'memory' || t.name === 'aws');

interface Captured {
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  status: number;
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Forwards to `upstream()` and records each delivery with the app's answer. */
function recordingProxy(upstream: () => string, captured: Captured[]): Promise<{ server: Server; url: string }> {
  const server = createServer(async (req, res) => {
    try {
      const body = await readAll(req);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === 'string' && !['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive'].includes(name)) headers[name] = value;
      }
      const response = await fetch(`${upstream()}${req.url}`, { method: req.method, headers, body: new Uint8Array(body) });
      const text = await response.text();
      if (req.url?.endsWith('/step') || req.url?.endsWith('/flow')) captured.push({ path: req.url, headers, body, status: response.status });
      res.writeHead(response.status, { 'content-type': response.headers.get('content-type') ?? 'application/json' }).end(text);
    } catch (error) {
      res.writeHead(502).end(String(error));
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` })));
}

(target ? describe : describe.skip)(`replayed signed delivery [${target?.name}]`, () => {
  let runtime: TargetRuntime | undefined;
  let app: HarnessServer | undefined;
  let proxy: { server: Server; url: string } | undefined;
  let dir: string | undefined;

  beforeAll(async () => {
    await ensureWorkflowsBuilt(FIXTURE_APP);
    runtime = await target!.start();
  }, 240_000);

  afterAll(async () => {
    await app?.stop();
    await new Promise((resolve) => (proxy ? proxy.server.close(resolve) : resolve(undefined)));
    proxy?.server.closeAllConnections();
    await runtime?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 30_000);

  test('the replay gets 409 and nothing runs again: the step body ran exactly once', async () => {
    dir = await mkdtemp(join(tmpdir(), 'e2e-replay-'));
    const stepLog = join(dir, 'steps.log');
    const captured: Captured[] = [];
    proxy = await recordingProxy(() => app!.baseUrl, captured);
    app = await startHarnessServer({ appDir: FIXTURE_APP, env: { ...runtime!.env, E2E_DELIVERY_BASE_URL: proxy.url, E2E_STEP_LOG: stepLog } });

    const runId = await app.client.start('countedOnce', ['first']);
    expect(await app.client.outcome(runId, 60_000)).toEqual({ outcome: 'completed', value: 'ran first' });
    const ran = captured.find((c) => c.status === 200);
    expect(ran).toBeDefined();
    expect((await readFile(stepLog, 'utf8')).split('\n').filter(Boolean)).toEqual(['first']);

    // The same bytes again, straight to the app, well within the 300 s tolerance.
    const replay = await fetch(`${app.baseUrl}${ran!.path}`, { method: 'POST', headers: ran!.headers, body: new Uint8Array(ran!.body) });
    expect(replay.status).toBe(409);
    expect(await replay.json()).toEqual({ error: 'Replayed delivery' });
    // Give a wrongly accepted replay time to run before counting again.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await readFile(stepLog, 'utf8')).split('\n').filter(Boolean)).toEqual(['first']);
  }, 180_000);
});
