// Name rules of every service an installation name ends up in, checked before
// any AWS call so a bad `--name` fails with the reason instead of halfway
// through bootstrap. Sources: S3 "General purpose bucket naming rules",
// DynamoDB "Naming rules", SQS CreateQueue QueueName, Lambda CreateFunction
// FunctionName, IAM CreateRole RoleName (limits from each API's model).
import { resourceNames, type ResourceNames } from '../../config/resource-names.js';

/** The installation name itself: lowercase, digits and hyphens (the strictest alphabet, S3's). */
const INSTALLATION = /^[a-z0-9-]+$/;
const MIN_INSTALLATION = 2;
const MAX_INSTALLATION = 40;

/** S3 reserves these prefixes and suffixes for its own features. */
const BUCKET_RESERVED_PREFIXES = ['xn--', 'sthree-', 'sthree-configurator', 'amzn-s3-demo-'];
const BUCKET_RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

/** The first reason `name` cannot be an S3 general purpose bucket name, or undefined. */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return `must be 3-63 characters long (it is ${name.length})`;
  if (!/^[a-z0-9.-]+$/.test(name)) return 'may contain only lowercase letters, digits, "." and "-"';
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) return 'must begin and end with a letter or digit';
  if (name.includes('..')) return 'must not contain two adjacent periods';
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return 'must not be formatted as an IP address';
  const prefix = BUCKET_RESERVED_PREFIXES.find((p) => name.startsWith(p));
  if (prefix) return `must not start with "${prefix}" (reserved by S3)`;
  const suffix = BUCKET_RESERVED_SUFFIXES.find((s) => name.endsWith(s));
  if (suffix) return `must not end with "${suffix}" (reserved by S3)`;
  return undefined;
}

/** Per service: its limit on a name and the reason when a derived name breaks it. */
function serviceProblems(names: ResourceNames, bucketFromDefault: boolean): string[] {
  const problems: string[] = [];
  for (const table of Object.values(names.tables)) {
    if (table.length > 255 || !/^[A-Za-z0-9_.-]{3,}$/.test(table)) problems.push(`DynamoDB table "${table}" must be 3-255 characters of A-Z, a-z, 0-9, "_", "-", "."`);
  }
  for (const queue of [names.workflowQueue, names.stepQueue, names.workflowDlq, names.stepDlq]) {
    if (queue.length > 80 || !/^[A-Za-z0-9_-]+$/.test(queue)) problems.push(`SQS queue "${queue}" must be 1-80 characters of A-Z, a-z, 0-9, "_", "-"`);
  }
  if (names.lambdaFunction.length > 64) problems.push(`Lambda function "${names.lambdaFunction}" must be at most 64 characters`);
  if (names.lambdaRole.length > 64) problems.push(`IAM role "${names.lambdaRole}" must be at most 64 characters`);
  if (bucketFromDefault) {
    const bucket = bucketNameProblem(names.bucket);
    if (bucket) problems.push(`S3 bucket "${names.bucket}" ${bucket}`);
  }
  return problems;
}

/**
 * Why `name` cannot name an installation, or undefined. Checks the name's own
 * shape, then every resource name derived from it (the bucket's default form
 * included, since it starts with the name).
 */
export function installationNameProblem(name: string): string | undefined {
  if (name.length < MIN_INSTALLATION || name.length > MAX_INSTALLATION) {
    return `must be ${MIN_INSTALLATION}-${MAX_INSTALLATION} characters long (it is ${name.length})`;
  }
  if (!INSTALLATION.test(name)) return 'may contain only lowercase letters a-z, digits 0-9 and "-" (S3 bucket names allow nothing else)';
  if (!/^[a-z]/.test(name)) return 'must start with a letter';
  if (name.endsWith('-')) return 'must not end with "-"';
  const prefix = BUCKET_RESERVED_PREFIXES.find((p) => name.startsWith(p));
  if (prefix) return `must not start with "${prefix}": S3 reserves that prefix for bucket names, and the payload bucket is named after the installation`;
  const problems = serviceProblems(resourceNames(name), true);
  return problems.length > 0 ? `makes an invalid resource name: ${problems[0]}` : undefined;
}
