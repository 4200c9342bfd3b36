// The Lambda role's policy grants exact actions on exact ARNs of one installation.
import { resourceNames, TABLE_ROLES } from '../../../src/config/resource-names.js';
import { TABLES } from '../../../src/adapters/aws/resources.js';
import { accountIdFromArn, installationArns, partitionOf } from '../../../src/infra/iam/arns.js';
import { lambdaPermissionPolicy, lambdaTrustPolicy, samePolicy } from '../../../src/infra/iam/policy.js';

const names = resourceNames('shop');
const arns = installationArns(names, { partition: 'aws', region: 'eu-west-1', accountId: '123456789012' });
const policy = lambdaPermissionPolicy(arns);
const statements = policy.Statement;
const allResources = statements.flatMap((s) => s.Resource);

describe('lambda permission policy', () => {
  it('has no wildcard action', () => {
    for (const statement of statements) {
      for (const action of statement.Action) {
        expect(action).toMatch(/^[a-z0-9]+:[A-Za-z]+$/);
        expect(action).not.toContain('*');
      }
    }
  });

  it('has no wildcard resource except the object suffixes under the world\'s prefixes and the log-stream suffix AWS requires', () => {
    for (const resource of allResources) {
      expect(resource).not.toBe('*');
      const wildcardAt = resource.indexOf('*');
      if (wildcardAt === -1) continue;
      // Only "payloads/*" and "queue/*" in this installation's bucket, or ":*" on this function's log group.
      expect([
        `arn:aws:s3:::${names.bucket}/payloads/*`,
        `arn:aws:s3:::${names.bucket}/queue/*`,
        `arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/${names.lambdaFunction}:*`,
      ]).toContain(resource);
    }
  });

  it('limits object access to the prefixes the runtime writes (not deployment zips or the rest of the bucket)', () => {
    const objects = statements.find((s) => s.Sid === 'WorldPayloads')!;
    expect(objects.Resource).toEqual([`arn:aws:s3:::${names.bucket}/payloads/*`, `arn:aws:s3:::${names.bucket}/queue/*`]);
    expect(allResources).not.toContain(`arn:aws:s3:::${names.bucket}/*`);
    expect(allResources.some((r) => r.includes('deployments/'))).toBe(false);
  });

  it('grants batch actions only on the tables that use them', () => {
    const perItem = statements.find((s) => s.Sid === 'WorldTables')!;
    expect(perItem.Action.filter((a) => a.includes('Batch'))).toEqual([]);
    const batch = statements.find((s) => s.Sid === 'WorldBatchTables')!;
    expect(batch.Action).toEqual(['dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem']);
    expect(batch.Resource).toEqual(['arn:aws:dynamodb:eu-west-1:123456789012:table/shop-hooks']);
  });

  it('scopes every resource to this installation, account and region', () => {
    for (const resource of allResources) {
      expect(resource).toMatch(/shop-|\/shop\//);
      if (!resource.startsWith('arn:aws:s3:::')) expect(resource).toContain(':eu-west-1:123456789012:');
    }
  });

  it('names every table and every index from resources.ts exactly', () => {
    const tableStatement = statements.find((s) => s.Sid === 'WorldTables')!;
    expect(tableStatement.Resource).toEqual(TABLE_ROLES.map((role) => `arn:aws:dynamodb:eu-west-1:123456789012:table/shop-${role}`));
    const indexStatement = statements.find((s) => s.Sid === 'WorldIndexes')!;
    const expectedIndexes = TABLE_ROLES.flatMap((role) =>
      TABLES[role].indexes.map((i) => `arn:aws:dynamodb:eu-west-1:123456789012:table/shop-${role}/index/${i.indexName}`),
    );
    expect(indexStatement.Resource).toEqual(expectedIndexes);
    expect(indexStatement.Action).toEqual(['dynamodb:Query']);
  });

  it('grants the queues (not the DLQs) what the event-source mapping and the world need', () => {
    const queues = statements.find((s) => s.Sid === 'WorldQueues')!;
    expect(queues.Resource).toEqual(['arn:aws:sqs:eu-west-1:123456789012:shop-workflow', 'arn:aws:sqs:eu-west-1:123456789012:shop-step']);
    expect(queues.Action).toEqual(expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:SendMessage']));
    expect(allResources.some((r) => r.includes('dlq'))).toBe(false);
  });

  it('lets the worker read its one encryption-key parameter, and no other', () => {
    const key = statements.find((s) => s.Sid === 'EncryptionKeyParameter')!;
    expect(key.Action).toEqual(['ssm:GetParameter']);
    expect(key.Resource).toEqual(['arn:aws:ssm:eu-west-1:123456789012:parameter/workflow-aws/shop-worker/encryption-key']);
    expect(allResources.filter((r) => r.includes(':ssm:'))).toEqual(key.Resource);
  });

  it('limits logs to the function\'s own log group', () => {
    const logs = statements.find((s) => s.Sid === 'FunctionLogs')!;
    expect(logs.Resource).toEqual([`arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/shop-worker:*`]);
  });

  it('trusts only the Lambda service, and only for this account (aws:SourceAccount)', () => {
    expect(JSON.stringify(lambdaTrustPolicy('123456789012'))).toBe(
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Service: 'lambda.amazonaws.com' },
            Action: 'sts:AssumeRole',
            Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
          },
        ],
      }),
    );
    // No wildcard anywhere in the trust policy either.
    expect(JSON.stringify(lambdaTrustPolicy('123456789012'))).not.toContain('*');
  });

  it('allows bucket listings only with one of the world\'s own key prefixes (StringLike: a listing without a prefix is denied)', () => {
    const listing = statements.find((s) => s.Sid === 'WorldPayloadListing')!;
    expect(listing.Action).toEqual(['s3:ListBucket']);
    expect(listing.Resource).toEqual([`arn:aws:s3:::${names.bucket}`]);
    expect(listing.Condition).toEqual({ StringLike: { 's3:prefix': ['payloads/*', 'queue/*'] } });
    // No ...IfExists operator anywhere: an absent key must not satisfy a condition.
    for (const statement of statements) for (const operator of Object.keys(statement.Condition ?? {})) expect(operator).not.toMatch(/IfExists$/);
    // Every condition value is a prefix of ours followed by "*": no bare wildcard.
    for (const statement of statements) {
      for (const values of Object.values(statement.Condition ?? {})) {
        for (const value of Object.values(values).flat()) expect(value).not.toBe('*');
      }
    }
  });
});

describe('arn helpers', () => {
  it('derives the partition from the region', () => {
    expect(partitionOf('us-east-1')).toBe('aws');
    expect(partitionOf('cn-north-1')).toBe('aws-cn');
    expect(partitionOf('us-gov-west-1')).toBe('aws-us-gov');
    expect(installationArns(names, { partition: 'aws-cn', region: 'cn-north-1', accountId: '123456789012' }).bucket).toBe(
      'arn:aws-cn:s3:::shop-payloads',
    );
  });

  it('reads the account id from a role ARN', () => {
    expect(accountIdFromArn('arn:aws:iam::123456789012:role/shop-worker-role')).toBe('123456789012');
    expect(() => accountIdFromArn('not-an-arn')).toThrow(/account id/);
  });
});

describe('samePolicy', () => {
  it('compares the URL-encoded document IAM returns by content', () => {
    const returned = encodeURIComponent(JSON.stringify(policy, null, 2));
    expect(samePolicy(returned, policy)).toBe(true);
    const changed = { ...policy, Statement: policy.Statement.slice(1) };
    expect(samePolicy(returned, changed)).toBe(false);
    expect(samePolicy(undefined, policy)).toBe(false);
  });
});

describe('coverage of what the world calls', () => {
  /** Every `@aws-sdk/client-*` command imported by the world's runtime code (not provisioning, CLI or emulators). */
  async function runtimeCommands(): Promise<Set<string>> {
    const { readdir, readFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const found = new Set<string>();
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) {
          if (!['provisioning', 'local-aws', 'cli', 'memory'].includes(entry.name)) await walk(path);
        } else if (entry.name.endsWith('.ts')) {
          const source = await readFile(path, 'utf8');
          for (const [, names, client] of source.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/client-(dynamodb|sqs|s3)'/g)) {
            for (const name of names!.split(',').map((n) => n.trim().replace(/^type\s+/, ''))) {
              if (name.endsWith('Command') && source.includes(`new ${name}(`)) found.add(`${client}:${name.replace(/Command$/, '')}`);
            }
          }
        }
      }
    };
    await walk(join(process.cwd(), 'src'));
    return found;
  }

  it('grants every DynamoDB, SQS and S3 action the world\'s adapters use', async () => {
    const granted = new Set(statements.flatMap((s) => s.Action));
    const commands = await runtimeCommands();
    expect(commands.size).toBeGreaterThan(5);
    for (const command of commands) {
      // Transactions are authorised item by item (PutItem/UpdateItem/DeleteItem, all granted).
      if (command === 'dynamodb:TransactWriteItems') continue;
      // SQS has no IAM actions of its own for batches: SendMessageBatch needs sqs:SendMessage, and so on.
      // S3's ListObjectsV2 is authorised as s3:ListBucket.
      expect(granted).toContain(command.replace(/^(sqs:\w+)Batch$/, '$1').replace(/^s3:ListObjectsV2$/, 's3:ListBucket'));
    }
  });

  it('batch calls reach only the tables granted batch actions (BATCH_TABLE_ROLES)', async () => {
    const { readFile } = await import('node:fs/promises');
    const { BATCH_TABLE_ROLES } = await import('../../../src/adapters/aws/resources.js');
    const read = (file: string) => readFile(`src/adapters/aws/dynamodb/${file}`, 'utf8');
    // Reads by key: getMany(client, <table>, …).
    const reads = [...(await read('listings.ts')).matchAll(/getMany\(this\.client, this\.tables\.(\w+)/g)].map((m) => m[1]);
    // Batched deletes: overflow entries name their table in the commit plan.
    const writes = [...(await read('commit-transaction.ts')).matchAll(/\{ table: tables\.(\w+), key/g)].map((m) => m[1]);
    expect(reads.length).toBeGreaterThan(0);
    expect(writes.length).toBeGreaterThan(0);
    for (const role of [...reads, ...writes]) expect(BATCH_TABLE_ROLES).toContain(role);
    // No other module sends batch commands.
    const { readdir } = await import('node:fs/promises');
    for (const file of await readdir('src/adapters/aws/dynamodb')) {
      const source = await read(file);
      if (/Batch(Get|Write)ItemCommand\(/.test(source)) expect(file).toBe('batch.ts');
      if (/\b(getMany|writeAll|batchGetAll)\(/.test(source)) expect(['batch.ts', 'listings.ts', 'overflow-cleanup.ts']).toContain(file);
    }
  });
});
