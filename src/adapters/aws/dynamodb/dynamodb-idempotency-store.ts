// Send claims, delivery leases and wake-up marks in the steps table, each
// under its own partition (`Q#k#<key>` and `Q#w#<runId>`, sk `Q`). Every
// transition is one conditional UpdateItem/DeleteItem of an item under 1 KB,
// so it costs one write unit; a lost condition reports the holder through
// ReturnValuesOnConditionCheckFailure. The table's TTL (`expiresAt`, seconds)
// removes records DynamoDB-side; the conditions treat expired ones as free.
import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { lapsedBefore } from '../../../domain/delivery/lease.js';
import type { Clock } from '../../../ports/clock.js';
import type { DeliveryStart, IdempotencyStore, InlineClaim, SendClaim } from '../../../ports/idempotency-store.js';
import { awsErrorName, toWorldError } from '../aws-errors.js';
import { idempotencyRecordKey, nonceRecordKey, wakeupRecordKey } from './keys.js';

type Item = Record<string, AttributeValue>;

const CLAIMED = 'claimed';
const SENT = 'sent';
const DELIVERING = 'delivering';
/** How long a wake-up mark outlives its lease before TTL removes it. */
const WAKEUP_RETENTION_SECONDS = 3600;

const n = (value: number): AttributeValue => ({ N: String(value) });
const s = (value: string): AttributeValue => ({ S: value });

/** When a claim may take a key: free, its window ended, or an unconfirmed claim whose lease ended. */
const CLAIMABLE = 'attribute_not_exists(pk) OR expiresAt < :nowS OR (st = :claimed AND lease < :now)';

/** When a delivery may take the lease of this message's record: in its window, no live lease of another delivery, its nonce not seen. */
const DELIVERABLE = 'mid = :m AND expiresAt >= :nowS AND (st <> :delivering OR lease < :lapsed) AND (attribute_not_exists(seen) OR NOT contains(seen, :n))';

/** What taking a record writes: its holder, state (under `stateKey`), lease end and window end, and now in seconds. */
function claimValues(messageId: string, stateKey: string, state: string, now: number, leaseSeconds: number, windowSeconds: number): Record<string, AttributeValue> {
  return {
    ':m': s(messageId),
    [stateKey]: s(state),
    ':lease': n(now + leaseSeconds * 1000),
    ':exp': n(seconds(now) + windowSeconds),
    ':nowS': n(seconds(now)),
  };
}


export class DynamoDbIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly client: DynamoDBClient,
    /** Physical name of the steps table. */
    private readonly table: string,
    private readonly clock: Clock,
  ) {}

  async claimNonce(nonce: string, ttlSeconds: number): Promise<boolean> {
    const now = this.clock.now();
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: { ...nonceRecordKey(nonce), expiresAt: n(seconds(now) + ttlSeconds) },
          // TTL deletion lags: an expired nonce is free even while its item remains.
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :nowS',
          ExpressionAttributeValues: { ':nowS': n(seconds(now)) },
        }),
      );
      return true;
    } catch (error) {
      if (awsErrorName(error) === 'ConditionalCheckFailedException') return false;
      throw toWorldError(error, 'DynamoDB.PutItem');
    }
  }

  async claimSend(key: string, messageId: string, leaseSeconds: number, windowSeconds: number): Promise<SendClaim> {
    const now = this.clock.now();
    const lost = await this.update({
      Key: idempotencyRecordKey(key),
      // A new owner starts a new record: the previous message's nonces go with it.
      UpdateExpression: 'SET mid = :m, st = :claimed, lease = :lease, att = :zero, expiresAt = :exp REMOVE nonce, seen',
      ConditionExpression: CLAIMABLE,
      ExpressionAttributeValues: { ...claimValues(messageId, ':claimed', CLAIMED, now, leaseSeconds, windowSeconds), ':zero': n(0), ':now': n(now) },
    });
    return lost ? this.heldBy(key, lost) : { won: true };
  }

  async claimInline(key: string, messageId: string, nonce: string, leaseSeconds: number, windowSeconds: number): Promise<InlineClaim> {
    const now = this.clock.now();
    // The claim and the delivery lease in one write: the same record beginDelivery would leave.
    const lost = await this.update({
      Key: idempotencyRecordKey(key),
      UpdateExpression: 'SET mid = :m, st = :delivering, lease = :lease, att = :one, expiresAt = :exp, nonce = :n, seen = :ns',
      ConditionExpression: CLAIMABLE,
      ExpressionAttributeValues: {
        ...claimValues(messageId, ':delivering', DELIVERING, now, leaseSeconds, windowSeconds),
        ':claimed': s(CLAIMED),
        ':now': n(now),
        ':one': n(1),
        ':n': s(nonce),
        ':ns': { SS: [nonce] },
      },
    });
    return lost ? this.heldBy(key, lost) : { won: true, leaseEndsAt: now + leaseSeconds * 1000 };
  }

  /** Who holds a key a claim lost to. */
  private async heldBy(key: string, lost: { item?: Item }): Promise<Extract<SendClaim, { won: false }>> {
    const held = lost.item ?? (await this.read(idempotencyRecordKey(key)));
    // Gone between the failed write and the read (TTL): nobody holds it now, but do not race for it again.
    const claimEndsAt = held?.st?.S === CLAIMED && held.lease?.N !== undefined ? Number(held.lease.N) : undefined;
    return { won: false, holderId: held?.mid?.S ?? '', claimEndsAt };
  }

  async markSent(key: string, messageId: string): Promise<void> {
    await this.update({
      Key: idempotencyRecordKey(key),
      UpdateExpression: 'SET st = :sent REMOVE lease',
      ConditionExpression: 'mid = :m AND st = :claimed',
      ExpressionAttributeValues: { ':m': s(messageId), ':sent': s(SENT), ':claimed': s(CLAIMED) },
    });
  }

  async abandonClaim(key: string, messageId: string, nonce?: string): Promise<void> {
    if (nonce === undefined) {
      await this.deleteIf(idempotencyRecordKey(key), 'mid = :m AND st = :claimed', { ':m': s(messageId), ':claimed': s(CLAIMED) });
    } else {
      await this.deleteIf(idempotencyRecordKey(key), 'mid = :m AND nonce = :n', { ':m': s(messageId), ':n': s(nonce) });
    }
  }

  async beginDelivery(key: string, messageId: string, nonce: string, leaseSeconds: number, windowSeconds: number): Promise<DeliveryStart> {
    const now = this.clock.now();
    const leaseEndsAt = now + leaseSeconds * 1000;
    let attempt = 1;
    // One write takes the lease: of this message's live record, unless another delivery's lease is live (with the skew
    // margin) or this nonce began one before (`seen`: the same write is the replay check); or of no record at all (a key
    // never claimed), which it creates as claimInline would: ADD starts att and seen from nothing, expiresAt is kept if set.
    const lost = await this.update({
      Key: idempotencyRecordKey(key),
      UpdateExpression: 'SET mid = :m, st = :delivering, lease = :lease, nonce = :n, expiresAt = if_not_exists(expiresAt, :exp) ADD att :one, seen :ns',
      ConditionExpression: `attribute_not_exists(pk) OR (${DELIVERABLE})`,
      ExpressionAttributeValues: {
        ':m': s(messageId),
        ':delivering': s(DELIVERING),
        ':lease': n(leaseEndsAt),
        ':n': s(nonce),
        ':ns': { SS: [nonce] },
        ':one': n(1),
        ':exp': n(seconds(now) + windowSeconds),
        ':nowS': n(seconds(now)),
        ':lapsed': n(lapsedBefore(now)),
      },
      ReturnValues: 'UPDATED_NEW',
    }, (attributes) => (attempt = Number(attributes?.att?.N ?? 1)));
    if (!lost) return { kind: 'start', attempt, leaseEndsAt };
    const held = lost.item ?? (await this.read(idempotencyRecordKey(key)));
    if (held && Number(held.expiresAt?.N ?? 0) >= seconds(now)) return this.refusal(held, messageId, nonce, now);
    // Its window ended (TTL has not removed it yet), or it went since the write: a fresh record for this delivery.
    const taken = await this.update({
      Key: idempotencyRecordKey(key),
      UpdateExpression: 'SET mid = :m, st = :delivering, lease = :lease, att = :one, expiresAt = :exp, nonce = :n, seen = :ns',
      ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :nowS',
      ExpressionAttributeValues: {
        ...claimValues(messageId, ':delivering', DELIVERING, now, leaseSeconds, windowSeconds),
        ':one': n(1),
        ':n': s(nonce),
        ':ns': { SS: [nonce] },
      },
    });
    if (!taken) return { kind: 'start', attempt: 1, leaseEndsAt };
    return taken.item ? this.refusal(taken.item, messageId, nonce, now) : { kind: 'busy', leaseEndsAt: now };
  }

  /** Why a live record refused a delivery. */
  private refusal(held: Item, messageId: string, nonce: string, now: number): DeliveryStart {
    if (held.mid?.S !== messageId) return { kind: 'superseded' };
    if (held.seen?.SS?.includes(nonce)) return { kind: 'replayed' };
    return { kind: 'busy', leaseEndsAt: Number(held.lease?.N ?? now) };
  }

  async extendDelivery(key: string, messageId: string, nonce: string, leaseSeconds: number): Promise<number | undefined> {
    const leaseEndsAt = this.clock.now() + leaseSeconds * 1000;
    const lost = await this.update({
      Key: idempotencyRecordKey(key),
      UpdateExpression: 'SET lease = :lease',
      ConditionExpression: 'mid = :m AND st = :delivering AND nonce = :n',
      ExpressionAttributeValues: { ':m': s(messageId), ':delivering': s(DELIVERING), ':n': s(nonce), ':lease': n(leaseEndsAt) },
      ReturnValuesOnConditionCheckFailure: 'NONE',
    });
    return lost ? undefined : leaseEndsAt;
  }

  async releaseDelivery(key: string, messageId: string, nonce: string, resetAttempts: boolean): Promise<void> {
    await this.update({
      Key: idempotencyRecordKey(key),
      UpdateExpression: resetAttempts ? 'SET st = :sent, att = :zero REMOVE lease' : 'SET st = :sent REMOVE lease',
      ConditionExpression: 'mid = :m AND st = :delivering AND nonce = :n',
      ExpressionAttributeValues: {
        ':m': s(messageId),
        ':delivering': s(DELIVERING),
        ':sent': s(SENT),
        ':n': s(nonce),
        ...(resetAttempts ? { ':zero': n(0) } : {}),
      },
      ReturnValuesOnConditionCheckFailure: 'NONE',
    });
  }

  async markWakeup(runId: string, messageId: string, leaseSeconds: number): Promise<SendClaim> {
    const now = this.clock.now();
    const lost = await this.update({
      Key: wakeupRecordKey(runId),
      UpdateExpression: 'SET mid = :m, lease = :lease, expiresAt = :exp',
      ConditionExpression: 'attribute_not_exists(pk) OR lease < :now OR mid = :m',
      ExpressionAttributeValues: {
        ':m': s(messageId),
        ':lease': n(now + leaseSeconds * 1000),
        ':exp': n(seconds(now) + leaseSeconds + WAKEUP_RETENTION_SECONDS),
        ':now': n(now),
      },
    });
    if (!lost) return { won: true };
    const holder = (lost.item ?? (await this.read(wakeupRecordKey(runId))))?.mid?.S;
    return { won: false, holderId: holder ?? '' };
  }

  async pendingWakeup(runId: string): Promise<string | undefined> {
    const item = await this.read(wakeupRecordKey(runId));
    return item && Number(item.lease?.N ?? 0) > this.clock.now() ? item.mid?.S : undefined;
  }

  async clearWakeup(runId: string, messageId: string): Promise<void> {
    await this.deleteIf(wakeupRecordKey(runId), 'mid = :m', { ':m': s(messageId) });
  }

  /** A conditional delete; a lost condition (the record moved on) is not an error. */
  private async deleteIf(key: Item, condition: string, values: Item): Promise<void> {
    try {
      await this.client.send(
        new DeleteItemCommand({ TableName: this.table, Key: key, ConditionExpression: condition, ExpressionAttributeValues: values }),
      );
    } catch (error) {
      if (awsErrorName(error) === 'ConditionalCheckFailedException') return;
      throw toWorldError(error, 'DynamoDB.DeleteItem');
    }
  }

  /** One conditional update; undefined when it applied, else what held the item (when DynamoDB returned it). */
  private async update(
    input: Omit<UpdateItemCommandInput, 'TableName'>,
    applied?: (attributes: Item | undefined) => void,
  ): Promise<{ item?: Item } | undefined> {
    try {
      const out = await this.client.send(
        new UpdateItemCommand({ TableName: this.table, ReturnValuesOnConditionCheckFailure: 'ALL_OLD', ...input }),
      );
      applied?.(out?.Attributes);
      return undefined;
    } catch (error) {
      if (awsErrorName(error) === 'ConditionalCheckFailedException') return { item: (error as { Item?: Item }).Item };
      throw toWorldError(error, 'DynamoDB.UpdateItem');
    }
  }

  private async read(key: Item): Promise<Item | undefined> {
    try {
      const out = await this.client.send(new GetItemCommand({ TableName: this.table, Key: key, ConsistentRead: true }));
      return out.Item;
    } catch (error) {
      throw toWorldError(error, 'DynamoDB.GetItem');
    }
  }
}

const seconds = (ms: number): number => Math.floor(ms / 1000);
