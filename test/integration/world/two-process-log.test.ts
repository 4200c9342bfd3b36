// The log prefix a process holds, across processes (two process scopes on one
// installation, each with its own log cache): another process's appends show
// up in the next replay's log and listing, because every replay reads the tail
// after the held prefix, strongly consistent; and a replay costs one Query.
import { jest } from '@jest/globals';
import type { Event, World } from '@workflow/world';
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbEventStore } from '../../../src/adapters/aws/dynamodb/index.js';
import { resolveWorldConfig } from '../../../src/config/world-config.js';
import { newUlid } from '../../../src/domain/ids.js';
import { RunLogCache } from '../../../src/domain/run-log-cache.js';
import { startLocalAws, type LocalAws } from '../../../src/infra/local-aws/index.js';
import { ProcessScope } from '../../../src/process-scope.js';
import { compose } from '../../../src/world/compose.js';

jest.setTimeout(120_000);

let local: LocalAws;
const saved = { ...process.env };
const worlds: Array<{ close(): Promise<void> }> = [];
beforeAll(async () => {
  local = await startLocalAws({ name: 'twoproclog' });
  Object.assign(process.env, local.env);
});
afterAll(async () => {
  await Promise.all(worlds.map((w) => w.close()));
  await local.stop();
  process.env = saved;
});

/** A world in its own process scope, with its DynamoDB Queries counted. */
function processWorld(): { world: World; queries: () => number } {
  const config = resolveWorldConfig({ consumer: 'none' });
  const client = new DynamoDBClient({ endpoint: local.endpoints.dynamodb, region: local.region, credentials: local.credentials });
  let queries = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'QueryCommand') queries++;
      return next(args);
    },
    { step: 'initialize' },
  );
  const events = new DynamoDbEventStore(client, config.resources.tables, { logs: new RunLogCache(() => Date.now()) });
  const world = compose(config, new ProcessScope(), { events });
  worlds.push(world);
  return { world, queries: () => queries };
}

const create = (world: World, runId: string, request: object) => world.events.create(runId, request as never);
const types = (events: Event[] | undefined) => events?.map((e) => `${e.eventType}${e.correlationId ? `:${e.correlationId}` : ''}`);
const stepEvents = (id: string, result: number) => [
  { eventType: 'step_created', correlationId: id, eventData: { stepName: 's', input: new Uint8Array([1]) } },
  { eventType: 'step_started', correlationId: id },
  { eventType: 'step_completed', correlationId: id, eventData: { result: new Uint8Array([result]) } },
];

it('a replay in B sees A’s appends after B’s held prefix, from one Query; listings page through them', async () => {
  const a = processWorld();
  const b = processWorld();
  const runId = newUlid('wrun_', Date.now(), randomBytes(10));
  await create(a.world, runId, { eventType: 'run_created', eventData: { deploymentId: 'dpl', workflowName: 'wf', input: new Uint8Array([7]) } });
  await create(a.world, runId, { eventType: 'run_started' });

  // B's first replay: nothing held, the whole log from one tail read (B decides on fresh reads here).
  const first = await create(b.world, runId, { eventType: 'run_started' });
  expect(types(first.events)).toEqual(['run_created', 'run_started']);
  expect(first.hasMore).toBe(false);

  for (const request of stepEvents('step_1', 1)) await create(a.world, runId, request);

  // B's next replay: its prefix plus A's three events.
  const second = await create(b.world, runId, { eventType: 'run_started' });
  expect(types(second.events)).toEqual(['run_created', 'run_started', 'step_created:step_1', 'step_started:step_1', 'step_completed:step_1']);
  expect((second.events![4] as { eventData: { result: unknown } }).eventData.result).toEqual(new Uint8Array([1]));

  // The cursor run_started returned continues events.list: A's later append is the next page.
  for (const request of stepEvents('step_2', 2)) await create(a.world, runId, request);
  const next = await b.world.events.list({ runId, pagination: { cursor: second.cursor! } });
  expect(types(next.data)).toEqual(['step_created:step_2', 'step_started:step_2', 'step_completed:step_2']);
  expect(next.hasMore).toBe(false);

  // Small pages through the held prefix agree with a process that holds nothing.
  const c = processWorld();
  const pages = async (world: World, sortOrder: 'asc' | 'desc') => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await world.events.list({ runId, pagination: { limit: 3, sortOrder, cursor } });
      seen.push(...types(page.data)!);
      cursor = page.hasMore ? page.cursor! : undefined;
    } while (cursor);
    return seen;
  };
  for (const order of ['asc', 'desc'] as const) expect(await pages(b.world, order)).toEqual(await pages(c.world, order));
  expect((await pages(b.world, 'asc')).length).toBe(8);
});

it('a replay of a run this process has been writing costs one Query, however long the run', async () => {
  const a = processWorld();
  const runId = newUlid('wrun_', Date.now(), randomBytes(10));
  await create(a.world, runId, { eventType: 'run_created', eventData: { deploymentId: 'dpl', workflowName: 'wf', input: new Uint8Array([7]) } });
  await create(a.world, runId, { eventType: 'run_started' });
  const perReplay: number[] = [];
  for (let i = 1; i <= 12; i++) {
    for (const request of stepEvents(`step_${i}`, i)) await create(a.world, runId, request);
    const before = a.queries();
    const replay = await create(a.world, runId, { eventType: 'run_started' });
    perReplay.push(a.queries() - before);
    expect(replay.events).toHaveLength(2 + 3 * i);
  }
  expect(perReplay).toEqual(Array(12).fill(1));
});
