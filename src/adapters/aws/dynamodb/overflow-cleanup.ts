// Deletes that did not fit in a commit's 100-action transaction, applied after
// it committed. The run is terminal by then, so these children are dead: the
// domain takes over a token whose holder's run is terminal, and a repeated
// terminal event disposes leftovers again. A failure is logged, not thrown:
// the commit itself has succeeded.
import { DeleteItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Logger } from '../../../ports/logger.js';
import { awsErrorName, toWorldError } from '../aws-errors.js';
import { chunk, writeAll, type BatchRetry } from './batch.js';
import type { CommitPlan } from './commit-transaction.js';
import type { Item } from './item-mappers.js';

const PARALLEL_RELEASES = 10;

export async function applyOverflow(
  client: DynamoDBClient,
  runId: string,
  overflow: CommitPlan['overflow'],
  retry: BatchRetry,
  logger?: Logger,
): Promise<void> {
  const { deletes, tokenReleases } = overflow;
  if (deletes.length === 0 && tokenReleases.length === 0) return;
  try {
    // Tokens first: a claim whose hook is gone would block the token, a hook whose claim is gone blocks nothing.
    for (const group of chunk(tokenReleases, PARALLEL_RELEASES)) {
      await Promise.all(group.map((release) => releaseToken(client, release.table, release.key, release.hookId)));
    }
    // Tables in plan order (hooks before steps): a hook is deleted before its marker.
    const byTable = new Map<string, Item[]>();
    for (const { table, key } of deletes) byTable.set(table, [...(byTable.get(table) ?? []), key]);
    for (const [table, keys] of byTable) {
      await writeAll(client, table, keys.map((Key) => ({ DeleteRequest: { Key } })), retry);
    }
  } catch (error) {
    logger?.warn('dynamodb.commit.overflow_cleanup_failed', {
      runId,
      deletes: deletes.length,
      tokenReleases: tokenReleases.length,
      // Mapped errors keep the AWS error name as their code.
      error: (error as { code?: string }).code ?? awsErrorName(error) ?? 'Error',
    });
  }
}

/**
 * BatchWriteItem has no conditions, and a newer hook may already have taken
 * the token over: release it only from its holder.
 */
async function releaseToken(client: DynamoDBClient, table: string, key: Item, hookId: string): Promise<void> {
  try {
    await client.send(
      new DeleteItemCommand({
        TableName: table,
        Key: key,
        ConditionExpression: 'hookId = :hookId',
        ExpressionAttributeValues: { ':hookId': { S: hookId } },
      }),
    );
  } catch (error) {
    if (awsErrorName(error) === 'ConditionalCheckFailedException') return; // already taken over
    throw toWorldError(error, 'DynamoDB.DeleteItem');
  }
}
