// The storage contract on the production adapters (DynamoDB + S3) against the
// embedded local AWS, through the real AWS SDK.
import { startLocalAws } from '../../../src/infra/local-aws/index.js';
import { createWorld } from '../../../src/index.js';
import { describeStorageContract } from '../../support/storage-contract.js';

describeStorageContract('DynamoDB + S3 on the embedded local AWS', async () => {
  const local = await startLocalAws({ name: 'contract' });
  const saved = { ...process.env };
  Object.assign(process.env, local.env);
  const world = createWorld({ consumer: 'none' });
  return {
    world,
    async teardown() {
      await world.close();
      await local.stop();
      process.env = saved;
    },
  };
});
