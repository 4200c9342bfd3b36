// Provisioning against the emulators with the real SDK: idempotent creation,
// reported statuses, inspection, and teardown that leaves nothing behind.
import { CreateTableCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import {
  deleteResources,
  inspectResources,
  provisionResources,
  provisionTables,
  type ProvisioningClients,
  type ResourceReport,
} from '../../../src/infra/provisioning/index.js';
import { resourceNames } from '../../../src/config/resource-names.js';
import { localClients, startDynalite, startFauxqs, type RunningServer } from '../../../src/infra/local-aws/index.js';

let dynamodb: RunningServer;
let fauxqs: RunningServer;
let clients: ProvisioningClients;

beforeAll(async () => {
  dynamodb = await startDynalite();
  fauxqs = await startFauxqs();
  clients = localClients({ dynamodb: dynamodb.endpoint, sqs: fauxqs.endpoint, s3: fauxqs.endpoint }, 'us-east-1');
});

afterAll(async () => {
  for (const client of Object.values(clients)) client.destroy();
  await Promise.all([dynamodb.stop(), fauxqs.stop()]);
});

const statuses = (reports: ResourceReport[]) => Object.fromEntries(reports.map((r) => [r.name, r.status]));

describe('provisionResources', () => {
  const names = resourceNames('prov');

  it('creates everything, then finds everything present on a second run', async () => {
    const progress: ResourceReport[] = [];
    const first = await provisionResources(clients, names, { onProgress: (r) => progress.push(r) });
    expect(first.reports).toHaveLength(10);
    expect(new Set(first.reports.map((r) => r.status))).toEqual(new Set(['created']));
    expect(progress).toHaveLength(10);
    expect(first.queues.workflow.arn).toBe('arn:aws:sqs:us-east-1:000000000000:prov-workflow');

    const second = await provisionResources(clients, names);
    expect(new Set(second.reports.map((r) => r.status))).toEqual(new Set(['present']));
    expect(second.queues).toEqual(first.queues);
  });

  it('reports a table whose TTL was switched off as updated, and turns it back on', async () => {
    await clients.dynamodb.send(
      new UpdateTimeToLiveCommand({ TableName: names.tables.hooks, TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: false } }),
    );
    const reports = await provisionTables(clients.dynamodb, names);
    expect(statuses(reports)).toEqual({
      'prov-runs': 'present',
      'prov-steps': 'present',
      'prov-events': 'present',
      'prov-hooks': 'updated',
      'prov-streams': 'present',
    });
    expect(new Set((await provisionTables(clients.dynamodb, names)).map((r) => r.status))).toEqual(new Set(['present']));
  });

  it('inspects which resources exist', async () => {
    const states = await inspectResources(clients, names);
    expect(states).toHaveLength(10);
    expect(states.every((s) => s.exists)).toBe(true);
    expect((await inspectResources(clients, resourceNames('nothing-here'))).some((s) => s.exists)).toBe(false);
  });

  it('deletes everything, even a bucket with objects and queues with messages, and then finds it all absent', async () => {
    await clients.s3.send(new PutObjectCommand({ Bucket: names.bucket, Key: 'payloads/r/1', Body: 'a', Tagging: 'workflow-commit=pending' }));
    await clients.s3.send(new PutObjectCommand({ Bucket: names.bucket, Key: 'payloads/r/2', Body: 'b' }));
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: (await provisionResources(clients, names)).queues.step.url, MessageBody: 'm' }));

    const progress: ResourceReport[] = [];
    const deleted = await deleteResources(clients, names, { onProgress: (r) => progress.push(r) });
    expect(new Set(deleted.map((r) => r.status))).toEqual(new Set(['deleted']));
    expect(progress).toHaveLength(10);
    expect((await inspectResources(clients, names)).filter((s) => s.exists)).toEqual([]);

    const again = await deleteResources(clients, names);
    expect(new Set(again.map((r) => r.status))).toEqual(new Set(['absent']));
  });

  it('can provision again right after teardown', async () => {
    const reports = (await provisionResources(clients, names)).reports;
    expect(new Set(reports.map((r) => r.status))).toEqual(new Set(['created']));
    await deleteResources(clients, names);
  });
});

describe('provisioning safety', () => {
  it('refuses a table that exists with another key schema', async () => {
    const names = resourceNames('clash');
    await clients.dynamodb.send(
      new CreateTableCommand({
        TableName: names.tables.steps,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      }),
    );
    await expect(provisionTables(clients.dynamodb, names)).rejects.toThrow(
      'Table clash-steps exists but has key schema [id HASH], expected [pk HASH, sk RANGE]; delete it or choose another installation name',
    );
    await deleteResources(clients, names);
  });
});
