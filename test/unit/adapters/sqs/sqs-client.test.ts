// Client construction and queue targets from config.
import { resolveWorldConfig } from '../../../../src/config/world-config.js';
import { createSqsClient, queueTargets } from '../../../../src/adapters/aws/sqs/sqs-client.js';

describe('createSqsClient', () => {
  it('uses the configured region and endpoint override', async () => {
    const client = createSqsClient(resolveWorldConfig({ region: 'eu-west-1', endpoints: { sqs: 'http://127.0.0.1:4566' } }, {}));
    expect(await client.config.region()).toBe('eu-west-1');
    const endpoint = await client.config.endpoint!();
    expect(`${endpoint.protocol}//${endpoint.hostname}:${endpoint.port}`).toBe('http://127.0.0.1:4566');
    client.destroy();
  });

  it('leaves the endpoint to the SDK when there is no override', async () => {
    const client = createSqsClient(resolveWorldConfig({ region: 'us-west-2' }, {}));
    expect(client.config.endpoint).toBeUndefined();
    client.destroy();
  });
});

describe('queueTargets', () => {
  it('uses the installation queue names when no URL is configured', () => {
    expect(queueTargets(resolveWorldConfig({ name: 'acme' }, {}))).toEqual({ workflow: { name: 'acme-workflow' }, step: { name: 'acme-step' } });
  });

  it('prefers configured URLs', () => {
    const config = resolveWorldConfig({ workflowQueueUrl: 'https://sqs/1/w', stepQueueUrl: 'https://sqs/1/s' }, {});
    expect(queueTargets(config)).toEqual({ workflow: { url: 'https://sqs/1/w' }, step: { url: 'https://sqs/1/s' } });
  });
});
