import { resolveWorldConfig } from '../../../src/config/world-config.js';

describe('resolveWorldConfig', () => {
  it('derives every resource name from the installation name', () => {
    const config = resolveWorldConfig({}, { WORKFLOW_AWS_NAME: 'shop' });
    expect(config.resources.tables).toEqual({ runs: 'shop-runs', steps: 'shop-steps', events: 'shop-events', hooks: 'shop-hooks', streams: 'shop-streams' });
    expect(config.resources.bucket).toBe('shop-payloads');
    expect(config.deploymentId).toBe('aws:shop');
  });

  it('has the documented defaults', () => {
    const config = resolveWorldConfig({}, {});
    expect(config).toMatchObject({
      adapters: 'aws',
      name: 'workflow',
      region: 'us-east-1',
      consumer: 'process',
      delivery: 'http',
      concurrency: 10,
      maxDelaySeconds: 900,
      maxReceiveCount: 50,
      maxMessageBytes: 256 * 1024,
      maxInlinePayloadBytes: 64 * 1024,
      idempotencyWindowSeconds: 3600,
      preconditionGuard: true,
      s3ForcePathStyle: false,
    });
    expect(config.encryptionKey).toBeUndefined();
    expect(config.runRetentionDays).toBeUndefined();
  });

  it('reads endpoints, tables and queue URLs from the environment, with options winning', () => {
    const env = {
      AWS_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:1',
      AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:2',
      WORKFLOW_AWS_RUNS_TABLE: 'my-runs',
      WORKFLOW_AWS_WORKFLOW_QUEUE_URL: 'http://q/wf',
      WORKFLOW_AWS_CONCURRENCY: '4',
    };
    const config = resolveWorldConfig({ concurrency: 2 }, env);
    expect(config.region).toBe('eu-west-1');
    expect(config.endpoints).toEqual({ dynamodb: 'http://127.0.0.1:1', sqs: 'http://127.0.0.1:2', s3: 'http://127.0.0.1:1' });
    expect(config.resources.tables.runs).toBe('my-runs');
    expect(config.workflowQueueUrl).toBe('http://q/wf');
    expect(config.concurrency).toBe(2);
  });

  it('accepts a base64 32-byte encryption key', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(resolveWorldConfig({}, { WORKFLOW_AWS_ENCRYPTION_KEY: key }).encryptionKey).toEqual(new Uint8Array(32).fill(7));
  });

  it.each([
    [{ WORKFLOW_AWS_ADAPTERS: 'mongo' }, /WORKFLOW_AWS_ADAPTERS must be one of aws, memory; got "mongo"/],
    [{ WORKFLOW_AWS_CONSUMER: 'cron' }, /WORKFLOW_AWS_CONSUMER must be one of/],
    [{ WORKFLOW_AWS_CONCURRENCY: '0' }, /WORKFLOW_AWS_CONCURRENCY must be an integer from 1 to 1000; got "0"/],
    [{ WORKFLOW_AWS_MAX_DELAY_SECONDS: '901' }, /WORKFLOW_AWS_MAX_DELAY_SECONDS must be an integer from 1 to 900/],
    [{ WORKFLOW_AWS_CONCURRENCY: 'ten' }, /got "ten"/],
    [{ WORKFLOW_PRECONDITION_GUARD: 'maybe' }, /WORKFLOW_PRECONDITION_GUARD must be 1\/0 or true\/false/],
    [{ WORKFLOW_AWS_ENCRYPTION_KEY: Buffer.alloc(16).toString('base64') }, /must be 32 bytes \(base64\); got 16 bytes/],
  ])('rejects %j with an error naming the variable', (env, message) => {
    expect(() => resolveWorldConfig({}, env)).toThrow(message);
  });
});
