// Without a shared signing secret, a world refuses to start a consumer that
// would deliver to another host: the app there could not verify the deliveries.
import { createWorld } from '../../../src/world/create-world.js';
import { isLoopbackUrl } from '../../../src/application/queue/loopback.js';
import { createHttpDeliverer } from '../../../src/application/queue/http-deliverer.js';
import { SystemClock } from '../../../src/adapters/system/system-clock.js';

const worlds: Array<{ close?: () => Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(worlds.splice(0).map((w) => w.close?.()));
});

function world(baseUrl: string, signingSecret?: string) {
  const w = createWorld({ adapters: 'memory', consumer: 'process', delivery: 'http', baseUrl, signingSecret });
  worlds.push(w);
  return w;
}

it('fails at start() with an error naming WORKFLOW_AWS_SIGNING_SECRET for a non-loopback base URL', async () => {
  await expect(world('https://app.example.com').start!()).rejects.toThrow(/WORKFLOW_AWS_SIGNING_SECRET/);
  await expect(world('http://10.0.0.7:3000').start!()).rejects.toThrow(/WORKFLOW_AWS_SIGNING_SECRET/);
});

it('builds the deliverer for a loopback base URL, or for any URL with a secret', async () => {
  const clock = new SystemClock();
  for (const config of [{ baseUrl: 'http://127.0.0.1:3000' }, { baseUrl: 'https://app.example.com', signingSecret: 'shared' }, {}]) {
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
  await expect(world(baseUrl, 'shared').start!()).rejects.toThrow(/must be an http:\/\/ or https:\/\/ URL/);
});
