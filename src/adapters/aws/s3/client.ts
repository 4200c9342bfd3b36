// S3 client from the world config; no I/O until the first request.
import { S3Client } from '@aws-sdk/client-s3';
import type { WorldConfig } from '../../../config/world-config.js';

export function createS3Client(config: Pick<WorldConfig, 'region' | 'endpoints' | 's3ForcePathStyle'>): S3Client {
  return new S3Client({
    region: config.region,
    ...(config.endpoints.s3 ? { endpoint: config.endpoints.s3 } : {}),
    // Local S3 emulators serve buckets by path, not by virtual host.
    forcePathStyle: config.s3ForcePathStyle,
  });
}
