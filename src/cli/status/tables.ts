// The five tables: existence, status, settings, and drift from the schema
// bootstrap creates (resources.ts). DescribeTable/DescribeTimeToLive are
// control-plane calls: they consume no read capacity.
import { DescribeTableCommand, DescribeTimeToLiveCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { schemaMismatch } from '../../infra/provisioning/table-schema.js';
import { TABLE_ROLES, type ResourceNames, type TableRole } from '../../config/resource-names.js';
import { TABLES } from '../../adapters/aws/resources.js';
import { isMissingTable } from '../../adapters/aws/aws-errors.js';

export interface TableStatus {
  role: TableRole;
  name: string;
  exists: boolean;
  status?: string;
  billingMode?: string;
  /** DynamoDB's estimate, refreshed about every six hours. */
  approximateItems?: number;
  sizeBytes?: number;
  indexes?: { name: string; status?: string }[];
  ttl?: string;
  drift: string[];
}

export async function tableStatuses(dynamodb: DynamoDBClient, names: ResourceNames): Promise<TableStatus[]> {
  return Promise.all(TABLE_ROLES.map((role) => tableStatus(dynamodb, role, names.tables[role])));
}

async function tableStatus(dynamodb: DynamoDBClient, role: TableRole, name: string): Promise<TableStatus> {
  let table;
  try {
    table = (await dynamodb.send(new DescribeTableCommand({ TableName: name }))).Table;
  } catch (error) {
    if (isMissingTable(error)) return { role, name, exists: false, drift: ['missing'] };
    throw error;
  }
  if (!table) return { role, name, exists: false, drift: ['missing'] };
  const definition = TABLES[role];
  const drift: string[] = [];
  const mismatch = schemaMismatch(definition, table);
  if (mismatch) drift.push(mismatch);
  const billingMode = table.BillingModeSummary?.BillingMode ?? (table.ProvisionedThroughput?.ReadCapacityUnits ? 'PROVISIONED' : 'PAY_PER_REQUEST');
  if (billingMode !== 'PAY_PER_REQUEST') drift.push(`billing mode ${billingMode} (bootstrap: PAY_PER_REQUEST)`);
  let ttl: string | undefined;
  if (definition.ttlAttribute) {
    const described = (await dynamodb.send(new DescribeTimeToLiveCommand({ TableName: name }))).TimeToLiveDescription;
    ttl = described?.TimeToLiveStatus ?? 'DISABLED';
    if (ttl !== 'ENABLED' && ttl !== 'ENABLING') drift.push(`TTL ${ttl} (bootstrap: ENABLED on ${definition.ttlAttribute})`);
    else if (described?.AttributeName && described.AttributeName !== definition.ttlAttribute) {
      drift.push(`TTL on ${described.AttributeName} (bootstrap: ${definition.ttlAttribute})`);
    }
  }
  return {
    role,
    name,
    exists: true,
    ...(table.TableStatus ? { status: table.TableStatus } : {}),
    billingMode,
    ...(table.ItemCount !== undefined ? { approximateItems: table.ItemCount } : {}),
    ...(table.TableSizeBytes !== undefined ? { sizeBytes: table.TableSizeBytes } : {}),
    indexes: (table.GlobalSecondaryIndexes ?? []).map((i) => ({ name: i.IndexName ?? '?', ...(i.IndexStatus ? { status: i.IndexStatus } : {}) })),
    ...(ttl ? { ttl } : {}),
    drift,
  };
}
