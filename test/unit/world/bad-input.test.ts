// The bad-input suite on the in-memory world.
import { createWorld } from '../../../src/world/create-world.js';
import { describeBadInput } from '../../support/bad-input-contract.js';

describeBadInput('in-memory adapters', async () => {
  const world = createWorld({ adapters: 'memory', consumer: 'none' });
  return { world, teardown: () => world.close?.() ?? Promise.resolve() };
});
