// Production adapters: DynamoDB, S3 and SQS. Clients are built here but
// connect on first use, so building a world needs no network or credentials.
import type { Container } from 'inversify';
import type { WorldConfig } from '../config/world-config.js';
import { createDynamoDbClient, DynamoDbEventStore, DynamoDbIdempotencyStore, ProjectionLog } from '../adapters/aws/dynamodb/index.js';
import { DynamoDbStreamStore } from '../adapters/aws/dynamodb-streams/index.js';
import { createS3Client, S3BlobStore } from '../adapters/aws/s3/index.js';
import { createSqsClient, queueTargets } from '../adapters/aws/sqs/sqs-client.js';
import { SqsMessageQueue } from '../adapters/aws/sqs/sqs-message-queue.js';
import { SnapshotCache } from '../application/storage/snapshot-cache.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import { TOKENS } from './tokens.js';

const DYNAMODB_CLIENT = Symbol.for('world-aws.DynamoDBClient');
const SNAPSHOT_CACHES = Symbol.for('world-aws.snapshot-caches');
const PROJECTION_LOGS = Symbol.for('world-aws.projection-logs');

/** Like the snapshot cache: one per process and installation, so the worlds of a process agree on what is projected. */
function sharedProjectionLog(config: WorldConfig, clock: Clock, logger: Logger): ProjectionLog {
  const global = globalThis as { [PROJECTION_LOGS]?: Map<string, ProjectionLog> };
  const logs = (global[PROJECTION_LOGS] ??= new Map());
  const scope = [config.region, config.endpoints.dynamodb ?? '', config.resources.tables.events].join('|');
  let log = logs.get(scope);
  if (!log) logs.set(scope, (log = new ProjectionLog({ logger, now: () => clock.now() })));
  return log;
}

/** One cache per process and installation: the runtime builds several worlds per process. */
function sharedSnapshotCache(config: WorldConfig, clock: Clock): SnapshotCache {
  const global = globalThis as { [SNAPSHOT_CACHES]?: Map<string, SnapshotCache> };
  const caches = (global[SNAPSHOT_CACHES] ??= new Map());
  const scope = [config.region, config.endpoints.dynamodb ?? '', config.resources.tables.events].join('|');
  let cache = caches.get(scope);
  if (!cache) caches.set(scope, (cache = new SnapshotCache(() => clock.now())));
  return cache;
}

export function bindAwsAdapters(container: Container, config: WorldConfig): void {
  const { tables } = config.resources;
  container.bind(DYNAMODB_CLIENT).toConstantValue(createDynamoDbClient(config));
  const dynamodb = () => container.get<ReturnType<typeof createDynamoDbClient>>(DYNAMODB_CLIENT);

  container
    .bind(TOKENS.EventStore)
    .toDynamicValue(
      () => {
        const clock = container.get<Clock>(TOKENS.Clock);
        const logger = container.get<Logger>(TOKENS.Logger);
        return new DynamoDbEventStore(dynamodb(), tables, {
          runRetentionDays: config.runRetentionDays,
          logger,
          now: () => clock.now(),
          projections: sharedProjectionLog(config, clock, logger),
        });
      },
    )
    .inSingletonScope();
  container.bind(TOKENS.SnapshotCache).toDynamicValue(() => sharedSnapshotCache(config, container.get<Clock>(TOKENS.Clock)));
  container.bind(TOKENS.IdempotencyStore).toDynamicValue(() => new DynamoDbIdempotencyStore(dynamodb(), tables.steps)).inSingletonScope();
  container
    .bind(TOKENS.StreamStore)
    .toDynamicValue(
      () =>
        new DynamoDbStreamStore({
          client: dynamodb(),
          tableName: tables.streams,
          clock: container.get<Clock>(TOKENS.Clock),
          logger: container.get<Logger>(TOKENS.Logger),
        }),
    )
    .inSingletonScope();
  container.bind(TOKENS.BlobStore).toDynamicValue(() => new S3BlobStore(createS3Client(config), config.resources.bucket)).inSingletonScope();
  container
    .bind(TOKENS.MessageQueue)
    .toDynamicValue(
      () =>
        new SqsMessageQueue(createSqsClient(config), queueTargets(config), {
          maxDelaySeconds: config.maxDelaySeconds,
          maxMessageBytes: config.maxMessageBytes,
        }),
    )
    .inSingletonScope();
}
