// The embedded local AWS (dynalite + fauxqs on loopback) with the streams
// table and payload bucket provisioned from resources.ts.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { S3BlobStore } from '../../../src/adapters/aws/s3/index.js';
import { startLocalAws } from '../../../src/infra/local-aws/index.js';

export interface LocalStreamsStack {
  tableName: string;
  /** What a DynamoDB client in another process needs to reach the local stack. */
  clientConfig: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  /** A new DynamoDB client, as another process would have. */
  newClient(): DynamoDBClient;
  blobs: S3BlobStore;
  s3: S3Client;
  bucket: string;
  stop(): Promise<void>;
}

export async function startLocalStreams(): Promise<LocalStreamsStack> {
  const aws = await startLocalAws({ name: `streams${process.pid}` });
  const clients: { destroy(): void }[] = [];
  const clientConfig = { region: aws.region, endpoint: aws.endpoints.dynamodb, credentials: aws.credentials };
  const newClient = () => {
    const client = new DynamoDBClient(clientConfig);
    clients.push(client);
    return client;
  };
  const s3 = new S3Client({ region: aws.region, endpoint: aws.endpoints.s3, credentials: aws.credentials, forcePathStyle: true });
  clients.push(s3);
  return {
    tableName: aws.names.tables.streams,
    clientConfig,
    newClient,
    blobs: new S3BlobStore(s3, aws.names.bucket),
    s3,
    bucket: aws.names.bucket,
    stop: async () => {
      for (const client of clients) client.destroy();
      await aws.stop();
    },
  };
}
