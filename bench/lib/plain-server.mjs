// A plain server for world-postgres, as its README sets it up: the app's
// workflow routes and the control routes the bench drives, in a process whose
// environment is only WORKFLOW_TARGET_WORLD=@workflow/world-postgres,
// WORKFLOW_POSTGRES_URL and PORT. No test seam, no base URL, no other setting;
// the world is started on listen, as world-postgres's docs ask. Its cwd is
// world-postgres's install root, so the runtime resolves the package by name.
//
//   node bench/lib/plain-server.mjs <app dir>   (prints PLAIN_SERVER_READY)
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnServer } from './child-server.mjs';

const READY = 'PLAIN_SERVER_READY';

/** The folder that holds node_modules/@workflow/world-postgres, from the package's own folder. */
export const installRoot = (packageDir) => dirname(dirname(dirname(packageDir)));

/** Starts it as a child process; resolves to { base, stop(), logTail() }, like e2e.mjs's startServer. */
export async function startPlainServer({ appDir, packageDir, postgresUrl, port }) {
  const env = { WORKFLOW_TARGET_WORLD: '@workflow/world-postgres', WORKFLOW_POSTGRES_URL: postgresUrl, PORT: String(port) };
  const server = await spawnServer({ name: 'plain server', args: [fileURLToPath(import.meta.url), appDir], cwd: installRoot(packageDir), env, ready: READY });
  return { ...server, base: `http://127.0.0.1:${port}/__e2e/` };
}

// Child side. Imports are lazy so that the parent does not load the runtime.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const serve = await import(join(root, 'scripts', 'lib', 'serve-workflows.mjs'));
  const { createControlApi } = await import(join(root, 'test', 'e2e', 'harness', 'lib', 'control-api.mjs'));
  const port = Number(process.env.PORT);
  const origin = `http://127.0.0.1:${port}`;
  let control;
  let bundles;
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', origin);
    try {
      if (!bundles) return void res.writeHead(503).end('starting');
      if (await control(req, res, url)) return;
      const handler = serve.isWorkflowRoute(url.pathname) && serve.workflowHandlerFor(bundles, req.method ?? 'GET', url.pathname);
      if (!handler) return void res.writeHead(404).end();
      await serve.sendWebResponse(res, await handler(await serve.toWebRequest(req, origin)));
    } catch (error) {
      console.error(`[plain-server] ${req.method} ${url.pathname} failed:`, error);
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    }
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  const loaded = await serve.loadWorkflowBundles(process.argv[2]);
  const api = await import('workflow/api');
  const runtime = await import('workflow/runtime');
  control = createControlApi({ api, runtime, workflowIds: serve.workflowIdsByName(loaded.manifest) });
  bundles = loaded;
  await runtime.getWorld().start?.();
  const shutdown = async () => {
    server.closeAllConnections();
    await Promise.race([Promise.resolve(runtime.getWorld().close?.()).catch(() => {}), new Promise((r) => setTimeout(r, 5_000).unref())]);
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown());
  process.stdin.on('end', () => void shutdown()).resume(); // the parent went away
  console.log(READY);
}
