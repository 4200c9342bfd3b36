// One installation identity: process-wide state is shared by worlds on the
// same tables, whatever they are called, and never across adapter sets,
// regions or endpoints.
import { installationKey } from '../../../src/config/installation.js';
import { resolveWorldConfig } from '../../../src/config/world-config.js';

const config = (options: Parameters<typeof resolveWorldConfig>[0]) => resolveWorldConfig({ region: 'eu-west-1', consumer: 'none', ...options }, {});

describe('installationKey', () => {
  it('is the same for two worlds on the same tables, endpoint and region, whatever their deployment id', () => {
    expect(installationKey(config({ name: 'shop', deploymentId: 'v1' }))).toBe(installationKey(config({ name: 'shop', deploymentId: 'v2' })));
  });

  it('differs by events table, region, endpoint and adapter set', () => {
    const base = installationKey(config({ name: 'shop' }));
    expect(installationKey(config({ name: 'other' }))).not.toBe(base);
    expect(installationKey(config({ name: 'shop', region: 'us-east-1' }))).not.toBe(base);
    expect(installationKey(config({ name: 'shop', endpoints: { dynamodb: 'http://127.0.0.1:4566' } }))).not.toBe(base);
    expect(installationKey(config({ name: 'shop', adapters: 'memory' }))).not.toBe(base);
  });
});
