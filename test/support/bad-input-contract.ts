// Bad input through the public World API: each case gets a WorkflowWorldError
// with a 4xx status and a message naming the field, and nothing is stored.
// Shared by the in-memory world (unit) and DynamoDB + S3 (integration).
import { WorkflowWorldError } from '@workflow/errors';
import type { World } from '@workflow/world';

export interface BadInputTarget {
  world: World;
  teardown(): Promise<void>;
}

const bytes = (...values: number[]) => new Uint8Array(values);

async function refusal(call: () => Promise<unknown>): Promise<WorkflowWorldError> {
  try {
    await call();
  } catch (error) {
    expect(WorkflowWorldError.is(error)).toBe(true);
    return error as WorkflowWorldError;
  }
  throw new Error('expected a refusal, but the call succeeded');
}

export function describeBadInput(label: string, setup: () => Promise<BadInputTarget>): void {
  describe(`bad input: ${label}`, () => {
    let target: BadInputTarget;
    let world: World;
    beforeAll(async () => {
      target = await setup();
      world = target.world;
    });
    afterAll(async () => {
      await target?.teardown();
    });

    const create = (runId: string | null, request: unknown) => world.events.create(runId as string, request as never);
    const runCreated = (input: unknown) => ({ eventType: 'run_created', eventData: { deploymentId: 'dpl', workflowName: 'bad-input-wf', input } });
    const runCount = async () => (await world.runs.list({ workflowName: 'bad-input-wf', pagination: { limit: 1000 } })).data.length;

    async function activeRun(): Promise<string> {
      const { run } = await create(null, runCreated(bytes(1)));
      await create(run!.runId, { eventType: 'run_started' });
      return run!.runId;
    }

    const circular: Record<string, unknown> = { a: 1 };
    circular.self = circular;
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 3000; i++) deep = { n: deep };

    const cases: Array<[string, () => unknown, RegExp]> = [
      ['a null request', () => null, /request: expected an object; got null/],
      ['a BigInt', () => runCreated({ big: 10n }), /request\.eventData\.input\.big: a BigInt/],
      ['a circular value', () => runCreated(circular), /request\.eventData\.input\.self: circular reference/],
      ['nesting 3,000 deep', () => runCreated(deep), /request\.eventData\.input\.n\.n.*nested deeper than 512 levels/],
      ['a function', () => runCreated({ fn: () => 1 }), /request\.eventData\.input\.fn: a function/],
      ['a Map', () => runCreated({ m: new Map([['k', 1]]) }), /request\.eventData\.input\.m: a Map cannot be stored/],
      ['a Set', () => runCreated([new Set([1])]), /request\.eventData\.input\[0\]: a Set cannot be stored/],
      ['a class instance', () => runCreated({ c: new (class Point { x = 1 })() }), /request\.eventData\.input\.c: a Point cannot be stored/],
      ['a typed array other than Uint8Array', () => runCreated({ t: new Int16Array(2) }), /request\.eventData\.input\.t: a Int16Array cannot be stored/],
    ];

    it.each(cases)('refuses %s with a 400 naming the field, storing nothing', async (_label, request, field) => {
      const before = await runCount();
      const error = await refusal(() => create(null, request()));
      expect(error.status).toBe(400);
      expect(error.message).toMatch(field);
      expect(await runCount()).toBe(before);
    });

    it('keeps what a store can hold: Uint8Array (and Buffer) bytes, dates, null-prototype objects', async () => {
      const input = { bytes: bytes(1, 2), buffer: Buffer.from([3]), at: new Date(0), bare: Object.assign(Object.create(null) as object, { k: 'v' }) };
      const { run } = await create(null, runCreated(input));
      const stored = (await world.runs.get(run!.runId)).input as Record<string, unknown>;
      expect([...(stored.bytes as Uint8Array)]).toEqual([1, 2]);
      expect([...(stored.buffer as Uint8Array)]).toEqual([3]);
      expect((stored.at as Date).getTime()).toBe(0);
      expect({ ...(stored.bare as object) }).toEqual({ k: 'v' });
    });

    it('refuses a null request on an existing run, and an empty runId, appending nothing', async () => {
      const runId = await activeRun();
      const events = async () => (await world.events.list({ runId, pagination: { limit: 1000 } })).data.length;
      const before = await events();
      const onRun = await refusal(() => create(runId, null));
      expect([onRun.status, onRun.message]).toEqual([400, expect.stringMatching(/request: expected an object/)]);
      const emptyRunId = await refusal(() => create('', { eventType: 'run_started' }));
      expect([emptyRunId.status, emptyRunId.message]).toEqual([400, expect.stringMatching(/runId/)]);
      expect(await events()).toBe(before);
    });

    it('refuses an empty hook token, creating no hook and no event', async () => {
      const runId = await activeRun();
      const events = async () => (await world.events.list({ runId, pagination: { limit: 1000 } })).data.length;
      const before = await events();
      const error = await refusal(() => create(runId, { eventType: 'hook_created', correlationId: 'hook_1', eventData: { token: '' } }));
      expect(error.status).toBe(400);
      expect(error.message).toMatch(/eventData\.token must not be empty/);
      expect(await events()).toBe(before);
      expect((await world.hooks.list({ runId })).data).toEqual([]);
    });

    it('round-trips an own "__proto__" key (valid JSON) through events and runs', async () => {
      const input = JSON.parse('{"__proto__": {"x": 1}, "y": [{"__proto__": 2}]}') as Record<string, unknown>;
      const { run } = await create(null, runCreated(input));
      const stored = (await world.runs.get(run!.runId)).input as Record<string, unknown>;
      expect(Object.getOwnPropertyNames(stored)).toEqual(['__proto__', 'y']);
      expect(Object.getPrototypeOf(stored)).toBe(Object.prototype);
      expect(JSON.stringify(stored)).toBe(JSON.stringify(input));
      const [event] = (await world.events.list({ runId: run!.runId })).data;
      expect(JSON.stringify((event as unknown as { eventData: { input: unknown } }).eventData.input)).toBe(JSON.stringify(input));
    });

    describe('streams', () => {
      it.each([0, -1, Number.NaN, 1.5, 100_000])('refuses getStreamChunks limit %p with a 400 naming the limit', async (limit) => {
        const error = await refusal(() => world.getStreamChunks('strm_bad_limit', 'wrun_x', { limit }));
        expect(error.status).toBe(400);
        expect(error.message).toMatch(/limit/);
      });

      it('refuses a write after closeStream with a 409, and the chunk is not stored', async () => {
        const name = `strm_closed_${Date.now()}`;
        await world.writeToStream(name, 'wrun_x', bytes(1));
        await world.closeStream(name, 'wrun_x');
        const error = await refusal(() => world.writeToStream(name, 'wrun_x', bytes(2)));
        expect(error.status).toBe(409);
        expect(error.message).toMatch(new RegExp(`stream "${name}".*closed`));
        const multi = await refusal(() => (world as unknown as { writeToStreamMulti(n: string, r: string, c: Uint8Array[]): Promise<void> }).writeToStreamMulti(name, 'wrun_x', [bytes(3), bytes(4)]));
        expect(multi.status).toBe(409);
        const page = await world.getStreamChunks(name, 'wrun_x');
        expect(page.data.map((c) => [...c.data])).toEqual([[1]]);
        expect(page.done).toBe(true);
      });
    });
  });
}
