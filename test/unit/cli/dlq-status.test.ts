// dlq redrive's SQS calls (exact parameters, fallback, errors) with mocked
// clients; status's run counts on the in-memory world; queue drift rules.
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListMessageMoveTasksCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { resourceNames } from '../../../src/config/resource-names.js';
import { QUEUES } from '../../../src/adapters/aws/resources.js';
import type { CliContext } from '../../../src/cli/base-command.js';
import { purge, redrive } from '../../../src/cli/operations/dlq.js';
import { queueDrift } from '../../../src/cli/status/queues.js';
import { runsStatus } from '../../../src/cli/status/runs.js';
import { createWorld } from '../../../src/index.js';
import { mockAws, noSleep } from './helpers/mock-clients.js';

function context(): { ctx: CliContext; aws: ReturnType<typeof mockAws> } {
  const aws = mockAws();
  aws.sqs.on(GetQueueUrlCommand).callsFake((input: { QueueName: string }) => ({ QueueUrl: `https://sqs.us-east-1.amazonaws.com/123456789012/${input.QueueName}` }));
  aws.sqs.on(GetQueueAttributesCommand).callsFake((input: { QueueUrl: string }) => ({
    Attributes: { QueueArn: `arn:aws:sqs:us-east-1:123456789012:${input.QueueUrl.split('/').pop()}` },
  }));
  const ctx: CliContext = {
    name: 'shop',
    region: 'us-east-1',
    names: resourceNames('shop'),
    clients: aws.clients,
    clientOptions: { region: 'us-east-1' },
    progress: () => {},
    sleep: noSleep,
    note: () => {},
  };
  return { ctx, aws };
}

describe('dlq redrive', () => {
  it('starts one SQS move task per DLQ with the DLQ as source and no destination (back to the source queues)', async () => {
    const { ctx, aws } = context();
    aws.sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'handle-1' });
    aws.sqs
      .on(ListMessageMoveTasksCommand)
      .resolvesOnce({ Results: [{ Status: 'RUNNING', ApproximateNumberOfMessagesMoved: 1, ApproximateNumberOfMessagesToMove: 3 }] })
      .resolves({ Results: [{ Status: 'COMPLETED', ApproximateNumberOfMessagesMoved: 3, ApproximateNumberOfMessagesToMove: 3 }] });
    const outcomes = await redrive(ctx, { channels: ['step'], max: 100, rate: 50, wait: true, note: () => {} });
    expect(aws.sqs.commandCalls(StartMessageMoveTaskCommand).map((c) => c.args[0].input)).toEqual([
      { SourceArn: 'arn:aws:sqs:us-east-1:123456789012:shop-step-dlq', MaxNumberOfMessagesPerSecond: 50 },
    ]);
    expect(aws.sqs.commandCalls(ListMessageMoveTasksCommand)[0]!.args[0].input).toEqual({ SourceArn: 'arn:aws:sqs:us-east-1:123456789012:shop-step-dlq', MaxResults: 1 });
    expect(outcomes).toEqual([{ channel: 'step', method: 'move-task', taskHandle: 'handle-1', status: 'COMPLETED', moved: 3, toMove: 3 }]);
  });

  it('falls back to the move loop when the endpoint does not know move tasks, and says so', async () => {
    const { ctx, aws } = context();
    aws.sqs.on(StartMessageMoveTaskCommand).rejects(Object.assign(new Error('Unknown action: StartMessageMoveTask'), { name: 'InvalidAction' }));
    aws.sqs.on(ReceiveMessageCommand).resolves({ Messages: [] });
    const notes: string[] = [];
    const outcomes = await redrive(ctx, { channels: ['workflow'], max: 100, wait: false, note: (l) => notes.push(l) });
    expect(outcomes).toEqual([expect.objectContaining({ channel: 'workflow', method: 'loop', moved: [], left: 0, undecodable: 0 })]);
    expect(notes).toEqual(['shop-workflow-dlq: this endpoint has no SQS message move tasks; moving messages one by one instead']);
  });

  it('reports SQS\'s own move-task errors instead of working around them', async () => {
    const { ctx, aws } = context();
    aws.sqs.on(StartMessageMoveTaskCommand).rejects(Object.assign(new Error('Source queue must be configured as a Dead Letter Queue.'), { name: 'UnsupportedOperation' }));
    await expect(redrive(ctx, { channels: ['workflow'], max: 1, wait: false, note: () => {} })).rejects.toThrow('Dead Letter Queue');
    aws.sqs.on(StartMessageMoveTaskCommand).rejects(Object.assign(new Error('Access to the resource is denied'), { name: 'AccessDeniedException' }));
    await expect(redrive(ctx, { channels: ['workflow'], max: 1, wait: false, note: () => {} })).rejects.toThrow('Access to the resource');
    expect(aws.sqs.commandCalls(ReceiveMessageCommand)).toHaveLength(0);
  });
});

describe('dlq purge', () => {
  it('purges each DLQ, and explains SQS\'s one-purge-a-minute limit', async () => {
    const { ctx, aws } = context();
    aws.sqs.on(PurgeQueueCommand).resolves({});
    expect(await purge(ctx, ['workflow', 'step'])).toEqual(['shop-workflow-dlq', 'shop-step-dlq']);
    expect(aws.sqs.commandCalls(PurgeQueueCommand).map((c) => c.args[0].input.QueueUrl)).toEqual([
      'https://sqs.us-east-1.amazonaws.com/123456789012/shop-workflow-dlq',
      'https://sqs.us-east-1.amazonaws.com/123456789012/shop-step-dlq',
    ]);
    aws.sqs.on(PurgeQueueCommand).rejects(Object.assign(new Error('Only one PurgeQueue operation is allowed every 60 seconds.'), { name: 'PurgeQueueInProgress' }));
    await expect(purge(ctx, ['step'])).rejects.toThrow(/purged less than 60 seconds ago/);
  });
});

describe('status: runs through the Storage API', () => {
  it('counts by status (capped), finds the oldest active run and the last failures with their error', async () => {
    const world = createWorld({ adapters: 'memory', name: `runs${Date.now()}`, consumer: 'none' });
    const create = (runId: string | null, request: object) => world.events.create(runId as string, request as never);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const { run } = await create(null, { eventType: 'run_created', eventData: { deploymentId: 'd', workflowName: `wf${i}`, input: new Uint8Array([i]) } });
      ids.push(run!.runId);
    }
    await create(ids[1]!, { eventType: 'run_started' });
    await create(ids[2]!, { eventType: 'run_started' });
    await create(ids[2]!, { eventType: 'run_failed', eventData: { error: { message: 'card declined\nstack…' } } });
    await create(ids[3]!, { eventType: 'run_started' });
    const status = await runsStatus(world, { countLimit: 1, now: Date.now() });
    expect(status.byStatus.pending).toEqual({ count: 1, capped: false });
    expect(status.byStatus.running).toEqual({ count: 1, capped: true });
    expect(status.byStatus.failed).toEqual({ count: 1, capped: false });
    expect(status.active).toEqual({ count: 2, capped: true });
    expect(status.oldestActive).toMatchObject({ runId: ids[0], workflowName: 'wf0', status: 'pending' });
    expect(status.lastFailed).toEqual([expect.objectContaining({ runId: ids[2], workflowName: 'wf2', error: 'card declined' })]);
    await world.close();
  });
});

describe('status: queue drift', () => {
  it('compares with what bootstrap sets', () => {
    const asBootstrapped = { visibilityTimeoutSeconds: QUEUES.visibilityTimeoutSeconds, messageRetentionSeconds: QUEUES.messageRetentionSeconds, deadLetterTargetArn: 'arn:aws:sqs:r:1:shop-step-dlq' };
    expect(queueDrift('step', asBootstrapped, 'shop-step-dlq')).toEqual([]);
    expect(queueDrift('step', { ...asBootstrapped, visibilityTimeoutSeconds: 30, deadLetterTargetArn: undefined }, 'shop-step-dlq')).toEqual([
      `VisibilityTimeout 30 (bootstrap: ${QUEUES.visibilityTimeoutSeconds})`,
      'no redrive policy (bootstrap: to its DLQ)',
    ]);
    expect(queueDrift('stepDlq', { messageRetentionSeconds: 60 }, '')).toEqual([`MessageRetentionPeriod 60 (bootstrap: ${QUEUES.dlqRetentionSeconds})`]);
  });
});
