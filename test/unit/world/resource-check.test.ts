// A misconfigured installation fails start() and the first queue() at once,
// with a message naming the resource, the variable that named it and the
// command that creates it; a good one is probed once.
import { ManualClock } from '../../../src/adapters/memory/manual-clock.js';
import { ConfigError, resolveWorldConfig } from '../../../src/config/world-config.js';
import { RecordingLogger } from '../application/queue/harness.js';
import type { ProbeResult, ResourceProbe } from '../../../src/ports/resource-probe.js';
import { resourceCheck } from '../../../src/world/resource-check.js';
import { createWorld } from '../../../src/world/create-world.js';

/** A probe answering `failing` for the resources it names, ok for the rest, counting its calls. */
function fakeProbe(failing: ProbeResult[] = []) {
  const calls = { count: 0 };
  const probe: ResourceProbe = {
    async probe() {
      calls.count += 1;
      return [{ kind: 'table', role: 'events', name: 'x-events', status: 'ok' }, ...failing];
    },
  };
  return { probe, calls };
}

function check(env: Record<string, string>, failing: ProbeResult[]) {
  const config = resolveWorldConfig({}, env);
  const { probe, calls } = fakeProbe(failing);
  const logger = new RecordingLogger();
  return { check: resourceCheck({ config, probe: () => probe, logger, clock: new ManualClock(0), env }), calls, logger };
}

const missing = (kind: ProbeResult['kind'], role: string, name: string): ProbeResult => ({ kind, role, name, status: 'missing' });

describe('a missing resource', () => {
  it('a table named by its variable: names the table, the variable and bootstrap', async () => {
    const { check: c } = check({ WORKFLOW_AWS_RUNS_TABLE: 'missing-runs' }, [missing('table', 'runs', 'missing-runs')]);
    const error = await c.assert().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/table "missing-runs" \(runs\) does not exist; set by WORKFLOW_AWS_RUNS_TABLE/);
    expect((error as Error).message).toContain('`aws-workflow bootstrap --name workflow --region us-east-1`');
  });

  it('a table named after the installation: names WORKFLOW_AWS_NAME', async () => {
    const { check: c } = check({ WORKFLOW_AWS_NAME: 'shop' }, [missing('table', 'steps', 'shop-steps')]);
    await expect(c.assert()).rejects.toThrow(/"shop-steps" \(steps\) does not exist; named after the installation \(WORKFLOW_AWS_NAME=shop\)/);
  });

  it('a queue given by URL: names the URL variable; on local endpoints the fix is `aws-workflow dev`', async () => {
    const env = { WORKFLOW_AWS_STEP_QUEUE_URL: 'http://127.0.0.1:4566/000000000000/old-step', AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:4566' };
    const { check: c } = check(env, [missing('queue', 'step', env.WORKFLOW_AWS_STEP_QUEUE_URL)]);
    const message = await c.assert().then(() => '', (e: Error) => e.message);
    expect(message).toMatch(/queue "http:\/\/127\.0\.0\.1:4566\/000000000000\/old-step" \(step\) does not exist; set by WORKFLOW_AWS_STEP_QUEUE_URL/);
    expect(message).toContain('`aws-workflow dev --name workflow`');
  });

  it('the default bucket: says bootstrap names it otherwise on AWS, and which variable to set', async () => {
    const { check: c } = check({}, [missing('bucket', 'payloads', 'workflow-payloads')]);
    await expect(c.assert()).rejects.toThrow(/bucket "workflow-payloads" \(payloads\) does not exist; the default bucket name; .*set WORKFLOW_AWS_BUCKET/);
  });

  it('a table with another key schema', async () => {
    const { check: c } = check({}, [{ kind: 'table', role: 'hooks', name: 'workflow-hooks', status: 'mismatch', detail: 'ValidationException: key' }]);
    await expect(c.assert()).rejects.toThrow(/table "workflow-hooks" \(hooks\) exists but is not this world's \(ValidationException: key\)/);
  });
});

it('credentials, endpoints and permissions: one line per cause with its fix, listing what it affects', async () => {
  const access = (role: string, name: string, kind: 'credentials' | 'unreachable'): ProbeResult => ({
    kind: 'table',
    role,
    name,
    status: 'access',
    access:
      kind === 'credentials'
        ? { kind, cause: 'AWS credentials are missing or invalid (DynamoDB: CredentialsProviderError)', fix: 'set AWS_PROFILE' }
        : { kind, cause: 'nothing answers at the DynamoDB endpoint 127.0.0.1:1', fix: 'check AWS_ENDPOINT_URL_DYNAMODB' },
  });
  const { check: c } = check({}, [access('runs', 'workflow-runs', 'credentials'), access('steps', 'workflow-steps', 'credentials')]);
  const message = await c.assert().then(() => '', (e: Error) => e.message);
  expect(message.split('\n').filter((l) => l.startsWith('- '))).toEqual([
    '- AWS credentials are missing or invalid (DynamoDB: CredentialsProviderError): set AWS_PROFILE (table workflow-runs, table workflow-steps)',
  ]);
  expect(message).not.toContain('To create them');
});

it('logs a failure once however often it is met, and checks again next time (the resources may have been created since)', async () => {
  const { check: c, calls, logger } = check({}, [missing('table', 'runs', 'workflow-runs')]);
  await expect(c.assert()).rejects.toThrow(ConfigError);
  await expect(c.assert()).rejects.toThrow(ConfigError);
  expect(calls.count).toBe(2);
  expect(logger.at('error')).toHaveLength(1);
});

it('passes once, then never probes again; concurrent first callers share one probe', async () => {
  const { check: c, calls } = check({}, []);
  await Promise.all([c.assert(), c.assert(), c.assert()]);
  await c.assert();
  expect(calls.count).toBe(1);
});

it('guards queue(): nothing is sent while the check fails', async () => {
  const { check: c } = check({}, [missing('table', 'runs', 'workflow-runs')]);
  let sent = 0;
  const queue = c.guard(async () => {
    sent += 1;
    return { messageId: 'm' as never };
  });
  await expect(queue('__wkf_workflow_x' as never, {} as never)).rejects.toThrow(/does not exist/);
  expect(sent).toBe(0);
});

it('is skipped inside a Lambda function (bootstrap created its resources with it) and for the memory adapters', async () => {
  const config = resolveWorldConfig({}, {});
  const { probe, calls } = fakeProbe([missing('table', 'runs', 'workflow-runs')]);
  const logger = new RecordingLogger();
  await resourceCheck({ config, probe: () => probe, logger, clock: new ManualClock(0), env: { AWS_LAMBDA_FUNCTION_NAME: 'workflow-worker' } }).assert();
  await resourceCheck({ config: { ...config, adapters: 'memory' }, probe: () => probe, logger, clock: new ManualClock(0), env: {} }).assert();
  expect(calls.count).toBe(0);
});

it('start() of a world fails with the probe\'s verdict before the consumer starts', async () => {
  const { probe } = fakeProbe([missing('table', 'runs', 'missing-runs')]);
  const world = createWorld({ consumer: 'process', delivery: 'in-process', resources: { tables: { runs: 'missing-runs' } }, overrides: { probe } });
  await expect(world.start()).rejects.toThrow(/table "missing-runs" \(runs\) does not exist; set by WORKFLOW_AWS_RUNS_TABLE \(createWorld: resources\.tables\.runs\)/);
  await world.close();
});

describe('a queue URL of another region than the world\'s', () => {
  const STEP_URL = 'http://127.0.0.1:4566/000000000000/workflow-step';
  const inRegion = (region: string): ProbeResult => ({ kind: 'queue', role: 'step', name: STEP_URL, status: 'ok', region });

  it('warns once, naming both regions, the queue, its variable and AWS_REGION; the check still passes', async () => {
    const env = { AWS_REGION: 'eu-west-1', WORKFLOW_AWS_STEP_QUEUE_URL: STEP_URL, AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:4566' };
    const { check: c, logger } = check(env, [inRegion('us-east-1')]);
    await c.assert();
    await c.assert();
    expect(logger.at('warn').map((e) => e.message)).toEqual([
      `Region mismatch: the step queue ${STEP_URL} (WORKFLOW_AWS_STEP_QUEUE_URL, createWorld: stepQueueUrl) is in us-east-1, but the world's region is eu-west-1 (from AWS_REGION). ` +
        'The local AWS ignores the region, so nothing fails here, but the same settings on AWS would reach another region. Set AWS_REGION=us-east-1, or use eu-west-1\'s queues. ' +
        '`aws-workflow dev` prints AWS_REGION with its environment; a variable already set in your shell wins over a dotenv file.',
    ]);
  });

  it('on AWS: says the rest is looked up in the world\'s region; names AWS_DEFAULT_REGION when that set it', async () => {
    const env = { AWS_DEFAULT_REGION: 'eu-west-1', WORKFLOW_AWS_STEP_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/workflow-step' };
    const { check: c, logger } = check(env, [{ ...inRegion('us-east-1'), name: env.WORKFLOW_AWS_STEP_QUEUE_URL }]);
    await c.assert();
    const [warning] = logger.at('warn').map((e) => e.message);
    expect(warning).toContain("is in us-east-1, but the world's region is eu-west-1 (from AWS_DEFAULT_REGION). Everything else (tables, bucket, queues by name) is looked up in eu-west-1.");
    expect(warning).not.toContain('aws-workflow dev');
  });

  it('the default region: says AWS_REGION is not set', async () => {
    const { check: c, logger } = check({ WORKFLOW_AWS_STEP_QUEUE_URL: STEP_URL }, [inRegion('eu-central-1')]);
    await c.assert();
    expect(logger.at('warn')[0]?.message).toContain("the world's region is us-east-1 (the default: AWS_REGION and AWS_DEFAULT_REGION are not set). ");
  });

  it('warns about nothing when the queue is in the world\'s region, or its region is unknown (a queue found by name)', async () => {
    const { check: c, logger } = check({ AWS_REGION: 'us-east-1' }, [inRegion('us-east-1'), { kind: 'queue', role: 'workflow', name: 'workflow-workflow', status: 'ok' }]);
    await c.assert();
    expect(logger.at('warn')).toEqual([]);
  });

  it('warns along with a failing check, and only once across retries', async () => {
    const env = { AWS_REGION: 'eu-west-1', WORKFLOW_AWS_STEP_QUEUE_URL: STEP_URL };
    const { check: c, logger } = check(env, [inRegion('us-east-1'), missing('table', 'runs', 'workflow-runs')]);
    await expect(c.assert()).rejects.toThrow(ConfigError);
    await expect(c.assert()).rejects.toThrow(ConfigError);
    expect(logger.at('warn')).toHaveLength(1);
  });
});
