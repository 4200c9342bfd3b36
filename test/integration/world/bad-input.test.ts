// The bad-input suite on DynamoDB + S3 (embedded local AWS, real AWS SDK).
import { startLocalAws } from '../../../src/infra/local-aws/index.js';
import { createWorld } from '../../../src/index.js';
import { describeBadInput } from '../../support/bad-input-contract.js';

describeBadInput('DynamoDB + S3 on the embedded local AWS', async () => {
  const local = await startLocalAws({ name: 'bad-input' });
  const saved = { ...process.env };
  Object.assign(process.env, local.env);
  const world = createWorld({ consumer: 'none' });
  return {
    world,
    async teardown() {
      await world.close?.();
      await local.stop();
      process.env = saved;
    },
  };
});
