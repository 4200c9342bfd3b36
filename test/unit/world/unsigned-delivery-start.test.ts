// Without a shared signing secret, a world refuses to start a consumer that
// would deliver to another host: the app there could not verify the deliveries.
// With one, deliveries to another host go over https unless
// WORKFLOW_AWS_ALLOW_PLAIN_HTTP says the network is private.
import { createWorld } from '../../../src/world/create-world.js';
import { resolveWorldConfig } from '../../../src/config/world-config.js';
import { isLoopbackUrl } from '../../../src/application/queue/loopback.js';
import { createHttpDeliverer } from '../../../src/application/queue/http-deliverer.js';
import { SystemClock } from '../../../src/adapters/system/system-clock.js';

const worlds: Array<{ close?: () => Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(worlds.splice(0).map((w) => w.close?.()));
});

const SHARED = 'a-shared-secret-of-at-least-32-bytes';

function world(baseUrl: string, signingSecret?: string, allowPlainHttp?: boolean) {
  const w = createWorld({ adapters: 'memory', consumer: 'process', delivery: 'http', baseUrl, signingSecret, allowPlainHttp });
  worlds.push(w);
  return w;
}

it('fails at start() with an error naming WORKFLOW_AWS_SIGNING_SECRET for a non-loopback base URL', async () => {
  await expect(world('https://app.example.com').start!()).rejects.toThrow(/WORKFLOW_AWS_SIGNING_SECRET/);
  await expect(world('http://10.0.0.7:3000').start!()).rejects.toThrow(/WORKFLOW_AWS_SIGNING_SECRET/);
});

it('builds the deliverer for a loopback base URL, or for any URL with a secret', async () => {
  const clock = new SystemClock();
  for (const config of [{ baseUrl: 'http://127.0.0.1:3000' }, { baseUrl: 'https://app.example.com', signingSecret: SHARED }, {}]) {
    await createHttpDeliverer({ config, env: { PORT: '3000' }, clock }).close();
  }
  expect(() => createHttpDeliverer({ config: { baseUrl: 'https://app.example.com' }, env: {}, clock })).toThrow(/WORKFLOW_AWS_SIGNING_SECRET/);
});

it.each([
  ['http://127.0.0.1:3000', true],
  ['http://127.8.9.10', true],
  ['http://localhost:3000/base', true],
  ['http://[::1]:3000', true],
  ['http://[::ffff:127.0.0.1]:80', true],
  ['http://10.0.0.1', false],
  ['http://0.0.0.0:3000', false],
  ['http://127.0.0.1.nip.io', false],
  ['https://example.com', false],
  ['not a url', false],
])('isLoopbackUrl(%s) is %s', (url, expected) => {
  expect(isLoopbackUrl(url)).toBe(expected);
});

it.each(['not a url', 'localhost:3000', 'ftp://127.0.0.1/'])('fails at start() naming WORKFLOW_AWS_BASE_URL for a base URL that is not http(s): %p', async (baseUrl) => {
  await expect(world(baseUrl).start!()).rejects.toThrow(/WORKFLOW_AWS_BASE_URL \(createWorld: baseUrl\) must be an http:\/\/ or https:\/\/ URL/);
  await expect(world(baseUrl, SHARED).start!()).rejects.toThrow(/must be an http:\/\/ or https:\/\/ URL/);
});

describe('plain http to another host', () => {
  it('is refused at start() without the opt-out, naming the risk, https and WORKFLOW_AWS_ALLOW_PLAIN_HTTP', async () => {
    for (const baseUrl of ['http://10.0.0.7:3000', 'http://app.internal', 'http://0.0.0.0:3000']) {
      const started = world(baseUrl, SHARED).start!();
      await expect(started).rejects.toThrow(/plain http .* unencrypted/);
      await expect(started).rejects.toThrow(/https:\/\/ WORKFLOW_AWS_BASE_URL, or set WORKFLOW_AWS_ALLOW_PLAIN_HTTP=1/);
    }
  });

  it('is refused by the deliverer itself, also for a base URL resolved later', () => {
    const clock = new SystemClock();
    expect(() => createHttpDeliverer({ config: { baseUrl: 'http://10.0.0.7:3000', signingSecret: SHARED }, env: {}, clock })).toThrow(
      /WORKFLOW_AWS_ALLOW_PLAIN_HTTP/,
    );
  });

  it('is allowed with WORKFLOW_AWS_ALLOW_PLAIN_HTTP (createWorld: allowPlainHttp), and https or loopback need no opt-out', async () => {
    await expect(world('http://10.0.0.7:3000', SHARED, true).start!()).resolves.toBeUndefined();
    await expect(world('https://app.example.com', SHARED).start!()).resolves.toBeUndefined();
    await expect(world('http://127.0.0.1:3000', SHARED).start!()).resolves.toBeUndefined();
    expect(resolveWorldConfig({}, { WORKFLOW_AWS_ALLOW_PLAIN_HTTP: '1' }).allowPlainHttp).toBe(true);
    expect(resolveWorldConfig({}, {}).allowPlainHttp).toBe(false);
  });
});
