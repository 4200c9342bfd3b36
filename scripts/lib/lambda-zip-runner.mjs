// Runs one workflow through a deployed Lambda bundle (the index.mjs inside the
// zip that `aws-workflow deploy --dry-run` writes) against the embedded local
// AWS, in a fresh process so module load is a real cold start.
//
//   node scripts/lib/lambda-zip-runner.mjs <bundle index.mjs> <workflowId> '<args json>'
//
// The environment must point at the local AWS (startLocalAws().env) and set
// WORKFLOW_TARGET_WORLD to this package's world (used by start()); `workflow/api`
// is the working directory's (a workflow@5 app's directory runs the 5 runtime).
// Prints one JSON line: { loadMs, firstInvokeMs, loadCpuMs, firstInvokeCpuMs, invocations, status, returnValue, totalMs }.
// The *CpuMs fields are this process's CPU time (user + system, all threads), which a busy machine skews less than wall time.
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startLambdaBridge } from './sqs-lambda-bridge.mjs';

const [bundle, workflowId, argsJson = '[]'] = process.argv.slice(2);
if (!bundle || !workflowId) {
  console.error('usage: lambda-zip-runner.mjs <bundle index.mjs> <workflowId> [args json]');
  process.exit(2);
}
process.env.WORKFLOW_AWS_CONSUMER = 'lambda';

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const t0 = performance.now();
const c0 = cpuMs();
const lambda = await import(pathToFileURL(bundle).href);
const loadMs = performance.now() - t0;
const loadCpuMs = cpuMs() - c0;

let invocations = 0;
let firstInvokeMs;
let firstInvokeCpuMs;
async function handler(event) {
  const started = performance.now();
  const startedCpu = cpuMs();
  const result = await lambda.handler(event);
  invocations++;
  if (firstInvokeMs === undefined) {
    firstInvokeMs = performance.now() - started;
    firstInvokeCpuMs = cpuMs() - startedCpu;
  }
  return result;
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
}
process.exit(0);
