// A small stateful stand-in for the AWS APIs bootstrap, outputs and teardown
// call, wired into mocked SDK clients: enough state that a second run sees
// what the first one made, and a failure can be injected once.
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ResourceNotFoundException as DynamoNotFound,
  UpdateContinuousBackupsCommand,
  UpdateTimeToLiveCommand,
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  type AttributeValue,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import {
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  NoSuchEntityException,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  DeleteEventSourceMappingCommand,
  DeleteFunctionCommand,
  GetEventSourceMappingCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  ListEventSourceMappingsCommand,
  ListVersionsByFunctionCommand,
  ResourceNotFoundException as LambdaNotFound,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  HeadBucketCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  NotFound,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketPolicyCommand,
  PutPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import { DeleteParameterCommand, GetParameterCommand, ParameterNotFound, PutParameterCommand } from '@aws-sdk/client-ssm';
import { mockAws, type MockedAws } from './mock-clients.js';
import { bucketRegionRedirect } from '../../../support/s3-region-redirect.js';

export const ACCOUNT = '123456789012';

export interface FakeCloud {
  aws: MockedAws;
  region: string;
  tables: Map<string, { input: CreateTableCommandInput; ttl: boolean; pitr: boolean; items?: Map<string, Record<string, AttributeValue>> }>;
  queues: Map<string, { url: string; arn: string; attributes?: Record<string, string> }>;
  buckets: Map<string, string[]>;
  roles: Map<string, { arn: string; policies: Map<string, string>; trust?: string }>;
  functions: Map<string, { arn: string; role: string; env: Record<string, string> }>;
  mappings: Map<string, { functionName: string; sourceArn: string; responseTypes: string[] }>;
  /** Buckets of this name in another region: HeadBucket answers S3's redirect (301, or 400 in newer regions). */
  foreignBuckets: Map<string, { status: 301 | 400; region: string }>;
  /** SSM parameters: value and type. */
  parameters: Map<string, { value: string; type: string; versions: number }>;
  /** Makes the next call of `command` fail with `error` (once). */
  failNext(command: abstract new (...args: never[]) => unknown, error: Error): void;
  /** Mutating calls (Create/Put/Update/Delete/Tag) in order, as "service:Command". */
  writes(): string[];
}

const READ = /^(Get|Describe|List|Head)/;

export function fakeCloud(region = 'us-east-1'): FakeCloud {
  const aws = mockAws(region);
  const failures = new Map<unknown, Error>();
  const cloud: FakeCloud = {
    aws,
    region,
    tables: new Map(),
    queues: new Map(),
    buckets: new Map(),
    roles: new Map(),
    functions: new Map(),
    mappings: new Map(),
    parameters: new Map(),
    foreignBuckets: new Map(),
    failNext: (command, error) => void failures.set(command, error),
    writes: () => aws.calls().filter((c) => !READ.test(c.split(':')[1]!)),
  };
  // Every fake first checks for an injected failure of its command.
  const fake =
    <I, O>(command: unknown, handler: (input: I) => O | Promise<O>) =>
    async (input: I): Promise<O> => {
      const failure = failures.get(command);
      if (failure) {
        failures.delete(command);
        throw failure;
      }
      return handler(input);
    };
  const dynamoMissing = () => new DynamoNotFound({ message: 'Requested resource not found', $metadata: {} });
  const lambdaMissing = () => new LambdaNotFound({ message: 'Function not found', $metadata: {} });
  const iamMissing = () => new NoSuchEntityException({ message: 'not found', $metadata: {} });
  const queueMissing = () => new QueueDoesNotExist({ message: 'The specified queue does not exist.', $metadata: {} });

  // DynamoDB
  const d = aws.dynamodb;
  const table = (name: string) => {
    const t = cloud.tables.get(name);
    if (!t) throw dynamoMissing();
    return t;
  };
  d.on(CreateTableCommand).callsFake(
    fake(CreateTableCommand, (input: CreateTableCommandInput) => {
      cloud.tables.set(input.TableName!, { input, ttl: false, pitr: false });
      return {};
    }),
  );
  d.on(DescribeTableCommand).callsFake(
    fake(DescribeTableCommand, ({ TableName }: { TableName: string }) => {
      const { input } = table(TableName);
      return {
        Table: {
          TableName,
          TableStatus: 'ACTIVE',
          KeySchema: input.KeySchema,
          GlobalSecondaryIndexes: input.GlobalSecondaryIndexes?.map((i) => ({ ...i, IndexStatus: 'ACTIVE' })),
        },
      };
    }),
  );
  d.on(DescribeTimeToLiveCommand).callsFake(
    fake(DescribeTimeToLiveCommand, ({ TableName }: { TableName: string }) => ({
      TimeToLiveDescription: table(TableName).ttl ? { TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' } : { TimeToLiveStatus: 'DISABLED' },
    })),
  );
  d.on(UpdateTimeToLiveCommand).callsFake(
    fake(UpdateTimeToLiveCommand, ({ TableName }: { TableName: string }) => {
      table(TableName).ttl = true;
      return {};
    }),
  );
  d.on(DescribeContinuousBackupsCommand).callsFake(
    fake(DescribeContinuousBackupsCommand, ({ TableName }: { TableName: string }) => ({
      ContinuousBackupsDescription: {
        ContinuousBackupsStatus: 'ENABLED',
        PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: table(TableName).pitr ? 'ENABLED' : 'DISABLED' },
      },
    })),
  );
  d.on(UpdateContinuousBackupsCommand).callsFake(
    fake(UpdateContinuousBackupsCommand, ({ TableName }: { TableName: string }) => {
      table(TableName).pitr = true;
      return {};
    }),
  );
  // Items by their key (pk, sk): the installation's workflow line marker.
  const itemKey = (key: Record<string, AttributeValue>) => `${key.pk?.S}|${key.sk?.S ?? ''}`;
  d.on(GetItemCommand).callsFake(
    fake(GetItemCommand, ({ TableName, Key }: { TableName: string; Key: Record<string, AttributeValue> }) => {
      const item = table(TableName).items?.get(itemKey(Key));
      return item ? { Item: item } : {};
    }),
  );
  d.on(PutItemCommand).callsFake(
    fake(PutItemCommand, ({ TableName, Item, ConditionExpression }: { TableName: string; Item: Record<string, AttributeValue>; ConditionExpression?: string }) => {
      const t = table(TableName);
      const items = (t.items ??= new Map());
      const held = items.get(itemKey(Item));
      if (held && ConditionExpression === 'attribute_not_exists(pk)') {
        throw Object.assign(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }), { Item: held });
      }
      items.set(itemKey(Item), Item);
      return {};
    }),
  );
  d.on(DeleteTableCommand).callsFake(
    fake(DeleteTableCommand, ({ TableName }: { TableName: string }) => {
      table(TableName);
      cloud.tables.delete(TableName);
      return {};
    }),
  );

  // SQS
  const q = aws.sqs;
  const queueByUrl = (url: string) => [...cloud.queues.entries()].find(([, v]) => v.url === url);
  q.on(GetQueueUrlCommand).callsFake(
    fake(GetQueueUrlCommand, ({ QueueName }: { QueueName: string }) => {
      const found = cloud.queues.get(QueueName);
      if (!found) throw queueMissing();
      return { QueueUrl: found.url };
    }),
  );
  q.on(CreateQueueCommand).callsFake(
    fake(CreateQueueCommand, ({ QueueName, Attributes }: { QueueName: string; Attributes?: Record<string, string> }) => {
      const entry = cloud.queues.get(QueueName) ?? {
        url: `https://sqs.${region}.amazonaws.com/${ACCOUNT}/${QueueName}`,
        arn: `arn:aws:sqs:${region}:${ACCOUNT}:${QueueName}`,
        attributes: { ...Attributes },
      };
      cloud.queues.set(QueueName, entry);
      return { QueueUrl: entry.url };
    }),
  );
  q.on(GetQueueAttributesCommand).callsFake(
    fake(GetQueueAttributesCommand, ({ QueueUrl }: { QueueUrl: string }) => {
      const found = queueByUrl(QueueUrl);
      if (!found) throw queueMissing();
      // SQS answers MaximumMessageSize for every queue: 1 MiB unless set (AWS's default since August 2025).
      return { Attributes: { MaximumMessageSize: '1048576', ...found[1].attributes, QueueArn: found[1].arn } };
    }),
  );
  q.on(SetQueueAttributesCommand).callsFake(
    fake(SetQueueAttributesCommand, ({ QueueUrl, Attributes }: { QueueUrl: string; Attributes: Record<string, string> }) => {
      const found = queueByUrl(QueueUrl);
      if (!found) throw queueMissing();
      Object.assign((found[1].attributes ??= {}), Attributes);
      return {};
    }),
  );
  q.on(DeleteQueueCommand).callsFake(
    fake(DeleteQueueCommand, ({ QueueUrl }: { QueueUrl: string }) => {
      const found = queueByUrl(QueueUrl);
      if (!found) throw queueMissing();
      cloud.queues.delete(found[0]);
      return {};
    }),
  );

  // S3
  const s = aws.s3;
  const bucketMissing = () => new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } });
  s.on(HeadBucketCommand).callsFake(
    fake(HeadBucketCommand, ({ Bucket }: { Bucket: string }) => {
      const foreign = cloud.foreignBuckets.get(Bucket);
      if (foreign) throw bucketRegionRedirect(foreign.status, foreign.region);
      if (!cloud.buckets.has(Bucket)) throw bucketMissing();
      return {};
    }),
  );
  s.on(CreateBucketCommand).callsFake(
    fake(CreateBucketCommand, ({ Bucket }: { Bucket: string }) => {
      cloud.buckets.set(Bucket, []);
      return {};
    }),
  );
  s.on(PutPublicAccessBlockCommand).callsFake(fake(PutPublicAccessBlockCommand, () => ({})));
  s.on(PutBucketEncryptionCommand).callsFake(fake(PutBucketEncryptionCommand, () => ({})));
  s.on(PutBucketLifecycleConfigurationCommand).callsFake(fake(PutBucketLifecycleConfigurationCommand, () => ({})));
  s.on(PutBucketPolicyCommand).callsFake(fake(PutBucketPolicyCommand, () => ({})));
  s.on(ListObjectsV2Command).callsFake(
    fake(ListObjectsV2Command, ({ Bucket }: { Bucket: string }) => ({ Contents: (cloud.buckets.get(Bucket) ?? []).map((Key) => ({ Key })), IsTruncated: false })),
  );
  s.on(ListObjectVersionsCommand).resolves({ Versions: [], DeleteMarkers: [], IsTruncated: false });
  s.on(ListMultipartUploadsCommand).resolves({ Uploads: [], IsTruncated: false });
  s.on(DeleteObjectsCommand).callsFake(
    fake(DeleteObjectsCommand, ({ Bucket, Delete }: { Bucket: string; Delete: { Objects: { Key: string }[] } }) => {
      const doomed = new Set(Delete.Objects.map((o) => o.Key));
      cloud.buckets.set(Bucket, (cloud.buckets.get(Bucket) ?? []).filter((k) => !doomed.has(k)));
      return {};
    }),
  );
  s.on(DeleteBucketCommand).callsFake(
    fake(DeleteBucketCommand, ({ Bucket }: { Bucket: string }) => {
      if ((cloud.buckets.get(Bucket) ?? []).length > 0) throw Object.assign(new Error('BucketNotEmpty'), { name: 'BucketNotEmpty' });
      cloud.buckets.delete(Bucket);
      return {};
    }),
  );

  // IAM
  const i = aws.iam;
  const role = (name: string) => {
    const r = cloud.roles.get(name);
    if (!r) throw iamMissing();
    return r;
  };
  i.on(GetRoleCommand).callsFake(
    fake(GetRoleCommand, ({ RoleName }: { RoleName: string }) => {
      const r = role(RoleName);
      // IAM returns the trust policy URL-encoded.
      return { Role: { RoleName, Arn: r.arn, AssumeRolePolicyDocument: r.trust === undefined ? undefined : encodeURIComponent(r.trust) } };
    }),
  );
  i.on(CreateRoleCommand).callsFake(
    fake(CreateRoleCommand, ({ RoleName, AssumeRolePolicyDocument }: { RoleName: string; AssumeRolePolicyDocument: string }) => {
      const arn = `arn:aws:iam::${ACCOUNT}:role/${RoleName}`;
      cloud.roles.set(RoleName, { arn, policies: new Map(), trust: AssumeRolePolicyDocument });
      return { Role: { RoleName, Arn: arn } };
    }),
  );
  i.on(UpdateAssumeRolePolicyCommand).callsFake(
    fake(UpdateAssumeRolePolicyCommand, ({ RoleName, PolicyDocument }: { RoleName: string; PolicyDocument: string }) => {
      role(RoleName).trust = PolicyDocument;
      return {};
    }),
  );
  i.on(GetRolePolicyCommand).callsFake(
    fake(GetRolePolicyCommand, ({ RoleName, PolicyName }: { RoleName: string; PolicyName: string }) => {
      const doc = role(RoleName).policies.get(PolicyName);
      if (!doc) throw iamMissing();
      return { RoleName, PolicyName, PolicyDocument: encodeURIComponent(doc) };
    }),
  );
  i.on(PutRolePolicyCommand).callsFake(
    fake(PutRolePolicyCommand, ({ RoleName, PolicyName, PolicyDocument }: { RoleName: string; PolicyName: string; PolicyDocument: string }) => {
      role(RoleName).policies.set(PolicyName, PolicyDocument);
      return {};
    }),
  );
  i.on(ListRolePoliciesCommand).callsFake(
    fake(ListRolePoliciesCommand, ({ RoleName }: { RoleName: string }) => ({ PolicyNames: [...role(RoleName).policies.keys()] })),
  );
  i.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [] });
  i.on(DeleteRolePolicyCommand).callsFake(
    fake(DeleteRolePolicyCommand, ({ RoleName, PolicyName }: { RoleName: string; PolicyName: string }) => {
      role(RoleName).policies.delete(PolicyName);
      return {};
    }),
  );
  i.on(DeleteRoleCommand).callsFake(
    fake(DeleteRoleCommand, ({ RoleName }: { RoleName: string }) => {
      if (role(RoleName).policies.size > 0) throw Object.assign(new Error('DeleteConflict'), { name: 'DeleteConflictException' });
      cloud.roles.delete(RoleName);
      return {};
    }),
  );

  // Lambda
  const l = aws.lambda;
  const fn = (name: string) => {
    const f = cloud.functions.get(name);
    if (!f) throw lambdaMissing();
    return f;
  };
  const configuration = (name: string) => {
    const f = fn(name);
    return { FunctionName: name, FunctionArn: f.arn, Role: f.role, State: 'Active', LastUpdateStatus: 'Successful', Environment: { Variables: f.env } };
  };
  l.on(GetFunctionConfigurationCommand).callsFake(fake(GetFunctionConfigurationCommand, ({ FunctionName }: { FunctionName: string }) => configuration(FunctionName)));
  l.on(GetFunctionCommand).callsFake(fake(GetFunctionCommand, ({ FunctionName }: { FunctionName: string }) => ({ Configuration: configuration(FunctionName) })));
  l.on(CreateFunctionCommand).callsFake(
    fake(CreateFunctionCommand, ({ FunctionName, Role, Environment }: { FunctionName: string; Role: string; Environment: { Variables: Record<string, string> } }) => {
      const arn = `arn:aws:lambda:${region}:${ACCOUNT}:function:${FunctionName}`;
      cloud.functions.set(FunctionName, { arn, role: Role, env: Environment.Variables });
      return { FunctionArn: arn, State: 'Pending' };
    }),
  );
  l.on(UpdateFunctionConfigurationCommand).callsFake(
    fake(UpdateFunctionConfigurationCommand, ({ FunctionName, Role, Environment }: { FunctionName: string; Role: string; Environment: { Variables: Record<string, string> } }) => {
      Object.assign(fn(FunctionName), { role: Role, env: Environment.Variables });
      return {};
    }),
  );
  l.on(DeleteFunctionCommand).callsFake(
    fake(DeleteFunctionCommand, ({ FunctionName }: { FunctionName: string }) => {
      fn(FunctionName);
      cloud.functions.delete(FunctionName);
      return {};
    }),
  );
  l.on(ListVersionsByFunctionCommand).callsFake(
    fake(ListVersionsByFunctionCommand, ({ FunctionName }: { FunctionName: string }) => ({ Versions: [{ FunctionName, Version: '$LATEST' }] })),
  );
  l.on(ListEventSourceMappingsCommand).callsFake(
    fake(ListEventSourceMappingsCommand, ({ FunctionName, EventSourceArn }: { FunctionName: string; EventSourceArn?: string }) => {
      fn(FunctionName);
      return {
        EventSourceMappings: [...cloud.mappings.entries()]
          .filter(([, m]) => m.functionName === FunctionName && (!EventSourceArn || m.sourceArn === EventSourceArn))
          .map(([UUID, m]) => ({ UUID, EventSourceArn: m.sourceArn, FunctionResponseTypes: m.responseTypes, State: 'Enabled' })),
      };
    }),
  );
  let uuids = 0;
  l.on(CreateEventSourceMappingCommand).callsFake(
    fake(CreateEventSourceMappingCommand, (input: { FunctionName: string; EventSourceArn: string; FunctionResponseTypes: string[] }) => {
      const UUID = `uuid-${++uuids}`;
      cloud.mappings.set(UUID, { functionName: input.FunctionName, sourceArn: input.EventSourceArn, responseTypes: input.FunctionResponseTypes });
      return { UUID, State: 'Creating' };
    }),
  );
  l.on(GetEventSourceMappingCommand).callsFake(
    fake(GetEventSourceMappingCommand, ({ UUID }: { UUID: string }) => {
      if (!cloud.mappings.has(UUID)) throw new LambdaNotFound({ message: 'mapping not found', $metadata: {} });
      return { UUID, State: 'Enabled' };
    }),
  );
  l.on(DeleteEventSourceMappingCommand).callsFake(
    fake(DeleteEventSourceMappingCommand, ({ UUID }: { UUID: string }) => {
      cloud.mappings.delete(UUID);
      return { UUID, State: 'Deleting' };
    }),
  );
  // SSM Parameter Store (PutParameter refuses an existing name without Overwrite, as AWS does)
  const m = aws.ssm;
  const parameterMissing = () => new ParameterNotFound({ message: 'Parameter not found', $metadata: {} });
  m.on(GetParameterCommand).callsFake(
    fake(GetParameterCommand, ({ Name }: { Name: string }) => {
      const p = cloud.parameters.get(Name);
      if (!p) throw parameterMissing();
      return { Parameter: { Name, Type: p.type, Value: p.value, Version: p.versions } };
    }),
  );
  m.on(PutParameterCommand).callsFake(
    fake(PutParameterCommand, ({ Name, Value, Type, Overwrite }: { Name: string; Value: string; Type: string; Overwrite?: boolean }) => {
      const existing = cloud.parameters.get(Name);
      if (existing && !Overwrite) throw new Error('ParameterAlreadyExists');
      cloud.parameters.set(Name, { value: Value, type: Type, versions: (existing?.versions ?? 0) + 1 });
      return { Version: (existing?.versions ?? 0) + 1 };
    }),
  );
  m.on(DeleteParameterCommand).callsFake(
    fake(DeleteParameterCommand, ({ Name }: { Name: string }) => {
      if (!cloud.parameters.delete(Name)) throw parameterMissing();
      return {};
    }),
  );
  return cloud;
}

/** True when nothing of any installation is left. */
export function isEmpty(cloud: FakeCloud): boolean {
  return [cloud.tables, cloud.queues, cloud.buckets, cloud.roles, cloud.functions, cloud.mappings, cloud.parameters].every((m) => m.size === 0);
}
