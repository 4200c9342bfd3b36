// Production adapters: DynamoDB, S3 and SQS. Clients are built here but
// connect on first use, so building a world needs no network or credentials.
import { installationKey } from '../config/installation.js';
import type { WorldConfig } from '../config/world-config.js';
import { createDynamoDbClient, DynamoDbEventStore, DynamoDbIdempotencyStore, ProjectionLog } from '../adapters/aws/dynamodb/index.js';
import { DynamoDbStreamStore } from '../adapters/aws/dynamodb-streams/index.js';
import { createS3Client, S3BlobStore } from '../adapters/aws/s3/index.js';
import { createSqsClient, queueTargets } from '../adapters/aws/sqs/sqs-client.js';
import { loadOnce } from '../adapters/aws/ssm/index.js';
import { HkdfRunKeySource, type MasterKey } from '../adapters/system/hkdf-run-key-source.js';
import { SqsMessageQueue } from '../adapters/aws/sqs/sqs-message-queue.js';
import { AwsResourceProbe } from '../adapters/aws/resource-probe.js';
import { DynamoDbWorkflowLineMarker } from '../adapters/aws/dynamodb/workflow-line-marker.js';
import { SnapshotCache } from '../application/storage/snapshot-cache.js';
import { RunLogCache } from '../domain/run-log-cache.js';
import { token, type ProcessScope } from '../process-scope.js';
import type { PortFactories } from './ports.js';
import { systemPorts } from './system-ports.js';

const PROJECTION_LOGS = token<ProjectionLog>('projection-logs');
const SNAPSHOT_CACHES = token<SnapshotCache>('snapshot-caches');
const RUN_LOG_CACHES = token<RunLogCache>('run-log-caches');
const MASTER_KEY_LOADERS = token<() => Promise<Uint8Array>>('master-key-loaders');

/** The configured key, else one read from its SSM parameter once per process (shared by the process's worlds). */
function masterKey(config: WorldConfig, scope: ProcessScope): MasterKey {
  const parameter = config.encryptionKeyParameter;
  if (config.encryptionKey || !parameter) return config.encryptionKey;
  return scope.ofInstallation(MASTER_KEY_LOADERS, `${config.region}|${parameter}`, () =>
    loadOnce(async () => {
      const ssm = await import('../adapters/aws/ssm/master-key-parameter.js');
      return ssm.readMasterKeyParameter(ssm.createSsmClient(config), parameter);
    }),
  );
}

export function awsPorts(config: WorldConfig, scope: ProcessScope): PortFactories {
  const { tables } = config.resources;
  let client: ReturnType<typeof createDynamoDbClient> | undefined;
  const dynamodb = () => (client ??= createDynamoDbClient(config));
  let sqsClient: ReturnType<typeof createSqsClient> | undefined;
  const sqs = () => (sqsClient ??= createSqsClient(config));
  let s3Client: ReturnType<typeof createS3Client> | undefined;
  const s3 = () => (s3Client ??= createS3Client(config));
  const key = installationKey(config);
  return {
    ...systemPorts(config),
    runKeys: () => new HkdfRunKeySource(masterKey(config, scope), config.name),
    events: (get) => {
      const clock = get('clock');
      const logger = get('logger');
      return new DynamoDbEventStore(dynamodb(), tables, {
        runRetentionDays: config.runRetentionDays,
        logger,
        clock,
        projections: scope.ofInstallation(PROJECTION_LOGS, key, () => new ProjectionLog({ logger, clock })),
        logs: scope.ofInstallation(RUN_LOG_CACHES, key, () => new RunLogCache(() => clock.now())),
      });
    },
    snapshots: (get) => {
      const clock = get('clock');
      return scope.ofInstallation(SNAPSHOT_CACHES, key, () => new SnapshotCache(() => clock.now()));
    },
    idempotency: (get) => new DynamoDbIdempotencyStore(dynamodb(), tables.steps, get('clock')),
    streams: (get) => new DynamoDbStreamStore({ client: dynamodb(), tableName: tables.streams, clock: get('clock'), logger: get('logger') }),
    blobs: () => new S3BlobStore(s3(), config.resources.bucket),
    queue: () =>
      new SqsMessageQueue(sqs(), queueTargets(config), {
        maxDelaySeconds: config.maxDelaySeconds,
        maxMessageBytes: config.maxMessageBytes,
      }),
    probe: () =>
      new AwsResourceProbe({ dynamodb: dynamodb(), sqs: sqs(), s3: s3(), tables, queues: queueTargets(config), bucket: config.resources.bucket }),
    lineMarker: (get) => new DynamoDbWorkflowLineMarker(dynamodb(), tables.steps, () => get('clock').now()),
  };
}
