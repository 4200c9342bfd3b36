// The generated Lambda entry's routes: each loads its route file once, on its
// first request or earlier through `preload` (the handler starts it with a
// batch's first requests).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { entrySource, ROUTE_FILES } from '../../../src/cli/deploy/bundle.js';

type Route = ((request: Request) => Promise<Response>) & { preload(): Promise<unknown> };
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lambda-entry-'));
  await writeFile(join(dir, 'world.mjs'), 'export const world = {};\n');
  // The handler module records the routes the entry gives it.
  await writeFile(join(dir, 'handler.mjs'), 'export const createLambdaHandler = (options) => { globalThis.__entryRoutes = options; return () => undefined; };\n');
  await writeFile(join(dir, 'entry.mjs'), entrySource({ handler: './handler.mjs', world: './world.mjs' }));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function routes(): Promise<{ flow: Route; step: Route }> {
  await import(pathToFileURL(join(dir, 'entry.mjs')).href);
  return (globalThis as unknown as { __entryRoutes: { flow: Route; step: Route } }).__entryRoutes;
}

it('preload() loads the route file once; requests then use it', async () => {
  await writeFile(join(dir, ROUTE_FILES.flow), 'globalThis.__flowLoads = (globalThis.__flowLoads ?? 0) + 1;\nexport const POST = async () => new Response("flow");\n');
  const { flow } = await routes();
  await Promise.all([flow.preload(), flow.preload()]);
  expect(await (await flow(new Request('http://x/'))).text()).toBe('flow');
  expect((globalThis as unknown as { __flowLoads: number }).__flowLoads).toBe(1);
});

it('a route file without POST fails preload and every request with a message naming the route', async () => {
  await writeFile(join(dir, ROUTE_FILES.step), 'export const GET = () => undefined;\n');
  const { step } = await routes();
  await expect(step.preload()).rejects.toThrow('aws-workflow: the step bundle exports no POST handler');
  await expect(step(new Request('http://x/'))).rejects.toThrow('aws-workflow: the step bundle exports no POST handler');
});
