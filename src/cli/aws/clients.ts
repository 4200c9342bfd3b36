// The SDK clients a command uses, built in one place so tests can hand in
// mocked clients instead of reaching for module globals.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { annotateFailedCommand } from './annotate-errors.js';

export interface AwsClients {
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
  s3: S3Client;
  lambda: LambdaClient;
  iam: IAMClient;
  /** The worker's encryption-key parameter (bootstrap, teardown). */
  ssm: SSMClient;
  /** GetCallerIdentity only: the account id for the default bucket name and the trust policy. */
  sts: STSClient;
}

/** Per-service endpoints: the embedded local AWS runs DynamoDB and SQS/S3 on different ports. */
export interface ServiceEndpoints {
  dynamodb?: string;
  sqs?: string;
  s3?: string;
  lambda?: string;
  iam?: string;
}

export interface ClientOptions {
  region?: string;
  profile?: string;
  endpoints?: ServiceEndpoints;
  /** Static credentials, only for the embedded local AWS (its fixed, non-secret test keys). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export type ClientFactory = (options: ClientOptions) => AwsClients;

export const createAwsClients: ClientFactory = (options) => {
  const base = (endpoint: string | undefined) => ({
    ...(options.region ? { region: options.region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    ...(endpoint ? { endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  });
  const e = options.endpoints ?? {};
  const clients: AwsClients = {
    dynamodb: new DynamoDBClient(base(e.dynamodb)),
    sqs: new SQSClient(base(e.sqs)),
    // Local S3 emulators serve buckets by path, not by virtual host.
    s3: new S3Client({ ...base(e.s3), ...(e.s3 ? { forcePathStyle: true } : {}) }),
    lambda: new LambdaClient(base(e.lambda)),
    iam: new IAMClient(base(e.iam)),
    ssm: new SSMClient(base(undefined)),
    sts: new STSClient(base(undefined)),
  };
  for (const client of Object.values(clients)) annotateFailedCommand(client);
  return clients;
};

/** One endpoint for every service (`--endpoint-url`). */
export function sameEndpoint(url: string | undefined): ServiceEndpoints | undefined {
  return url ? { dynamodb: url, sqs: url, s3: url, lambda: url, iam: url } : undefined;
}

export function destroyClients(clients: AwsClients): void {
  for (const client of Object.values(clients)) client.destroy();
}
