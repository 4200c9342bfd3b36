// The profiling helpers: which body of code a script belongs to, and a
// profile's samples charged to the nearest frame of a known body.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bucketOf, splitProfile } from '../lib/cpu-profile-split.mjs';
import { cpuSpent } from '../lib/process-cpu.mjs';

test('bucketOf names world-aws by directory, the SDK, the runtime and the emulators; Node and natives are undefined', () => {
  assert.equal(bucketOf('file:///w/dist/adapters/aws/dynamodb/run-tail.js'), 'world-aws: adapters/aws');
  assert.equal(bucketOf('file:///w/dist/application/storage/event-service.js'), 'world-aws: application/storage');
  assert.equal(bucketOf('file:///w/dist/infra/local-aws/dynalite-server.js'), 'emulator: local-aws glue');
  assert.equal(bucketOf('file:///w/node_modules/@smithy/core/dist-cjs/index.js'), 'AWS SDK');
  assert.equal(bucketOf('file:///w/node_modules/@aws-sdk/client-dynamodb/dist-cjs/index.js'), 'AWS SDK');
  assert.equal(bucketOf('file:///w/node_modules/dynalite/db/index.js'), 'emulator: dynalite');
  assert.equal(bucketOf('file:///w/node_modules/@workflow/core/dist/runtime.js'), 'runtime: @workflow/core');
  assert.equal(bucketOf('file:///app/.well-known/workflow/v1/flow.js'), 'runtime: app bundle (wf build)');
  assert.equal(bucketOf('node:internal/http'), undefined);
  assert.equal(bucketOf(''), undefined);
});

test('splitProfile charges a Node frame to the known code that called it, and keeps idle and GC apart, inside the window', () => {
  const frame = (id, functionName, url, children = []) => ({ id, callFrame: { functionName, url, lineNumber: 0 }, children });
  const profile = {
    nodes: [
      frame(1, '(root)', '', [2, 5, 6]),
      frame(2, 'send', 'file:///w/node_modules/@smithy/core/dist-cjs/index.js', [3]),
      frame(3, 'createHmac', 'node:crypto', [4]),
      frame(4, 'digest', ''),
      frame(5, '(idle)', ''),
      frame(6, '(garbage collector)', ''),
    ],
    // 4 ms of SDK (via a native under node:crypto), 2 ms idle, 1 ms GC, then 5 ms of SDK outside the window.
    samples: [4, 4, 3, 2, 5, 5, 6, 2],
    timeDeltas: [1000, 1000, 1000, 1000, 1000, 1000, 1000, 5000],
  };
  const { buckets, totalMs } = splitProfile(profile, { toMs: 8 });
  assert.deepEqual(buckets, { 'AWS SDK': 4, idle: 2, GC: 1 });
  assert.equal(totalMs, 7);
});

test('cpuSpent is the CPU each process used between two snapshots', () => {
  const before = { '1 node a': { cpuMs: 100, systemMs: 10 } };
  const after = { '1 node a': { cpuMs: 160, systemMs: 15 }, '2 node b': { cpuMs: 30, systemMs: 3 } };
  assert.deepEqual(cpuSpent(before, after), { '1 node a': { cpuMs: 60, systemMs: 5 }, '2 node b': { cpuMs: 30, systemMs: 3 } });
});
