// Port overrides are public API (createWorld's `overrides`): a replaced port
// is the one the world runs on, from the first use of a fresh installation.
import { randomUUID } from 'node:crypto';
import { createWorld, resetMemoryInstallations, TOKENS } from '../../../src/index.js';
import { ManualClock } from '../../../src/testing.js';
import type { MessageQueue } from '../../../src/ports/message-queue.js';

const input = new Uint8Array([1]);
const fresh = () => `overrides-${randomUUID().slice(0, 8)}`;

afterEach(() => resetMemoryInstallations());

describe('createWorld overrides', () => {
  it('runs a fresh installation on the overriding Clock', async () => {
    const clock = new ManualClock(Date.UTC(2030, 0, 1));
    const world = createWorld({ adapters: 'memory', name: fresh(), delivery: 'in-process', overrides: { clock } });
    const { run } = await world.events.create(null, { eventType: 'run_created', eventData: { deploymentId: 'd', workflowName: 'wf', input } });
    expect(run!.createdAt.getTime()).toBe(Date.UTC(2030, 0, 1));

    clock.advance(60_000);
    const started = await world.events.create(run!.runId, { eventType: 'run_started' });
    expect(started.run!.startedAt?.getTime()).toBe(Date.UTC(2030, 0, 1) + 60_000);
    await world.close();
  });

  it('accepts the port identifiers of TOKENS as keys', async () => {
    const clock = new ManualClock(Date.UTC(2031, 5, 1));
    const world = createWorld({ adapters: 'memory', name: fresh(), delivery: 'in-process', overrides: { [TOKENS.Clock]: clock } });
    const { run } = await world.events.create(null, { eventType: 'run_created', eventData: { deploymentId: 'd', workflowName: 'wf', input } });
    expect(run!.createdAt.getTime()).toBe(Date.UTC(2031, 5, 1));
    await world.close();
  });

  it('wraps a port when given a function of it', async () => {
    const sent: string[] = [];
    const spy = (inner: MessageQueue): MessageQueue => ({
      get maxDelaySeconds() {
        return inner.maxDelaySeconds;
      },
      get maxMessageBytes() {
        return inner.maxMessageBytes;
      },
      send: (channel, message) => {
        sent.push(channel);
        return inner.send(channel, message);
      },
      receive: (channel, options) => inner.receive(channel, options),
      ack: (channel, receipt) => inner.ack(channel, receipt),
      setVisibility: (channel, receipt, seconds) => inner.setVisibility(channel, receipt, seconds),
    });
    const world = createWorld({ adapters: 'memory', name: fresh(), delivery: 'in-process', consumer: 'none', overrides: { queue: spy } });
    await world.queue('__wkf_workflow_wf', { runId: 'wrun_01J00000000000000000000000' } as never);
    expect(sent).toEqual(['workflow']);
    await world.close();
  });

  it('refuses a key that names no port', () => {
    expect(() => createWorld({ adapters: 'memory', overrides: { klock: new ManualClock(0) } as never })).toThrow(/unknown port "klock"/);
    expect(() => createWorld({ adapters: 'memory', overrides: { [Symbol('x')]: 1 } })).toThrow(/not a port's identifier/);
  });
});
