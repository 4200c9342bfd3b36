// Runs examples/hello end to end on @workflow/world-aws and cleans up after
// itself: builds the example's workflows (wf build), starts the embedded local
// AWS (dynalite + fauxqs on 127.0.0.1) unless told to use the in-memory
// adapters, runs examples/hello/app.mjs against it, and stops everything.
//
//   node scripts/run-example.mjs [--adapters=aws|memory] [--name=<who>]
//
// Needs `npm run build` first (the world is loaded from dist/). The default is
// `aws`: the embedded local AWS.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureWorkflowsBuilt } from './lib/build-workflows.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const APP_DIR = join(ROOT, 'examples', 'hello');
const WORLD_MODULE = resolve(process.env.EXAMPLE_WORLD_MODULE ?? join(ROOT, 'dist', 'index.js'));
const LOCAL_AWS_BUILT = join(dirname(WORLD_MODULE), 'infra', 'local-aws', 'index.js');
const TIMEOUT_MS = Number(process.env.EXAMPLE_TIMEOUT_MS ?? 120_000);

const { values: flags } = parseArgs({
  options: { adapters: { type: 'string' }, name: { type: 'string' } },
});

function chooseAdapters() {
  const requested = flags.adapters ?? process.env.EXAMPLE_ADAPTERS ?? 'aws';
  if (requested !== 'aws' && requested !== 'memory') throw new Error(`--adapters must be aws or memory, got "${requested}"`);
  return requested;
}

/** Starts the embedded local AWS from the build; returns its env and stop(). */
async function startLocalAws() {
  if (!existsSync(LOCAL_AWS_BUILT)) throw new Error(`${LOCAL_AWS_BUILT} is missing: run \`npm run build\` first`);
  const { startLocalAws: start } = await import(pathToFileURL(LOCAL_AWS_BUILT).href);
  return start();
}

function runApp(env) {
  const child = spawn(process.execPath, [join(APP_DIR, 'app.mjs')], {
    cwd: APP_DIR,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const forward = (signal) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  const timer = setTimeout(() => {
    console.error(`[example] no result after ${TIMEOUT_MS} ms: stopping`);
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
  }, TIMEOUT_MS);
  return new Promise((resolvePromise) => {
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolvePromise(code ?? (signal ? 1 : 0));
    });
  });
}

async function main() {
  if (!existsSync(WORLD_MODULE)) throw new Error(`${WORLD_MODULE} is missing: run \`npm run build\` first`);
  const adapters = chooseAdapters();
  if (await ensureWorkflowsBuilt(APP_DIR)) console.log('[example] built examples/hello with wf build');

  const local = adapters === 'aws' ? await startLocalAws() : undefined;
  if (local) console.log(`[example] embedded local AWS: DynamoDB ${local.endpoints?.dynamodb ?? '?'}, SQS/S3 ${local.endpoints?.sqs ?? '?'}`);
  else console.log('[example] in-memory adapters (no AWS)');
  try {
    return await runApp({
      WORKFLOW_TARGET_WORLD: WORLD_MODULE,
      WORKFLOW_AWS_ADAPTERS: adapters,
      WORKFLOW_AWS_CONSUMER: 'process',
      WORKFLOW_AWS_DELIVERY: 'http',
      // Deliveries to app.mjs are HMAC-signed, as they should be in production.
      WORKFLOW_AWS_SIGNING_SECRET: randomBytes(32).toString('hex'),
      ...(flags.name ? { EXAMPLE_NAME: flags.name } : {}),
      ...local?.env,
    });
  } finally {
    await local?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`[example] ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  },
);
