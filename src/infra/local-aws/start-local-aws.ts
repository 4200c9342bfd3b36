// The embedded local AWS: dynalite (DynamoDB, with the transaction add-on) and
// fauxqs (SQS and S3), in memory on 127.0.0.1, with one installation's
// resources provisioned by the same code bootstrap runs against AWS.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { provisionResources, type ProgressListener, type ProvisioningClients } from '../provisioning/index.js';
import { resourceNames, type ResourceNames } from '../../config/resource-names.js';
import { QUEUES } from '../../adapters/aws/resources.js';
import { ENDPOINT_ENV, envName } from '../../config/settings.js';
import { startDynalite } from './dynalite-server.js';
import { startFauxqs } from './fauxqs-server.js';
import type { RunningServer } from './running-server.js';

export interface LocalAwsOptions {
  /** Installation name, the prefix of every resource name. Default `workflow`, as in WorldConfig. */
  name?: string;
  /** Default `us-east-1`. */
  region?: string;
  /** DynamoDB port; 0 (default) picks a free one. */
  dynamodbPort?: number;
  /** SQS and S3 port (fauxqs serves both); 0 (default) picks a free one. */
  sqsS3Port?: number;
  /** Called once per resource as provisioning settles it. */
  onProgress?: ProgressListener;
  /** Receives before a message moves to its DLQ; tests lower it. Default QUEUES.maxReceiveCount. */
  maxReceiveCount?: number;
  /** false: a message SQS hands to a long poll whose client has gone stays hidden for its lease, as on real SQS. Default true. */
  handBackGonePolls?: boolean;
}

export interface LocalAws {
  endpoints: { dynamodb: string; sqs: string; s3: string };
  region: string;
  /** Fixed dummy keys: the emulators only check that requests are signed. */
  credentials: { accessKeyId: string; secretAccessKey: string };
  names: ResourceNames;
  /** On 127.0.0.1:<sqs port>, so they resolve; an SQS client may also be given `endpoints.sqs` explicitly. */
  queueUrls: { workflow: string; step: string; workflowDlq: string; stepDlq: string };
  /** The environment a world (or the SDK) needs to use this stack. */
  env: Record<string, string>;
  /** Stops both emulators; their data is gone. */
  stop(): Promise<void>;
}

export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

export async function startLocalAws(options: LocalAwsOptions = {}): Promise<LocalAws> {
  const region = options.region ?? 'us-east-1';
  const names = resourceNames(options.name ?? 'workflow');
  const maxReceiveCount = options.maxReceiveCount ?? QUEUES.maxReceiveCount;
  const servers: RunningServer[] = [];
  const stop = once(async () => {
    const results = await Promise.allSettled(servers.map((s) => s.stop()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  });
  try {
    const dynamodb = await startDynalite(options.dynamodbPort ?? 0);
    servers.push(dynamodb);
    const fauxqs = await startFauxqs(options.sqsS3Port ?? 0, region, options.handBackGonePolls ?? true);
    servers.push(fauxqs);
    const endpoints = { dynamodb: dynamodb.endpoint, sqs: fauxqs.endpoint, s3: fauxqs.endpoint };

    const clients = localClients(endpoints, region);
    const { queues } = await provisionResources(clients, names, { onProgress: options.onProgress, maxReceiveCount }).finally(() => {
      for (const client of Object.values(clients)) client.destroy();
    });
    const queueUrls = { workflow: queues.workflow.url, step: queues.step.url, workflowDlq: queues.workflowDlq.url, stepDlq: queues.stepDlq.url };
    return {
      endpoints,
      region,
      credentials: { ...LOCAL_CREDENTIALS },
      names,
      queueUrls,
      env: {
        [ENDPOINT_ENV.dynamodb]: endpoints.dynamodb,
        [ENDPOINT_ENV.sqs]: endpoints.sqs,
        [ENDPOINT_ENV.s3]: endpoints.s3,
        [envName('region')]: region,
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        [envName('name')]: options.name ?? 'workflow',
        [envName('workflowQueueUrl')]: queueUrls.workflow,
        [envName('stepQueueUrl')]: queueUrls.step,
        // fauxqs serves buckets by path; a bucket subdomain of 127.0.0.1 does not resolve.
        [envName('s3ForcePathStyle')]: '1',
        [envName('maxReceiveCount')]: String(maxReceiveCount),
      },
      stop,
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}

/** SDK clients for the local stack, for provisioning and for tests. */
export function localClients(endpoints: LocalAws['endpoints'], region: string): ProvisioningClients {
  const base = { region, credentials: { ...LOCAL_CREDENTIALS } };
  return {
    dynamodb: new DynamoDBClient({ ...base, endpoint: endpoints.dynamodb }),
    sqs: new SQSClient({ ...base, endpoint: endpoints.sqs }),
    s3: new S3Client({ ...base, endpoint: endpoints.s3, forcePathStyle: true }),
  };
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= fn());
}
