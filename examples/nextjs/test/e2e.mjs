// examples/nextjs end to end, as a user would run it:
//   1. its own install (npm ci), `next build` (withWorkflow builds the workflow routes);
//   2. `aws-workflow dev` (the embedded local AWS) and `next start` against it;
//   3. a signup run through the app's API, to `completed`, with its steps and stream;
//   4. the page in headless Chromium: start a run, see `completed` (screenshot in test-results/);
//   5. SIGTERM: instrumentation.ts closes the world and the server exits 0;
//   6. `aws-workflow deploy --dry-run` zips the Next.js build, and the Lambda
//      runner completes a signup run from that zip.
// Run from the repository root after `npm run build`: node examples/nextjs/test/e2e.mjs
// EXAMPLE_BROWSER=0 skips step 4.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { unzipSync } from 'fflate';
import {
  assert,
  fetchJson,
  freePort,
  installExample,
  log,
  ROOT,
  startDev,
  startProcess,
  waitForHttp,
  waitForRun,
} from '../../../scripts/lib/example-harness.mjs';

const APP = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RESULTS = join(APP, 'test-results');
const run = promisify(execFile);
const say = (line) => log('example:nextjs', line);
const timings = {};
const timed = async (label, fn) => {
  const startedAt = Date.now();
  try {
    return await fn();
  } finally {
    timings[label] = Date.now() - startedAt;
  }
};
const NEXT = join(APP, 'node_modules', 'next', 'dist', 'bin', 'next');
const nextEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
const useBrowser = process.env.EXAMPLE_BROWSER !== '0';

await mkdir(RESULTS, { recursive: true });
await timed('install', () => installExample(APP, 'example:nextjs'));
// After the install: browser.mjs imports playwright-core from the example's node_modules.
const { ensureChromium, checkPageInBrowser } = await import('./browser.mjs');
const chromium = useBrowser ? await timed('chromium', () => ensureChromium((line) => say(line))) : undefined;
await timed('next build', () =>
  run(process.execPath, [NEXT, 'build'], { cwd: APP, env: { ...nextEnv, WORKFLOW_TARGET_WORLD: '@workflow/world-aws' }, maxBuffer: 64 * 1024 * 1024 }).catch(
    (error) => {
      throw new Error(`next build failed:\n${error.stdout}${error.stderr}`);
    },
  ),
);
say('next build done');

const dev = await startDev('signup-next');
let app;
try {
  // 2. next start against the local AWS; the app consumes its own queues (instrumentation.ts).
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  app = startProcess('next', process.execPath, [NEXT, 'start', '-H', '127.0.0.1', '-p', String(port)], {
    cwd: APP,
    // NEXT_MANUAL_SIG_HANDLE, as package.json's start script sets it: instrumentation-node.ts handles SIGTERM.
    env: { ...nextEnv, ...dev.env, NEXT_MANUAL_SIG_HANDLE: 'true', PORT: String(port), WORKFLOW_AWS_SIGNING_SECRET: randomBytes(32).toString('hex') },
  });
  await timed('next start', () => waitForHttp(`${base}/`, 60_000, app));

  // 3. Through the API.
  await timed('api run', async () => {
    const { runId } = await fetchJson(`${base}/api/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ada@example.com' }),
    });
    const view = await waitForRun(base, runId, 60_000);
    assert(view.status === 'completed', `run ${runId} completed: ${JSON.stringify(view)}`);
    assert(view.output?.status === 'onboarded', `output says onboarded: ${JSON.stringify(view.output)}`);
    const names = view.steps.map((s) => s.name).sort();
    assert(
      JSON.stringify(names) === JSON.stringify(['closeLog', 'createUser', 'sendOnboardingEmail', 'sendWelcomeEmail']),
      `the four steps ran: ${JSON.stringify(view.steps)}`,
    );
    assert(view.steps.every((s) => s.status === 'completed'), `every step completed: ${JSON.stringify(view.steps)}`);
    const stream = await (await fetch(`${base}/api/runs/${runId}/stream`, { signal: AbortSignal.timeout(30_000) })).text();
    const lines = stream.trim().split('\n');
    assert(lines.length === 3 && lines[2] === 'sent the onboarding email to ada@example.com', `the stream has the three step lines: ${stream}`);
    say(`API: run ${runId} completed with ${view.steps.length} steps and ${lines.length} stream lines`);
  });

  // 4. Through the page, in a real browser.
  if (chromium) {
    const screenshot = join(RESULTS, 'signup-completed.png');
    const seen = await timed('browser run', () => checkPageInBrowser({ executablePath: chromium, url: `${base}/`, screenshot }));
    say(`browser: run ${seen.runId} shown as completed with ${seen.steps} steps; screenshot ${screenshot}`);
  }

  // 5. SIGTERM: the world closes, then the server exits.
  const stopped = await app.stop('SIGTERM');
  assert(stopped.code === 0, `next start exits 0 on SIGTERM (got ${stopped.code ?? stopped.signal})`);
  say(`SIGTERM → exit 0 in ${stopped.ms} ms`);
  timings['sigterm exit'] = stopped.ms;

  // 6. deploy --dry-run on this app, and the zip completes a run on the Lambda runner.
  await timed('deploy dry run + lambda', () => deployAndRunZip(dev.env));
} catch (error) {
  if (app) console.error(`[example:nextjs] next output:\n${app.output()}`);
  throw error;
} finally {
  await app?.stop('SIGKILL');
  await dev.stop();
}
say(`passed; ms per phase: ${JSON.stringify(timings)}`);

async function deployAndRunZip(localEnv) {
  const { stdout } = await run(process.execPath, [join(ROOT, 'bin', 'run.js'), 'deploy', '--dry-run', '--json'], { cwd: APP, maxBuffer: 16 * 1024 * 1024 });
  const result = JSON.parse(stdout);
  assert(result.source.flow === join(APP, 'app', '.well-known', 'workflow', 'v1', 'flow', 'route.js'), `deploy used the Next.js build: ${result.source.flow}`);
  const files = unzipSync(new Uint8Array(await readFile(result.zip.path)));
  const names = Object.keys(files);
  // The entry's on-demand code travels as chunks beside it (entry-chunks/).
  const top = names.filter((name) => !name.startsWith('entry-chunks/')).sort();
  assert(top.join() === 'flow.mjs,index.mjs,step.mjs', `the zip holds the entry, its chunks and one file per route: ${names}`);
  const manifest = JSON.parse(await readFile(join(APP, 'app', '.well-known', 'workflow', 'v1', 'manifest.json'), 'utf8'));
  const workflowId = manifest.workflows['workflows/user-signup.ts'].handleUserSignup.workflowId;
  const dir = await mkdtemp(join(tmpdir(), 'nextjs-lambda-zip-'));
  try {
    const bundle = join(dir, 'index.mjs');
    for (const [name, bytes] of Object.entries(files)) {
      await mkdir(dirname(join(dir, name)), { recursive: true });
      await writeFile(join(dir, name), bytes);
    }
    const runner = join(ROOT, 'scripts', 'lib', 'lambda-zip-runner.mjs');
    const env = { ...process.env, ...localEnv, WORKFLOW_TARGET_WORLD: join(ROOT, 'dist', 'index.js') };
    const { stdout: out } = await run(process.execPath, [runner, bundle, workflowId, JSON.stringify(['grace@example.com'])], { env, timeout: 120_000 }).catch(
      (error) => {
        throw new Error(`lambda-zip-runner failed:\n${error.stdout}${error.stderr}`);
      },
    );
    const report = JSON.parse(out.trim().split('\n').at(-1));
    assert(report.status === 'completed' && report.returnValue?.status === 'onboarded', `the zip completed a run: ${out}`);
    say(`deploy --dry-run: ${(result.zip.bytes / 1024 / 1024).toFixed(2)} MiB zip; Lambda runner completed a run in ${Math.round(report.totalMs)} ms (${report.invocations} invocations)`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
