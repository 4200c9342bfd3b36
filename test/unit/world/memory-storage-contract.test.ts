import { createWorld, resetMemoryInstallations } from '../../../src/index.js';
import { describeStorageContract } from '../../support/storage-contract.js';

describeStorageContract('memory adapters', async () => {
  resetMemoryInstallations();
  const world = createWorld({ adapters: 'memory', consumer: 'none', name: 'contract' });
  return { world, teardown: () => world.close() };
});
