// ARNs of one installation's resources, built from names so the Lambda policy
// can be written before (or without) describing each resource.
import { encryptionKeyParameterName, TABLE_ROLES, type ResourceNames } from '../../config/resource-names.js';
import { TABLES } from '../../adapters/aws/resources.js';

export interface ArnScope {
  partition: string;
  region: string;
  accountId: string;
}

/** aws, aws-cn or aws-us-gov, from the region name. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** `arn:aws:iam::123456789012:role/x` → `123456789012`. */
export function accountIdFromArn(arn: string): string {
  const account = arn.split(':')[4];
  if (!account || !/^\d{12}$/.test(account)) throw new Error(`Cannot read the account id from ARN "${arn}"`);
  return account;
}

export interface InstallationArns {
  tables: string[];
  /** Exact index ARNs (one per index in resources.ts), not `index/*`. */
  indexes: string[];
  queues: string[];
  dlqs: string[];
  bucket: string;
  /** The encryption-key parameter (SSM ARNs name a hierarchical parameter without its leading "/"). */
  encryptionKeyParameter: string;
  logGroup: string;
  function: string;
  /** Any event-source mapping of the account (UUIDs are not known in advance). */
  eventSourceMappings: string;
  role: string;
}

export function installationArns(names: ResourceNames, scope: ArnScope): InstallationArns {
  const { partition: p, region: r, accountId: a } = scope;
  const table = (name: string) => `arn:${p}:dynamodb:${r}:${a}:table/${name}`;
  return {
    tables: TABLE_ROLES.map((role) => table(names.tables[role])),
    indexes: TABLE_ROLES.flatMap((role) => TABLES[role].indexes.map((i) => `${table(names.tables[role])}/index/${i.indexName}`)),
    queues: [names.workflowQueue, names.stepQueue].map((q) => `arn:${p}:sqs:${r}:${a}:${q}`),
    dlqs: [names.workflowDlq, names.stepDlq].map((q) => `arn:${p}:sqs:${r}:${a}:${q}`),
    bucket: `arn:${p}:s3:::${names.bucket}`,
    encryptionKeyParameter: `arn:${p}:ssm:${r}:${a}:parameter/${encryptionKeyParameterName(names).replace(/^\//, '')}`,
    // The `:*` form is what CloudWatch Logs documents for IAM policies on a group and its streams.
    logGroup: `arn:${p}:logs:${r}:${a}:log-group:${lambdaLogGroup(names)}:*`,
    function: `arn:${p}:lambda:${r}:${a}:function:${names.lambdaFunction}`,
    eventSourceMappings: `arn:${p}:lambda:${r}:${a}:event-source-mapping:*`,
    role: `arn:${p}:iam::${a}:role/${names.lambdaRole}`,
  };
}

export function bucketArn(partition: string, bucket: string): string {
  return `arn:${partition}:s3:::${bucket}`;
}

export function lambdaLogGroup(names: ResourceNames): string {
  return `/aws/lambda/${names.lambdaFunction}`;
}

