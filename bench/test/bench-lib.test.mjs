// The benches' pure parts: `node --test bench/test/`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { estimateOnAws } from '../lib/aws-latencies.mjs';
import { isConditionFailure, priceRequest } from '../lib/ddb-meter.mjs';
import { describeRequest } from '../lib/aws-proxy.mjs';
import { criticalChain } from '../lib/critical-path.mjs';
import { growth, stepDurations, workPerStep } from '../lib/seq-growth.mjs';
import { plainAgreement } from '../lib/world-postgres.mjs';
import { receivedAny } from '../lib/request-counter.mjs';

const req = (service, op, resource, kind, start, end, messages) => ({ service, op, resource, kind, start, end, messages });

test('criticalChain walks back from run_completed; a receive links to the send that carried its message', () => {
  const records = [
    req('dynamodb', 'PutItem', 'events', 'step_created', 0, 10),
    req('sqs', 'SendMessageBatch', 'step', '', 11, 21),
    req('sqs', 'ReceiveMessage', 'step', '', 0, 26, 1), // parked long poll, returned the message
    req('sqs', 'DeleteMessageBatch', 'step', '', 20, 28), // the previous message's delete, off the path
    req('dynamodb', 'UpdateItem', 'steps', 'Q#k', 29, 39),
    req('dynamodb', 'PutItem', 'steps', 'S#', 30, 45), // a projection write, off the path
    req('dynamodb', 'PutItem', 'events', 'run_completed', 40, 50),
    req('sqs', 'ReceiveMessage', 'workflow', '', 0, 50, 0), // an empty long poll
  ];
  const chain = criticalChain(records).map((r) => `${r.op} ${r.resource} ${r.kind}`.trim());
  assert.deepEqual(chain, ['PutItem events step_created', 'SendMessageBatch step', 'ReceiveMessage step', 'UpdateItem steps Q#k', 'PutItem events run_completed']);
});

test('criticalChain is empty without a run_completed commit', () => {
  assert.deepEqual(criticalChain([req('dynamodb', 'Query', 'events', '', 0, 5)]), []);
});

test('stepDurations: from run_started, one per step_completed; growth compares steps 6-15 with the last 10', () => {
  const at = (ms) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();
  const events = [{ eventType: 'run_started', createdAt: at(0) }];
  let t = 0;
  for (let i = 1; i <= 100; i++) {
    t += i <= 90 ? 50 : 60;
    events.push({ eventType: 'step_created', createdAt: at(t - 10) }, { eventType: 'step_completed', createdAt: at(t) });
  }
  const durations = stepDurations(events);
  assert.equal(durations.length, 100);
  assert.deepEqual(growth(durations), { step10Ms: 50, step100Ms: 60, ratio: 1.2 });
});

test('plainAgreement: ratios per scenario, agreeing only when every one is within 1.5× either way', () => {
  const p50 = (ms) => ({ totalMs: { p50: ms } });
  assert.deepEqual(plainAgreement({ seq20: p50(300), fanout50: p50(900) }, { seq20: p50(250), fanout50: p50(1000) }), { ratios: { seq20: 1.2, fanout50: 0.9 }, agrees: true });
  assert.equal(plainAgreement({ seq20: p50(100) }, { seq20: p50(200) }).agrees, false);
  assert.equal(plainAgreement({ seq20: { error: 'x' } }, { seq20: p50(200) }).agrees, false);
});

test('describeRequest names the operation, the resource without the installation prefix, and the item kind', () => {
  const headers = (target) => ({ headers: { 'x-amz-target': target } });
  assert.deepEqual(describeRequest('dynamodb', headers('DynamoDB_20120810.PutItem'), { TableName: 'bench-events', Item: { pk: { S: 'wrun_1' }, eventType: { S: 'step_started' } } }), { op: 'PutItem', resource: 'events', kind: 'step_started' });
  assert.deepEqual(describeRequest('dynamodb', headers('DynamoDB_20120810.UpdateItem'), { TableName: 'bench-steps', Key: { pk: { S: 'Q#k#abc' }, sk: { S: 'Q' } } }), { op: 'UpdateItem', resource: 'steps', kind: 'Q#k' });
  assert.deepEqual(describeRequest('sqs', headers('AmazonSQS.SendMessageBatch'), { QueueUrl: 'http://127.0.0.1:1/000/bench-step' }), { op: 'SendMessageBatch', resource: 'step', kind: '' });
  assert.deepEqual(describeRequest('s3', { method: 'PUT', url: '/bench-payloads/a/b', headers: {} }, undefined), { op: 'PUT', resource: 'payloads', kind: 'object' });
});

test('estimateOnAws multiplies round trips by each service latency', () => {
  assert.deepEqual(estimateOnAws({ dynamodb: 4, sqs: 1 }), { low: 4 * 5 + 10, high: 4 * 15 + 20 });
});

test('workPerStep: a step owns the requests that ended after the previous step_completed commit, up to its own', () => {
  const records = [
    { kind: '', end: 1, items: 3 },
    { kind: 'step_completed', end: 2, items: 0 },
    { kind: '', end: 3, items: 5 },
    { kind: '', end: 4, items: 1 },
    { kind: 'step_completed', end: 5, items: 0 },
    { kind: '', end: 6, items: 9 }, // after the last step: the run's completion
  ];
  assert.deepEqual(workPerStep(records), [{ requests: 2, itemsRead: 3 }, { requests: 3, itemsRead: 6 }]);
});

test('receivedAny tells a receive that carried messages from an empty one, in both SQS protocols', () => {
  assert.equal(receivedAny('{"Messages":[{"MessageId":"m1","Body":"x"}]}'), true);
  assert.equal(receivedAny('{"Messages": [ {"MessageId":"m1"}]}'), true);
  assert.equal(receivedAny('{"Messages":[]}'), false);
  assert.equal(receivedAny('{}'), false);
  assert.equal(receivedAny('<ReceiveMessageResponse><ReceiveMessageResult><Message><MessageId>m1</MessageId></Message></ReceiveMessageResult></ReceiveMessageResponse>'), true);
  assert.equal(receivedAny('<ReceiveMessageResponse><ReceiveMessageResult/></ReceiveMessageResponse>'), false);
});

test('priceRequest bills a failed conditional write by the existing item (at least 1 WCU), and leaves a cancelled transaction unpriced', () => {
  const failed = { __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException', message: 'The conditional request failed' };
  assert.equal(isConditionFailure(failed), true);
  assert.equal(isConditionFailure({ __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException' }), false);
  const body = { TableName: 't', Key: { pk: { S: 'k' } } };
  const big = { pk: { S: 'k' }, blob: { S: 'x'.repeat(2500) } };
  const one = (old) => priceRequest('UpdateItem', body, failed, false, [{ table: 't', key: body.Key, kind: 'Update' }], [old], [], new Map());
  assert.equal(one(big).computed.base, 3);
  assert.equal(one(undefined).computed.base, 1);
  const cancelled = priceRequest('TransactWriteItems', { TransactItems: [] }, { __type: 'x#TransactionCanceledException' }, false, [{ table: 't', key: body.Key, kind: 'Put', transactional: true }], [big], [], new Map());
  assert.equal(cancelled.computed.base, 0);
});
