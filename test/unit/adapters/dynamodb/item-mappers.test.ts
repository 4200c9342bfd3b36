// Item shapes the indexes rely on, and exact entity round trips.
import { createHash } from 'node:crypto';
import { BlobPointer } from '../../../../src/domain/model.js';
import {
  eventToItem,
  hookMarkerToItem,
  hookToItem,
  itemToEvent,
  itemToHook,
  itemToRun,
  itemToStep,
  itemToWait,
  runToItem,
  stepToItem,
  tokenClaimToItem,
  waitToItem,
  waitTombstone,
} from '../../../../src/adapters/aws/dynamodb/item-mappers.js';
import { idempotencyRecordKey, runShard, shardOf } from '../../../../src/adapters/aws/dynamodb/keys.js';
import { at, bytes, event, hook, RUN_ID, run, step, T0, wait } from './fixtures.js';

const shard = runShard(RUN_ID);

describe('keys', () => {
  it('shards by the first 4 bytes of SHA-256, modulo 8', () => {
    const expected = createHash('sha256').update(RUN_ID).digest().readUInt32BE(0) % 8;
    expect(shardOf(RUN_ID)).toBe(expected);
    expect(shard).toBe(`R#${expected}`);
  });

  it('hashes idempotency keys too long for a partition key', () => {
    expect(idempotencyRecordKey('k1')).toEqual({ pk: { S: 'Q#k#k1' }, sk: { S: 'Q' } });
    const long = 'x'.repeat(2000);
    expect(idempotencyRecordKey(long).pk!.S).toBe(`Q#k#sha256:${createHash('sha256').update(long).digest('hex')}`);
  });
});

describe('run items', () => {
  it('carry the index attributes and dates as epoch ms', () => {
    const r = run('running', { startedAt: at(5), input: new BlobPointer('payloads/r/input.bin', 99_000) });
    const item = runToItem(r, 7, 1_800_000_000);
    expect(item).toEqual({
      pk: { S: RUN_ID },
      shard: { S: shard },
      statusShard: { S: `running#${shard}` },
      seq: { N: '7' },
      expiresAt: { N: '1800000000' },
      runId: { S: RUN_ID },
      status: { S: 'running' },
      deploymentId: { S: 'dpl_1' },
      workflowName: { S: 'wf//order' },
      specVersion: { N: '3' },
      executionContext: { M: { workflowCoreVersion: { S: '4.8.9' } } },
      input: { M: { $t: { S: 'ptr' }, k: { S: 'payloads/r/input.bin' }, n: { N: '99000' } } },
      createdAt: { N: String(T0) },
      updatedAt: { N: String(T0) },
      startedAt: { N: String(T0 + 5) },
    });
    const back = itemToRun(item);
    expect(back).toEqual(r);
    expect(back.startedAt).toBeInstanceOf(Date);
    expect(back.input).toBeInstanceOf(BlobPointer);
  });

  it('leave out an empty workflowName (not a valid index key) and restore it', () => {
    const item = runToItem(run('pending', { workflowName: '' }), 1);
    expect(item.workflowName).toBeUndefined();
    expect(itemToRun(item).workflowName).toBe('');
  });

  it('round-trip a failed run with its structured error', () => {
    const r = run('failed', { completedAt: at(9), error: { message: 'boom', stack: 'at x', code: 'USER_ERROR' } });
    expect(itemToRun(runToItem(r, 3))).toEqual(r);
  });
});

describe('entity items', () => {
  it('events: sk = the sequence number, zero-padded; runId only as the key; nested dates restored', () => {
    const e = event(3, 'wait_created', { correlationId: 'wait_1', eventData: { resumeAt: at(60_000) } });
    const item = eventToItem(e, 3);
    expect(item.pk).toEqual({ S: RUN_ID });
    expect(item.sk).toEqual({ S: '000000000003' });
    expect(item.runId).toBeUndefined();
    expect(item.eventId).toEqual({ S: e.eventId });
    expect(item.correlationId).toEqual({ S: 'wait_1' });
    expect(item.createdAt).toEqual({ N: String(T0 + 3) });
    const back = itemToEvent(item) as typeof e & { eventData: { resumeAt: Date } };
    expect(back).toEqual(e);
    expect(back.eventData.resumeAt).toBeInstanceOf(Date);
    expect(eventToItem(event(4, 'run_started'), 4).correlationId).toBeUndefined();
  });

  it('events: payload bytes come back byte for byte', () => {
    const e = event(5, 'hook_received', { correlationId: 'hook_1', eventData: { payload: bytes(0, 1, 254, 255) } });
    const back = itemToEvent(eventToItem(e, 5)) as typeof e & { eventData: { payload: Uint8Array } };
    expect(Array.from(back.eventData.payload)).toEqual([0, 1, 254, 255]);
  });

  it('steps: sk S#<stepId>, cid for the correlation index, seq of the commit they show', () => {
    const s = step('step_1', 'pending', { retryAfter: at(30_000), error: { message: 'retry' } });
    const item = stepToItem(s, 4);
    expect(item.sk).toEqual({ S: 'S#step_1' });
    expect(item.cid).toEqual({ S: 'step_1' });
    expect(item.seq).toEqual({ N: '4' });
    expect(item.retryAfter).toEqual({ N: String(T0 + 30_000) });
    expect(itemToStep(item)).toEqual(s);
  });

  it('waits: sk W#<waitId>, cid = the correlation id; a deleted wait leaves a tombstone with its seq', () => {
    const w = wait('wait_1', 'completed', { completedAt: at(61_000) });
    const item = waitToItem(w, 6);
    expect(item.sk).toEqual({ S: `W#${RUN_ID}-wait_1` });
    expect(item.cid).toEqual({ S: 'wait_1' });
    expect(itemToWait(item)).toEqual(w);
    expect(waitTombstone(w, 9)).toEqual({ pk: { S: RUN_ID }, sk: { S: `W#${RUN_ID}-wait_1` }, cid: { S: 'wait_1' }, seq: { N: '9' }, gone: { BOOL: true } });
  });

  it('hooks: pk H#<hookId>, sharded, token kept for the API', () => {
    const h = hook('hook_1', 'secret-token');
    const item = hookToItem(h);
    expect(item.pk).toEqual({ S: 'H#hook_1' });
    expect(item.shard?.S).toMatch(/^H#[0-7]$/);
    expect(item.token).toEqual({ S: 'secret-token' });
    expect(itemToHook(item)).toEqual(h);
  });

  it('hook markers: in the run partition at K#<hookId>, cid = hookId, TTL when given', () => {
    expect(hookMarkerToItem(RUN_ID, 'hook_1')).toEqual({ pk: { S: RUN_ID }, sk: { S: 'K#hook_1' }, hookId: { S: 'hook_1' }, cid: { S: 'hook_1' } });
    expect(hookMarkerToItem(RUN_ID, 'hook_1', 1_900_000_000).expiresAt).toEqual({ N: '1900000000' });
  });

  it('token claims: hashed key, no runId or shard (stay out of the hook indexes)', () => {
    const item = tokenClaimToItem('secret-token', 'hook_1', RUN_ID);
    expect(item).toEqual({
      pk: { S: `T#${createHash('sha256').update('secret-token').digest('hex')}` },
      hookId: { S: 'hook_1' },
      holderRunId: { S: RUN_ID },
    });
    expect(JSON.stringify(item)).not.toContain('secret-token');
  });
});
