// Runs one workflow through a deployed Lambda bundle (the index.mjs inside the
// zip that `aws-workflow deploy --dry-run` writes) against the embedded local
// AWS, as Lambda would: the first SQS batch starts a fresh function process
// (lambda-host.mjs), which imports the bundle (a real cold start) and is
// invoked with that batch as soon as the import is done. The function's times
// are its own: this process's work (the SQS bridge, start(), polling for the
// result) runs in another process.
//
//   node scripts/lib/lambda-zip-runner.mjs <bundle index.mjs> <workflowId> '<args json>'
//
// The environment must point at the local AWS (startLocalAws().env) and set
// WORKFLOW_TARGET_WORLD to this package's world (used by start()); `workflow/api`
// is the working directory's (a workflow@5 app's directory runs the 5 runtime).
// LAMBDA_FUNCTION_ENV (JSON) sets variables only the function process sees (null removes one).
// Prints one JSON line: { loadMs, firstInvokeMs, loadCpuMs, firstInvokeCpuMs, invocations, status, returnValue, totalMs }.
// The *CpuMs fields are the function process's CPU time (user + system, all threads), which a busy machine skews less than wall time.
// LAMBDA_CPU_PROF=<dir> writes a CPU profile of the function process there (node --cpu-prof).
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startLambdaBridge } from './sqs-lambda-bridge.mjs';

const [bundle, workflowId, argsJson = '[]'] = process.argv.slice(2);
if (!bundle || !workflowId) {
  console.error('usage: lambda-zip-runner.mjs <bundle index.mjs> <workflowId> [args json]');
  process.exit(2);
}
process.env.WORKFLOW_AWS_CONSUMER = 'lambda';

let host;
let loadMs;
let loadCpuMs;
const pending = new Map();
let nextId = 0;

/** The function process, started by the first event (a cold start), then reused (a warm one). */
async function functionProcess() {
  if (host) return host;
  host = fork(join(dirname(fileURLToPath(import.meta.url)), 'lambda-host.mjs'), [bundle], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: functionEnv(),
    execArgv: process.env.LAMBDA_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.LAMBDA_CPU_PROF}`, '--cpu-prof-interval=250'] : [],
  });
  const ready = await Promise.race([once(host, 'message').then(([m]) => m), once(host, 'exit').then(([code]) => ({ error: `the function process exited (${code})` }))]);
  if (ready.type !== 'ready') throw new Error(`the bundle failed to load:\n${ready.error}`);
  ({ loadMs, loadCpuMs } = ready);
  host.on('message', ({ id, ...reply }) => {
    pending.get(id)?.(reply);
    pending.delete(id);
  });
  host.on('exit', (code) => {
    for (const settle of pending.values()) settle({ error: `the function process exited (${code})` });
    pending.clear();
  });
  return host;
}

function functionEnv() {
  // What Lambda sets and the world reads: inside a function the start-up resource check is skipped.
  const env = { ...process.env, AWS_LAMBDA_FUNCTION_NAME: 'aws-workflow-local', AWS_LAMBDA_FUNCTION_VERSION: '$LATEST' };
  delete env.LAMBDA_FUNCTION_ENV;
  for (const [name, value] of Object.entries(JSON.parse(process.env.LAMBDA_FUNCTION_ENV ?? '{}'))) {
    if (value === null) delete env[name];
    else env[name] = value;
  }
  return env;
}

let invocations = 0;
let firstInvokeMs;
let firstInvokeCpuMs;
async function handler(event) {
  const fn = await functionProcess();
  const id = nextId++;
  const reply = await new Promise((settle) => {
    pending.set(id, settle);
    fn.send({ id, event });
  });
  if (reply.error) throw new Error(reply.error);
  invocations++;
  if (firstInvokeMs === undefined) {
    firstInvokeMs = reply.ms;
    firstInvokeCpuMs = reply.cpuMs;
  }
  return reply.result;
}

// The app's `workflow` (resolved from the working directory): 4.x from the repository, 5 from test/e2e-v5/app.
const { start } = await import(pathToFileURL(createRequire(join(process.cwd(), 'package.json')).resolve('workflow/api')).href);
const bridge = startLambdaBridge({
  handler,
  queueUrls: { workflow: process.env.WORKFLOW_AWS_WORKFLOW_QUEUE_URL, step: process.env.WORKFLOW_AWS_STEP_QUEUE_URL },
  endpoint: process.env.AWS_ENDPOINT_URL_SQS,
  region: process.env.AWS_REGION,
  pollersPerQueue: 1,
});
const startedAt = performance.now();
try {
  const run = await start({ workflowId }, JSON.parse(argsJson));
  const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('run did not finish within 60 s')), 60_000).unref());
  const returnValue = await Promise.race([run.returnValue, timeout]);
  const status = await run.status;
  console.log(JSON.stringify({ loadMs, firstInvokeMs, loadCpuMs, firstInvokeCpuMs, invocations, status, returnValue, totalMs: performance.now() - startedAt }));
} finally {
  await bridge.stop();
  if (host) {
    // A disconnect lets the function process exit on its own (and write its profile, if asked).
    host.disconnect();
    await Promise.race([once(host, 'exit'), new Promise((done) => setTimeout(done, 5_000).unref())]);
    host.kill();
  }
}
process.exit(0);
