// A table definition from resources.ts as a CreateTable request, and the check
// that an existing table still has the keys and indexes the adapters rely on.
import type { CreateTableCommandInput, TableDescription } from '@aws-sdk/client-dynamodb';
import type { KeyAttribute, TableDefinition } from '../../adapters/aws/resources.js';

export function createTableInput(definition: TableDefinition, tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: attributeDefinitions(definition),
    KeySchema: keySchema(definition.partitionKey, definition.sortKey),
    ...(definition.indexes.length > 0
      ? {
          GlobalSecondaryIndexes: definition.indexes.map((index) => ({
            IndexName: index.indexName,
            KeySchema: keySchema(index.partitionKey, index.sortKey),
            Projection: { ProjectionType: index.projection },
          })),
        }
      : {}),
    // Encrypted with the AWS managed KMS key (aws/dynamodb), visible in DescribeTable.
    SSESpecification: { Enabled: true, SSEType: 'KMS' },
  };
}

/** Why an existing table cannot serve the definition, or undefined when it can. */
export function schemaMismatch(definition: TableDefinition, table: TableDescription): string | undefined {
  const want = keySchema(definition.partitionKey, definition.sortKey);
  const have = (table.KeySchema ?? []).map((k) => ({ AttributeName: k.AttributeName, KeyType: k.KeyType }));
  if (JSON.stringify(want) !== JSON.stringify(have)) {
    return `has key schema ${describeKeys(have)}, expected ${describeKeys(want)}`;
  }
  const indexes = new Map((table.GlobalSecondaryIndexes ?? []).map((i) => [i.IndexName, i]));
  for (const index of definition.indexes) {
    const existing = indexes.get(index.indexName);
    if (!existing) return `lacks global secondary index ${index.indexName}`;
    const wantIndex = keySchema(index.partitionKey, index.sortKey);
    const haveIndex = (existing.KeySchema ?? []).map((k) => ({ AttributeName: k.AttributeName, KeyType: k.KeyType }));
    if (JSON.stringify(wantIndex) !== JSON.stringify(haveIndex)) {
      return `has index ${index.indexName} keyed ${describeKeys(haveIndex)}, expected ${describeKeys(wantIndex)}`;
    }
  }
  return undefined;
}

function attributeDefinitions(definition: TableDefinition): { AttributeName: string; AttributeType: KeyAttribute['type'] }[] {
  const all = [definition.partitionKey, definition.sortKey, ...definition.indexes.flatMap((i) => [i.partitionKey, i.sortKey])];
  const byName = new Map<string, KeyAttribute>();
  for (const attr of all) {
    if (!attr) continue;
    const seen = byName.get(attr.name);
    if (seen && seen.type !== attr.type) throw new Error(`attribute ${attr.name} is declared as both ${seen.type} and ${attr.type}`);
    byName.set(attr.name, attr);
  }
  return [...byName.values()].map((a) => ({ AttributeName: a.name, AttributeType: a.type }));
}

function keySchema(partitionKey: KeyAttribute, sortKey?: KeyAttribute): { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[] {
  return [{ AttributeName: partitionKey.name, KeyType: 'HASH' as const }, ...(sortKey ? [{ AttributeName: sortKey.name, KeyType: 'RANGE' as const }] : [])];
}

function describeKeys(keys: { AttributeName?: string; KeyType?: string }[]): string {
  return `[${keys.map((k) => `${k.AttributeName} ${k.KeyType}`).join(', ')}]`;
}
