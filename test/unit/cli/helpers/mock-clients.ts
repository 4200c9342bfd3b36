// Real SDK client instances with their `send` mocked, handed to the CLI
// through its client factory.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import type { AwsClients, ClientFactory } from '../../../../src/cli/aws/clients.js';

export interface MockedAws {
  clients: AwsClients;
  dynamodb: AwsClientStub<DynamoDBClient>;
  sqs: AwsClientStub<SQSClient>;
  s3: AwsClientStub<S3Client>;
  lambda: AwsClientStub<LambdaClient>;
  iam: AwsClientStub<IAMClient>;
  ssm: AwsClientStub<SSMClient>;
  /** Answers GetCallerIdentity with MOCK_ACCOUNT; kept out of calls() (it is bookkeeping, not provisioning). */
  sts: AwsClientStub<STSClient>;
  factory: ClientFactory;
  /** Every mocked call as "Service:Command" in order, across clients. */
  calls(): string[];
}

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
export const MOCK_ACCOUNT = '123456789012';

export function mockAws(region = 'us-east-1'): MockedAws {
  const clients: AwsClients = {
    dynamodb: new DynamoDBClient({ region, credentials }),
    sqs: new SQSClient({ region, credentials }),
    s3: new S3Client({ region, credentials }),
    lambda: new LambdaClient({ region, credentials }),
    iam: new IAMClient({ region, credentials }),
    ssm: new SSMClient({ region, credentials }),
    sts: new STSClient({ region, credentials }),
  };
  const sts = mockClient(clients.sts);
  sts.on(GetCallerIdentityCommand).resolves({ Account: MOCK_ACCOUNT, Arn: `arn:aws:iam::${MOCK_ACCOUNT}:user/test`, UserId: 'AIDTEST' });
  const mocks = {
    dynamodb: mockClient(clients.dynamodb),
    sqs: mockClient(clients.sqs),
    s3: mockClient(clients.s3),
    lambda: mockClient(clients.lambda),
    iam: mockClient(clients.iam),
    ssm: mockClient(clients.ssm),
  };
  return {
    clients,
    ...mocks,
    sts,
    factory: () => clients,
    calls: () =>
      Object.entries(mocks)
        .flatMap(([service, stub]) => stub.calls().map((call) => ({ service, call })))
        .sort((a, b) => callOrder(a.call) - callOrder(b.call))
        .map(({ service, call }) => `${service}:${commandName(call.args[0])}`),
  };
}

/** Names of the commands a stub received, in order. */
export function commandsOf(stub: AwsClientStub<any>): string[] {
  return stub.calls().map((call) => commandName(call.args[0]));
}

function commandName(command: unknown): string {
  return (command as { constructor: { name: string } }).constructor.name.replace(/Command$/, '');
}

// sinon keeps a global call id per spy call, which orders calls across stubs.
function callOrder(call: unknown): number {
  return (call as { callId: number }).callId;
}

export const noSleep = async () => {};
