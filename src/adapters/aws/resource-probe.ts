// ResourceProbe on AWS: per table a GetItem of a key no item has (the worker
// role may already call it, and it checks the key schema too), per queue
// GetQueueUrl by name or GetQueueAttributes(QueueArn) on a configured URL (the
// ARN names the queue's region), and for the bucket a one-key ListObjectsV2
// under the payload prefix (allowed by the role's prefix-conditioned
// ListBucket). All in parallel.
import { GetItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { ResourceNames, TableRole } from '../../config/resource-names.js';
import type { QueueChannel } from '../../ports/message-queue.js';
import type { ProbeResult, ResourceProbe } from '../../ports/resource-probe.js';
import { accessProblem, type AwsService } from './access-problems.js';
import { awsErrorName, hasErrorName, isMissingQueue, isMissingTable } from './aws-errors.js';
import { BUCKET, TABLES, type KeyAttribute } from './resources.js';
import type { QueueTarget } from './sqs/queue-url-resolver.js';

export interface AwsResourceProbeDeps {
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
  s3: S3Client;
  tables: ResourceNames['tables'];
  queues: Record<QueueChannel, QueueTarget>;
  bucket: string;
}

/** No item has this key: the world's keys are run ids, prefixed ids and hashes. */
const PROBE_KEY = '#world-aws-probe';

export class AwsResourceProbe implements ResourceProbe {
  constructor(private readonly deps: AwsResourceProbeDeps) {}

  probe(): Promise<ProbeResult[]> {
    const { tables, queues, bucket } = this.deps;
    return Promise.all([
      ...(Object.keys(tables) as TableRole[]).map((role) => this.table(role, tables[role])),
      ...(Object.keys(queues) as QueueChannel[]).map((channel) => this.queue(channel, queues[channel])),
      this.bucket(bucket),
    ]);
  }

  private async table(role: TableRole, name: string): Promise<ProbeResult> {
    const { partitionKey, sortKey } = TABLES[role];
    const Key: Record<string, AttributeValue> = { [partitionKey.name]: probeValue(partitionKey) };
    if (sortKey) Key[sortKey.name] = probeValue(sortKey);
    return settle({ kind: 'table', role, name }, 'dynamodb', () => this.deps.dynamodb.send(new GetItemCommand({ TableName: name, Key })), {
      missing: isMissingTable,
      // The table exists, but its key schema is not the one bootstrap creates.
      mismatch: (error) => hasErrorName(error, 'ValidationException'),
    });
  }

  private async queue(channel: QueueChannel, target: QueueTarget): Promise<ProbeResult> {
    const name = 'url' in target ? target.url : target.name;
    let region: string | undefined;
    // By name, GetQueueUrl looks in the client's region, so only a configured URL can name another region's queue.
    const call =
      'url' in target
        ? async () => {
            const out = await this.deps.sqs.send(new GetQueueAttributesCommand({ QueueUrl: target.url, AttributeNames: ['QueueArn'] }));
            region = regionOfArn(out.Attributes?.QueueArn);
          }
        : () => this.deps.sqs.send(new GetQueueUrlCommand({ QueueName: target.name }));
    const result = await settle({ kind: 'queue', role: channel, name }, 'sqs', call, { missing: isMissingQueue });
    return region ? { ...result, region } : result;
  }

  private async bucket(bucket: string): Promise<ProbeResult> {
    const call = () => this.deps.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: BUCKET.payloadPrefix, MaxKeys: 1 }));
    return settle({ kind: 'bucket', role: 'payloads', name: bucket }, 's3', call, { missing: (error) => hasErrorName(error, 'NoSuchBucket') });
  }
}

async function settle(
  resource: Pick<ProbeResult, 'kind' | 'role' | 'name'>,
  service: AwsService,
  call: () => Promise<unknown>,
  is: { missing(error: unknown): boolean; mismatch?(error: unknown): boolean },
): Promise<ProbeResult> {
  try {
    await call();
    return { ...resource, status: 'ok' };
  } catch (error) {
    if (is.missing(error)) return { ...resource, status: 'missing' };
    const access = accessProblem(error, service);
    if (access) return { ...resource, status: 'access', access };
    const detail = `${awsErrorName(error) ?? 'Error'}: ${(error as Error)?.message?.split('\n')[0] ?? ''}`.slice(0, 300);
    return { ...resource, status: is.mismatch?.(error) ? 'mismatch' : 'failed', detail };
  }
}

/** `arn:<partition>:sqs:<region>:<account>:<name>` → region. */
function regionOfArn(arn: string | undefined): string | undefined {
  const parts = arn?.split(':');
  return parts && parts.length >= 6 && parts[0] === 'arn' && parts[3] ? parts[3] : undefined;
}

function probeValue(key: KeyAttribute): AttributeValue {
  if (key.type === 'N') return { N: '-1' };
  if (key.type === 'B') return { B: new TextEncoder().encode(PROBE_KEY) };
  return { S: PROBE_KEY };
}
