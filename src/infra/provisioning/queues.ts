// The workflow and step queues, each with its dead-letter queue. A DLQ is made
// first because its ARN goes into its source queue's RedrivePolicy. A queue is
// created with all its attributes in one call. On an existing queue, the
// attributes a setting chooses (the redrive policy's maxReceiveCount) are
// brought to the wanted value, and MaximumMessageSize is raised when smaller: a
// queue made before AWS raised the default (or by another tool) may refuse the
// messages WORKFLOW_AWS_MAX_MESSAGE_BYTES allows. Others are left as they are.
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SetQueueAttributesCommand,
  type QueueAttributeName,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { type ResourceNames } from '../../config/resource-names.js';
import { QUEUES } from '../../adapters/aws/resources.js';
import { SETTINGS } from '../../config/settings.js';
import { hasErrorName, isMissingQueue, unlessMissing } from '../../adapters/aws/aws-errors.js';
import { pollUntil, retryWhile } from '../retry.js';
import { RESOURCE_WAIT } from './poll.js';
import { allSettled } from './settle.js';
import type { ProgressListener, ProvisionedQueues, ProvisionOptions, QueueAddress, ResourceKind, ResourceReport, ResourceState } from './types.js';

type QueueAttributes = Partial<Record<QueueAttributeName, string>>;

/** The two source/DLQ pairs of an installation. */
function queuePairs(names: ResourceNames) {
  return [
    { channel: 'workflow', queue: names.workflowQueue, dlq: names.workflowDlq },
    { channel: 'step', queue: names.stepQueue, dlq: names.stepDlq },
  ] as const;
}

const DEFAULT_MAX_MESSAGE_BYTES = SETTINGS.maxMessageBytes.fallback('');

/** A dead letter is as large as the message it was: the DLQ takes the same size. */
export function dlqAttributes(maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES): QueueAttributes {
  return {
    MessageRetentionPeriod: String(QUEUES.dlqRetentionSeconds),
    MaximumMessageSize: String(maxMessageBytes),
    SqsManagedSseEnabled: 'true',
  };
}

export function sourceQueueAttributes(dlqArn: string, maxReceiveCount = QUEUES.maxReceiveCount, maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES): QueueAttributes {
  return {
    VisibilityTimeout: String(QUEUES.visibilityTimeoutSeconds),
    MessageRetentionPeriod: String(QUEUES.messageRetentionSeconds),
    MaximumMessageSize: String(maxMessageBytes),
    SqsManagedSseEnabled: 'true',
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount }),
  };
}

export async function provisionQueues(
  client: SQSClient,
  names: ResourceNames,
  options: Pick<ProvisionOptions, 'onProgress' | 'maxReceiveCount' | 'maxMessageBytes' | 'onNote' | 'sleep'> = {},
): Promise<{ reports: ResourceReport[]; queues: ProvisionedQueues }> {
  const reports: ResourceReport[] = [];
  const settle = (report: ResourceReport) => {
    reports.push(report);
    options.onProgress?.(report);
  };
  const pairs = await allSettled(
    queuePairs(names).map(async ({ queue, dlq }) => {
      const maxBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
      const dead = await ensureQueue(client, dlq, 'dlq', () => dlqAttributes(maxBytes), maxBytes, settle, options);
      const source = await ensureQueue(client, queue, 'queue', () => sourceQueueAttributes(dead.arn, options.maxReceiveCount, maxBytes), maxBytes, settle, options, [
        'RedrivePolicy',
      ]);
      return { source, dead };
    }),
  );
  const [workflow, step] = pairs as [(typeof pairs)[number], (typeof pairs)[number]];
  return { reports, queues: { workflow: workflow.source, step: step.source, workflowDlq: workflow.dead, stepDlq: step.dead } };
}

/** Source queues go first: a DLQ is still the target of its source's redrive policy until then. */
export async function deleteQueues(client: SQSClient, names: ResourceNames, options: { onProgress?: ProgressListener } = {}): Promise<ResourceReport[]> {
  const reports: ResourceReport[] = [];
  for (const kind of ['queue', 'dlq'] as const) {
    const batch = await allSettled(
      queuePairs(names).map(async (pair) => {
        const name = kind === 'queue' ? pair.queue : pair.dlq;
        const report: ResourceReport = { kind, name, status: await deleteQueue(client, name) };
        options.onProgress?.(report);
        return report;
      }),
    );
    reports.push(...batch);
  }
  return reports;
}

export async function inspectQueues(client: SQSClient, names: ResourceNames): Promise<ResourceState[]> {
  const all = queuePairs(names).flatMap((p) => [
    { kind: 'queue' as const, name: p.queue },
    { kind: 'dlq' as const, name: p.dlq },
  ]);
  return Promise.all(all.map(async (q) => ({ ...q, exists: (await queueUrl(client, q.name)) !== undefined })));
}

async function ensureQueue(
  client: SQSClient,
  name: string,
  kind: ResourceKind,
  attributes: () => QueueAttributes,
  maxMessageBytes: number,
  settle: (report: ResourceReport) => void,
  options: Pick<ProvisionOptions, 'onNote' | 'sleep'>,
  /** Attributes a setting chooses: set on an existing queue when they differ. */
  reconciled: QueueAttributeName[] = [],
): Promise<QueueAddress> {
  let url = await queueUrl(client, name);
  let status: 'present' | 'created' | 'updated' = url ? 'present' : 'created';
  // CreateQueue returns the existing URL when another run made the same queue first.
  // Within 60 s of a DeleteQueue of the same name, SQS refuses it: wait that out.
  url ??= (
    await retryWhile(
      () => client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes() })),
      (err) => hasErrorName(err, 'QueueDeletedRecently', 'AWS.SimpleQueueService.QueueDeletedRecently'),
      {
        ...QUEUE_RECREATE_RETRY,
        sleep: options.sleep,
        onWait: (waited) =>
          options.onNote?.(
            `queue ${name} was deleted less than 60 s ago and SQS refuses the name until then; retrying in ${QUEUE_RECREATE_RETRY.delayMs / 1000} s (waited ${Math.round(waited / 1000)} s)`,
          ),
      },
    )
  ).QueueUrl;
  if (!url) throw new Error(`CreateQueue returned no URL for ${name}`);
  const existing =
    (await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn', 'MaximumMessageSize', ...reconciled] }))).Attributes ?? {};
  const arn = existing.QueueArn;
  if (!arn) throw new Error(`GetQueueAttributes returned no QueueArn for ${name}`);
  if (status === 'present') {
    const wanted = attributes();
    const changed: Partial<Record<QueueAttributeName, string>> = Object.fromEntries(
      reconciled.filter((key) => !sameAttribute(existing[key], wanted[key])).map((key) => [key, wanted[key]!]),
    );
    const size = existing.MaximumMessageSize;
    if (size !== undefined && Number(size) < maxMessageBytes) changed.MaximumMessageSize = String(maxMessageBytes);
    if (Object.keys(changed).length > 0) {
      await client.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: changed }));
      status = 'updated';
    }
  }
  settle({ kind, name, status });
  return { url, arn };
}

/** JSON attributes (RedrivePolicy) compare by content: SQS may return numbers as strings or reorder keys. */
function sameAttribute(actual: string | undefined, wanted: string | undefined): boolean {
  if (wanted === undefined || actual === wanted) return true;
  try {
    const a = JSON.parse(actual ?? '') as Record<string, unknown>;
    const w = JSON.parse(wanted) as Record<string, unknown>;
    return Object.keys(w).every((k) => String(a[k]) === String(w[k])) && Object.keys(a).length === Object.keys(w).length;
  } catch {
    return false;
  }
}

async function queueUrl(client: SQSClient, name: string): Promise<string | undefined> {
  return (await unlessMissing(() => client.send(new GetQueueUrlCommand({ QueueName: name })), isMissingQueue))?.QueueUrl;
}

/** SQS documents "up to 60 seconds" for both the deletion and the name's quarantine; a little more covers both. */
export const QUEUE_RECREATE_RETRY = { delayMs: 5_000, maxWaitMs: 90_000 };
const QUEUE_GONE_WAIT_MS = 90_000;

/**
 * Waits until the queue's URL no longer resolves: during the deletion (up to
 * 60 s) SQS still answers for it, and a bootstrap then would wire up a queue
 * that is about to vanish. A bootstrap after this meets QueueDeletedRecently
 * instead, which it waits out.
 */
async function deleteQueue(client: SQSClient, name: string): Promise<'deleted' | 'absent'> {
  const url = await queueUrl(client, name);
  if (!url) return 'absent';
  try {
    await client.send(new DeleteQueueCommand({ QueueUrl: url }));
  } catch (err) {
    if (isMissingQueue(err)) return 'absent';
    throw err;
  }
  await pollUntil(async () => ((await queueUrl(client, name)) === undefined ? true : undefined), `queue ${name} to be deleted`, { ...RESOURCE_WAIT, maxWaitMs: QUEUE_GONE_WAIT_MS });
  return 'deleted';
}
