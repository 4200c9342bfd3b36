// The payload bucket's default name. Bucket names are global across all AWS
// accounts, so `<name>-payloads` is usually taken already (`workflow-payloads`
// certainly is). The default is therefore `<name>-<account id>-<region>`:
// deterministic, so every command (bootstrap, deploy, outputs, teardown)
// derives the same name without storing it anywhere, and unique per account
// and region, so two regions or two accounts never collide. A name too long
// for S3's 63 characters uses a 22+-hex digest of the account and region
// instead. An installation bootstrapped before this scheme keeps its
// `<name>-payloads` bucket: it is found (and proven ours with
// ExpectedBucketOwner) before the new name is used. `--bucket` overrides all.
import { createHash } from 'node:crypto';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { httpStatusOf, isMissingBucket, otherBucketRegion } from '../../adapters/aws/aws-errors.js';
import type { AwsClients, ClientOptions } from './clients.js';
import { legacyBucketName } from '../../config/resource-names.js';

const MAX_BUCKET = 63;

/** The 12-digit id of the account the credentials belong to. */
export async function callerAccountId(clients: Pick<AwsClients, 'sts'>): Promise<string> {
  const { Account } = await clients.sts.send(new GetCallerIdentityCommand({}));
  if (!Account || !/^\d{12}$/.test(Account)) throw new Error('sts:GetCallerIdentity returned no account id');
  return Account;
}

/** `<name>-<account>-<region>`, or `<name>-<digest>` when that would exceed 63 characters. */
export function accountBucketName(name: string, accountId: string, region: string): string {
  const readable = `${name}-${accountId}-${region}`;
  if (readable.length <= MAX_BUCKET) return readable;
  const digest = createHash('sha256').update(`${accountId}/${region}`).digest('hex');
  return `${name}-${digest.slice(0, MAX_BUCKET - name.length - 1)}`;
}

export async function defaultBucketName(clients: Pick<AwsClients, 'sts' | 's3'>, name: string, region: string, options: ClientOptions): Promise<string> {
  const legacy = legacyBucketName(name);
  // An emulator has no global bucket namespace (and no STS): the plain name cannot clash there.
  if (options.endpoints?.s3) return legacy;
  const accountId = await callerAccountId(clients);
  if (await ownsBucket(clients, legacy, accountId)) return legacy;
  return accountBucketName(name, accountId, region);
}

/**
 * HeadBucket with ExpectedBucketOwner: 200 only for a bucket of this account
 * (403 for anyone else's). A bucket in another region (301, or 400, with
 * x-amz-bucket-region) is not this region's installation's either: the
 * legacy bucket was made in its installation's region.
 */
async function ownsBucket(clients: Pick<AwsClients, 's3'>, bucket: string, accountId: string): Promise<boolean> {
  try {
    await clients.s3.send(new HeadBucketCommand({ Bucket: bucket, ExpectedBucketOwner: accountId }));
    return true;
  } catch (error) {
    if (isMissingBucket(error) || httpStatusOf(error) === 403 || otherBucketRegion(error) !== undefined) return false;
    throw error;
  }
}
