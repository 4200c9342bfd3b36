// Our world on the embedded local AWS as the benches run it: the harness
// server (official runtime, in-process consumer, signed HTTP delivery, the
// counting seam), every DynamoDB, SQS and S3 request through aws-proxy.mjs,
// and a reader world that talks to the local AWS directly (so a caller's
// polling is neither delayed nor counted).
import { ensureWorkflowsBuilt } from '../../scripts/lib/build-workflows.mjs';
import { startAwsProxies } from './aws-proxy.mjs';
import { APP, COUNTING_WORLD, ourWorld, readerWorld, startServer } from './e2e.mjs';
import { startBenchLocalAws } from './local-aws-process.mjs';

/** `env` with its world behind the counting seam, which counts the runtime's handler calls wherever they run. */
export function counted(env) {
  return { ...env, WORKFLOW_TARGET_WORLD: COUNTING_WORLD, E2E_WORLD_ENTRY: env.WORKFLOW_TARGET_WORLD };
}

/**
 * proxyOptions: aws-proxy.mjs's { delayMs, observe, rewrite }, or { direct: true }: no
 * proxies, the server talks to the local AWS as an app does under `aws-workflow dev`
 * (for timing: a proxy is a third process on every request's path, which world-postgres
 * does not have). Resolves to { server, proxies (absent when direct), reader, env, stop() }.
 */
export async function startAwsStack(proxyOptions = {}) {
  await ensureWorkflowsBuilt(APP);
  const local = await startBenchLocalAws();
  const proxies = proxyOptions.direct
    ? { env: local.env, setDelay: () => {}, stop: async () => {} }
    : await startAwsProxies(local.env, proxyOptions).catch(async (error) => {
        await local.stop();
        throw error;
      });
  let server;
  let reader;
  const stop = async () => {
    await server?.stop();
    await reader?.close?.();
    await proxies.stop();
    await local.stop();
  };
  try {
    reader = await readerWorld(local.env);
    server = await startServer(counted(ourWorld({ WORKFLOW_AWS_ADAPTERS: 'aws', WORKFLOW_AWS_DELIVERY: 'http', ...proxies.env })));
  } catch (error) {
    await stop();
    throw error;
  }
  return { server, proxies, reader, env: local.env, stop };
}
