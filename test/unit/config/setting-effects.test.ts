// Each setting does what the README's Configuration table says, not only
// exists: every variable reaches the world's config, and the settings that
// describe a resource reach the resource (bootstrap, dev, the redrive policy).
import { MemoryMessageQueue } from '../../../src/adapters/memory/memory-message-queue.js';
import { ManualClock } from '../../../src/adapters/memory/manual-clock.js';
import { worldEnv } from '../../../src/cli/output/world-env.js';
import { resourceNames } from '../../../src/config/resource-names.js';
import { BUCKET_ENV, SETTINGS, TABLE_ENV, type Setting, type SettingName } from '../../../src/config/settings.js';
import { resolveWorldConfig } from '../../../src/config/world-config.js';
import { sourceQueueAttributes } from '../../../src/infra/provisioning/queues.js';

/** Raw values to try: the first one a setting accepts that differs from its default proves the variable sets it. */
const CANDIDATES = ['7', '4096', '3', '1', '0', 'false', 'true', 'memory', 'none', 'in-process', 'debug', 'http://127.0.0.1:9', Buffer.alloc(32, 7).toString('base64')];

describe.each(Object.keys(SETTINGS) as SettingName[])('%s', (key) => {
  const setting = SETTINGS[key] as unknown as Setting<unknown>;
  it.each(setting.env)('%s sets it', (variable) => {
    const fallback = setting.fallback('workflow');
    const raw = CANDIDATES.find((c) => {
      try {
        return JSON.stringify(setting.fromEnv(c, variable)) !== JSON.stringify(fallback);
      } catch {
        return false;
      }
    });
    expect(raw).toBeDefined();
    const config = resolveWorldConfig({}, { [variable]: raw! }) as unknown as Record<string, unknown>;
    expect(config[key]).toEqual(setting.fromEnv(raw!, variable));
  });
});

describe('settings that describe a resource reach it', () => {
  it('WORKFLOW_AWS_MAX_RECEIVE_COUNT: the redrive policy bootstrap and dev create, the env they write, and the memory queue', () => {
    const config = resolveWorldConfig({}, { WORKFLOW_AWS_MAX_RECEIVE_COUNT: '3' });
    expect(JSON.parse(sourceQueueAttributes('arn:dlq', config.maxReceiveCount).RedrivePolicy!)).toEqual({ deadLetterTargetArn: 'arn:dlq', maxReceiveCount: 3 });
    const env = worldEnv({ name: 'w', region: 'us-east-1', names: resourceNames('w'), queueUrls: { workflow: 'u1', step: 'u2' }, consumer: 'process', maxReceiveCount: 3 });
    expect(env.WORKFLOW_AWS_MAX_RECEIVE_COUNT).toBe('3');
    expect(resolveWorldConfig({}, env).maxReceiveCount).toBe(3);
  });

  it('WORKFLOW_AWS_MAX_RECEIVE_COUNT: a message received that many times moves to the dead letters', async () => {
    const clock = new ManualClock(0);
    const queue = new MemoryMessageQueue(clock, { maxReceiveCount: resolveWorldConfig({}, { WORKFLOW_AWS_MAX_RECEIVE_COUNT: '2' }).maxReceiveCount });
    await queue.send('workflow', { body: 'm', delaySeconds: 0 });
    for (let i = 0; i < 3; i++) {
      await queue.receive('workflow', { maxMessages: 1, waitSeconds: 0, visibilitySeconds: 1 });
      await clock.advance(1000);
    }
    expect(queue.deadLetters('workflow')).toHaveLength(1);
  });

  it('WORKFLOW_AWS_NAME prefixes every resource; each table and the bucket variable names its resource', () => {
    const named = resolveWorldConfig({}, { WORKFLOW_AWS_NAME: 'shop' });
    expect(named.resources).toMatchObject({ workflowQueue: 'shop-workflow', stepQueue: 'shop-step', bucket: 'shop-payloads' });
    expect(Object.values(named.resources.tables).every((t) => t.startsWith('shop-'))).toBe(true);
    for (const [role, variable] of Object.entries(TABLE_ENV)) {
      expect(resolveWorldConfig({}, { [variable]: `my-${role}` }).resources.tables[role as keyof typeof TABLE_ENV]).toBe(`my-${role}`);
    }
    expect(resolveWorldConfig({}, { [BUCKET_ENV]: 'my-bucket' }).resources.bucket).toBe('my-bucket');
  });
});
