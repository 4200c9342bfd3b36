// The installation's four queues: URLs, ARNs, depths and the settings bootstrap
// gives them. One GetQueueUrl and one GetQueueAttributes per queue.
import { GetQueueAttributesCommand, GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { type ResourceNames } from '../../config/resource-names.js';
import { QUEUES } from '../../adapters/aws/resources.js';
import { isMissingQueue, unlessMissing } from '../../adapters/aws/aws-errors.js';

export type QueueRole = 'workflow' | 'step' | 'workflowDlq' | 'stepDlq';
export const QUEUE_ROLES: readonly QueueRole[] = ['workflow', 'step', 'workflowDlq', 'stepDlq'];

export interface QueueStatus {
  role: QueueRole;
  name: string;
  exists: boolean;
  url?: string;
  arn?: string;
  /** ApproximateNumberOfMessages: waiting to be received. */
  visible?: number;
  /** ApproximateNumberOfMessagesNotVisible: received, being handled. */
  inFlight?: number;
  /** ApproximateNumberOfMessagesDelayed: sent with a delay (sleeps, backoff). */
  delayed?: number;
  settings?: { visibilityTimeoutSeconds?: number; messageRetentionSeconds?: number; deadLetterTargetArn?: string; maxReceiveCount?: number };
  /** Differences from what bootstrap creates. */
  drift: string[];
}

export function queueName(names: ResourceNames, role: QueueRole): string {
  return { workflow: names.workflowQueue, step: names.stepQueue, workflowDlq: names.workflowDlq, stepDlq: names.stepDlq }[role];
}

export async function findQueueUrl(sqs: SQSClient, name: string): Promise<string | undefined> {
  return (await unlessMissing(() => sqs.send(new GetQueueUrlCommand({ QueueName: name })), isMissingQueue))?.QueueUrl;
}

const ATTRIBUTES = [
  'QueueArn',
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'VisibilityTimeout',
  'MessageRetentionPeriod',
  'RedrivePolicy',
] as const;

export async function queueStatus(sqs: SQSClient, names: ResourceNames, role: QueueRole, maxReceiveCount = QUEUES.maxReceiveCount): Promise<QueueStatus> {
  const name = queueName(names, role);
  const url = await findQueueUrl(sqs, name);
  if (!url) return { role, name, exists: false, drift: ['missing'] };
  const attrs = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: [...ATTRIBUTES] }))).Attributes ?? {};
  const redrive = parseRedrive(attrs.RedrivePolicy);
  const settings = {
    ...numberOf('visibilityTimeoutSeconds', attrs.VisibilityTimeout),
    ...numberOf('messageRetentionSeconds', attrs.MessageRetentionPeriod),
    ...(redrive ? redrive : {}),
  };
  return {
    role,
    name,
    exists: true,
    url,
    ...(attrs.QueueArn ? { arn: attrs.QueueArn } : {}),
    visible: Number(attrs.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(attrs.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(attrs.ApproximateNumberOfMessagesDelayed ?? 0),
    settings,
    drift: queueDrift(role, settings, queueName(names, role === 'workflow' ? 'workflowDlq' : 'stepDlq'), maxReceiveCount),
  };
}

/** What bootstrap sets: visibility and retention on both kinds, a redrive policy to the matching DLQ after `maxReceiveCount` receives on the two work queues. */
export function queueDrift(
  role: QueueRole,
  settings: NonNullable<QueueStatus['settings']>,
  dlqName: string,
  maxReceiveCount: number = QUEUES.maxReceiveCount,
): string[] {
  const drift: string[] = [];
  const dlq = role === 'workflowDlq' || role === 'stepDlq';
  const retention = dlq ? QUEUES.dlqRetentionSeconds : QUEUES.messageRetentionSeconds;
  if (!dlq && settings.visibilityTimeoutSeconds !== undefined && settings.visibilityTimeoutSeconds !== QUEUES.visibilityTimeoutSeconds) {
    drift.push(`VisibilityTimeout ${settings.visibilityTimeoutSeconds} (bootstrap: ${QUEUES.visibilityTimeoutSeconds})`);
  }
  if (settings.messageRetentionSeconds !== undefined && settings.messageRetentionSeconds !== retention) {
    drift.push(`MessageRetentionPeriod ${settings.messageRetentionSeconds} (bootstrap: ${retention})`);
  }
  if (!dlq) {
    if (!settings.deadLetterTargetArn) drift.push('no redrive policy (bootstrap: to its DLQ)');
    else if (!settings.deadLetterTargetArn.endsWith(`:${dlqName}`)) drift.push(`redrives to ${settings.deadLetterTargetArn} (bootstrap: ${dlqName})`);
    if (settings.maxReceiveCount !== undefined && settings.maxReceiveCount !== maxReceiveCount) {
      drift.push(`maxReceiveCount ${settings.maxReceiveCount} (WORKFLOW_AWS_MAX_RECEIVE_COUNT / --max-receive-count: ${maxReceiveCount}; bootstrap sets it)`);
    }
  }
  return drift;
}

function parseRedrive(policy: string | undefined): { deadLetterTargetArn?: string; maxReceiveCount?: number } | undefined {
  if (!policy) return undefined;
  try {
    const parsed = JSON.parse(policy) as { deadLetterTargetArn?: string; maxReceiveCount?: number | string };
    return {
      ...(parsed.deadLetterTargetArn ? { deadLetterTargetArn: parsed.deadLetterTargetArn } : {}),
      ...(parsed.maxReceiveCount !== undefined ? { maxReceiveCount: Number(parsed.maxReceiveCount) } : {}),
    };
  } catch {
    return undefined;
  }
}

function numberOf<K extends string>(key: K, value: string | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: Number(value) } as Record<K, number>);
}
