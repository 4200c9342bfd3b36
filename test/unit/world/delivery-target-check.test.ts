// HTTP delivery from this process with nowhere to deliver fails at start()
// and queue() with one error naming what to set, instead of stalling runs.
import { ConfigError } from '../../../src/config/world-config.js';
import { deliveryTargetCheck } from '../../../src/world/delivery-target-check.js';
import { createWorld } from '../../../src/world/create-world.js';
import { resetMemoryInstallations } from '../../../src/world/memory-ports.js';

const WHAT_TO_SET = /set PORT or WORKFLOW_AWS_BASE_URL/;

describe('deliveryTargetCheck', () => {
  const http = { consumer: 'process', delivery: 'http' } as const;

  it('throws a ConfigError naming PORT and WORKFLOW_AWS_BASE_URL when neither is known', () => {
    const check = deliveryTargetCheck(http, {});
    expect(() => check.assert()).toThrow(ConfigError);
    expect(() => check.assert()).toThrow(WHAT_TO_SET);
  });

  it.each([
    ['a base URL', { ...http, baseUrl: 'http://127.0.0.1:3000' }, {}],
    ['a configured port', { ...http, port: 3000 }, {}],
    ['PORT in the environment', http, { PORT: '3000' }],
    ['in-process delivery', { consumer: 'process', delivery: 'in-process' }, {}],
    ['a Lambda consumer', { consumer: 'lambda', delivery: 'http' }, {}],
    ['a producer-only process', { consumer: 'none', delivery: 'http' }, {}],
  ] as const)('passes with %s', (_label, config, env) => {
    expect(() => deliveryTargetCheck(config, env).assert()).not.toThrow();
  });

  it('sees PORT set after the world was built (frameworks set it when they listen)', () => {
    const env: Record<string, string | undefined> = {};
    const check = deliveryTargetCheck(http, env);
    expect(() => check.assert()).toThrow(WHAT_TO_SET);
    env.PORT = '4000';
    expect(() => check.assert()).not.toThrow();
  });

  it('guards queue(): the call fails before anything is sent', async () => {
    let sent = 0;
    const queue = deliveryTargetCheck(http, {}).guard(async () => {
      sent++;
      return { messageId: 'x' } as never;
    });
    await expect(queue('__wkf_workflow_x' as never, {} as never)).rejects.toThrow(WHAT_TO_SET);
    expect(sent).toBe(0);
  });
});

describe('a world with HTTP delivery and no PORT or base URL', () => {
  const savedPort = process.env.PORT;
  const savedBase = process.env.WORKFLOW_AWS_BASE_URL;
  beforeEach(() => {
    delete process.env.PORT;
    delete process.env.WORKFLOW_AWS_BASE_URL;
    resetMemoryInstallations();
  });
  afterAll(() => {
    if (savedPort !== undefined) process.env.PORT = savedPort;
    if (savedBase !== undefined) process.env.WORKFLOW_AWS_BASE_URL = savedBase;
  });

  it('rejects start() and queue() with the same error', async () => {
    const world = createWorld({ adapters: 'memory', name: 'no-target', consumer: 'process', delivery: 'http' });
    try {
      await expect(world.start()).rejects.toThrow(WHAT_TO_SET);
      await expect(world.queue('__wkf_workflow_x' as never, { runId: 'wrun_x' } as never)).rejects.toThrow(WHAT_TO_SET);
    } finally {
      await world.close();
    }
  });
});
