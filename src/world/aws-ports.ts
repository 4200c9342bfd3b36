// Production adapters: DynamoDB, S3 and SQS. Clients are built here but
// connect on first use, so building a world needs no network or credentials.
import type { WorldConfig } from '../config/world-config.js';
import { createDynamoDbClient, DynamoDbEventStore, DynamoDbIdempotencyStore, ProjectionLog } from '../adapters/aws/dynamodb/index.js';
import { DynamoDbStreamStore } from '../adapters/aws/dynamodb-streams/index.js';
import { createS3Client, S3BlobStore } from '../adapters/aws/s3/index.js';
import { createSqsClient, queueTargets } from '../adapters/aws/sqs/sqs-client.js';
import { SqsMessageQueue } from '../adapters/aws/sqs/sqs-message-queue.js';
import { SnapshotCache } from '../application/storage/snapshot-cache.js';
import { token, type ProcessScope } from '../process-scope.js';
import type { PortFactories } from './ports.js';
import { systemPorts } from './system-ports.js';

const PROJECTION_LOGS = token<ProjectionLog>('projection-logs');
const SNAPSHOT_CACHES = token<SnapshotCache>('snapshot-caches');

/** One installation's state per process: the worlds of a process agree on what is projected and written. */
function installationKey(config: WorldConfig): string {
  return [config.region, config.endpoints.dynamodb ?? '', config.resources.tables.events].join('|');
}

export function awsPorts(config: WorldConfig, scope: ProcessScope): PortFactories {
  const { tables } = config.resources;
  let client: ReturnType<typeof createDynamoDbClient> | undefined;
  const dynamodb = () => (client ??= createDynamoDbClient(config));
  const key = installationKey(config);
  return {
    ...systemPorts(config),
    events: (get) => {
      const clock = get('clock');
      const logger = get('logger');
      return new DynamoDbEventStore(dynamodb(), tables, {
        runRetentionDays: config.runRetentionDays,
        logger,
        clock,
        projections: scope.ofInstallation(PROJECTION_LOGS, key, () => new ProjectionLog({ logger, clock })),
      });
    },
    snapshots: (get) => {
      const clock = get('clock');
      return scope.ofInstallation(SNAPSHOT_CACHES, key, () => new SnapshotCache(() => clock.now()));
    },
    idempotency: (get) => new DynamoDbIdempotencyStore(dynamodb(), tables.steps, get('clock')),
    streams: (get) => new DynamoDbStreamStore({ client: dynamodb(), tableName: tables.streams, clock: get('clock'), logger: get('logger') }),
    blobs: () => new S3BlobStore(createS3Client(config), config.resources.bucket),
    queue: () =>
      new SqsMessageQueue(createSqsClient(config), queueTargets(config), {
        maxDelaySeconds: config.maxDelaySeconds,
        maxMessageBytes: config.maxMessageBytes,
      }),
  };
}
