// Where commands send their calls: AWS, --endpoint-url, the SDK's per-service
// endpoint variables (dev's env file), or the running dev (--local); and the
// one-line errors for an endpoint that is not the service asked.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAILED_ACTION } from '../../../src/cli/aws/annotate-errors.js';
import { devRegionMismatch, endpointsFromEnv, resolveTarget } from '../../../src/cli/aws/target.js';
import { describeError } from '../../../src/cli/errors.js';
import { devStatePath, findDev, removeDevState, runningDevNames, writeDevState, type DevState } from '../../../src/cli/local/dev-state.js';

let dir: string;
const savedDir = process.env.AWS_WORKFLOW_STATE_DIR;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'aws-workflow-target-'));
  process.env.AWS_WORKFLOW_STATE_DIR = dir;
});
afterEach(async () => {
  if (savedDir === undefined) delete process.env.AWS_WORKFLOW_STATE_DIR;
  else process.env.AWS_WORKFLOW_STATE_DIR = savedDir;
  await rm(dir, { recursive: true, force: true });
});

const state = (name: string, pid = process.pid): DevState => ({
  pid,
  name,
  region: 'eu-west-1',
  endpoints: { dynamodb: 'http://127.0.0.1:1001', sqs: 'http://127.0.0.1:1002', s3: 'http://127.0.0.1:1002' },
  queueUrls: { workflow: 'http://127.0.0.1:1002/000000000000/x-workflow', step: 'http://127.0.0.1:1002/000000000000/x-step' },
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  startedAt: '2026-01-01T00:00:00.000Z',
});

describe('endpointsFromEnv', () => {
  it('reads AWS_ENDPOINT_URL_<SERVICE>, falling back to AWS_ENDPOINT_URL', () => {
    expect(endpointsFromEnv({})).toBeUndefined();
    expect(endpointsFromEnv({ AWS_ENDPOINT_URL_DYNAMODB: 'http://d', AWS_ENDPOINT_URL_SQS: 'http://q' })).toEqual({ dynamodb: 'http://d', sqs: 'http://q' });
    expect(endpointsFromEnv({ AWS_ENDPOINT_URL: 'http://all', AWS_ENDPOINT_URL_S3: 'http://s3' })).toEqual({
      dynamodb: 'http://all',
      sqs: 'http://all',
      s3: 'http://s3',
      lambda: 'http://all',
      iam: 'http://all',
    });
  });
});

describe('resolveTarget', () => {
  it('is AWS with Lambda when nothing points elsewhere', async () => {
    expect(await resolveTarget({ name: 'x' }, {})).toEqual({ kind: 'aws', lambda: true, pointInTimeRecovery: true });
  });

  it('sends everything to --endpoint-url, Lambda included', async () => {
    const t = await resolveTarget({ name: 'x', 'endpoint-url': 'http://127.0.0.1:4566' }, {});
    expect(t).toMatchObject({ kind: 'endpoint-url', lambda: true, pointInTimeRecovery: true, dataEndpoints: { dynamodb: 'http://127.0.0.1:4566', sqs: 'http://127.0.0.1:4566', s3: 'http://127.0.0.1:4566' } });
    expect(t.endpoints?.iam).toBe('http://127.0.0.1:4566');
  });

  it('takes dev\'s env file as a local target without Lambda or point-in-time recovery', async () => {
    const t = await resolveTarget({ name: 'x' }, { AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:1', AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:2', AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:2' });
    expect(t).toMatchObject({ kind: 'env', lambda: false, pointInTimeRecovery: false, dataEndpoints: { dynamodb: 'http://127.0.0.1:1', sqs: 'http://127.0.0.1:2', s3: 'http://127.0.0.1:2' } });
  });

  it('keeps Lambda for endpoints that are not on this machine (an S3-compatible store, a remote emulator)', async () => {
    expect((await resolveTarget({ name: 'x' }, { AWS_ENDPOINT_URL_S3: 'https://s3.example.com' })).lambda).toBe(true);
    expect((await resolveTarget({ name: 'x' }, { AWS_ENDPOINT_URL_DYNAMODB: 'http://dynamo.internal:8000' })).lambda).toBe(true);
    expect((await resolveTarget({ name: 'x' }, { AWS_ENDPOINT_URL_SQS: 'http://localhost:9324' })).lambda).toBe(false);
  });

  it('keeps Lambda when its and IAM\'s endpoints are given too', async () => {
    const env = { AWS_ENDPOINT_URL_DYNAMODB: 'http://d', AWS_ENDPOINT_URL_LAMBDA: 'http://l', AWS_ENDPOINT_URL_IAM: 'http://i' };
    expect((await resolveTarget({ name: 'x' }, env)).lambda).toBe(true);
  });

  it('--local finds the running dev by name, with its region, endpoints and dummy keys', async () => {
    await writeDevState(state('shop'));
    const t = await resolveTarget({ name: 'shop', local: true }, {});
    expect(t).toMatchObject({ kind: 'local', lambda: false, pointInTimeRecovery: false, region: 'eu-west-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    expect(t.endpoints).toEqual(state('shop').endpoints);
  });

  it('--local names the installations dev serves when the name is wrong, and refuses --endpoint-url', async () => {
    await writeDevState(state('shop'));
    await expect(resolveTarget({ name: 'workflow', local: true }, {})).rejects.toThrow(/running: shop \(pass --name shop\)/);
    await expect(resolveTarget({ name: 'shop', local: true, 'endpoint-url': 'http://x' }, {})).rejects.toThrow(/exclude each other/);
    await rm(join(dir), { recursive: true, force: true });
    await expect(resolveTarget({ name: 'shop', local: true }, {})).rejects.toThrow(/start it with `aws-workflow dev --name shop`/);
  });
});

describe('dev state', () => {
  it('ignores and removes the file of a dev that is gone', async () => {
    // A pid far above any pid_max: no such process.
    await writeDevState(state('gone', 2 ** 30));
    expect(await findDev('gone')).toBeUndefined();
    expect(await runningDevNames()).toEqual([]);
  });

  it('removes only its own state, and skips unreadable files', async () => {
    await writeDevState(state('mine'));
    await removeDevState('mine', process.pid + 1);
    expect(await findDev('mine')).toBeDefined();
    await removeDevState('mine');
    expect(await findDev('mine')).toBeUndefined();
    await writeFile(devStatePath('broken'), '{not json');
    expect(await findDev('broken')).toBeUndefined();
  });
});

describe('devRegionMismatch (dev\'s environment loaded with another AWS_REGION)', () => {
  const devEnv = { AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:1001', AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:1002', AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:1002' };

  it('names the dev serving these endpoints, its region, the command\'s and the fix', async () => {
    await writeDevState(state('shop'));
    const message = await devRegionMismatch(await resolveTarget({ name: 'shop' }, devEnv), 'us-east-1');
    expect(message).toBe(
      `The running \`aws-workflow dev\` at http://127.0.0.1:1002 (installation "shop", pid ${process.pid}) made its queues in eu-west-1, ` +
        'but this command uses us-east-1: its SQS binds a queue to its region, so they would read as missing. Set AWS_REGION=eu-west-1 (as dev\'s environment does), or use --local.',
    );
  });

  it('says nothing when the regions agree, no running dev serves the endpoints, or the target is not dev\'s environment', async () => {
    await writeDevState(state('shop'));
    expect(await devRegionMismatch(await resolveTarget({ name: 'shop' }, devEnv), 'eu-west-1')).toBeUndefined();
    expect(await devRegionMismatch(await resolveTarget({ name: 'shop' }, { AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:9999' }), 'us-east-1')).toBeUndefined();
    expect(await devRegionMismatch(await resolveTarget({ name: 'shop', local: true }, {}), 'us-east-1')).toBeUndefined();
    expect(await devRegionMismatch(await resolveTarget({ name: 'shop' }, {}), 'us-east-1')).toBeUndefined();
  });
});

describe('describeError for an endpoint that is not the service', () => {
  const tagged = (error: Error, action: string) => Object.defineProperty(error, FAILED_ACTION, { value: action });

  it('tells to pass --no-lambda when Lambda answers garbage', () => {
    const error = tagged(new SyntaxError('Unexpected token \'o\', "no lambda emulator" is not valid JSON'), 'lambda:GetFunctionConfiguration');
    const d = describeError(error, {});
    expect(d.exitCode).toBe(1);
    expect(d.message).toMatch(/^The Lambda endpoint did not answer as Lambda \(lambda:GetFunctionConfiguration: .*--no-lambda/);
  });

  it('tells to use --local when DynamoDB calls land on the SQS port', () => {
    const error = tagged(Object.assign(new Error('Unknown action: DynamoDB_20120810.DescribeTable'), { name: 'InvalidAction' }), 'dynamodb:DescribeTable');
    expect(describeError(error, {}).message).toMatch(/DynamoDB endpoint did not answer as DynamoDB .* Use --local, or load the env file dev writes/);
  });

  it('leaves other errors alone', () => {
    expect(describeError(tagged(new Error('boom'), 'sqs:SendMessage'), {}).message).toBe('boom');
  });
});
