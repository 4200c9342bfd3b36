// `node scripts/measure-close.mjs` (after `npm run build`): how long world.close()
// takes while idle, for the README's consumer paragraph. A polling consumer
// (in-process delivery) on the embedded local AWS is started, left idle for
// 3 s plus a random part of a second (close() waits for the polls in flight,
// so its time depends on where in its wait a poll is), and closed; ten samples, in ms.
import { fileURLToPath } from 'node:url';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const { startLocalAws } = await import(`${DIST}infra/local-aws/index.js`);
const { createWorld } = await import(`${DIST}index.js`);

const aws = await startLocalAws({ name: 'measure-close' });
const { env } = aws;
// The SDK takes credentials from process.env; these are the emulator's dummy keys.
process.env.AWS_ACCESS_KEY_ID ??= env.AWS_ACCESS_KEY_ID;
process.env.AWS_SECRET_ACCESS_KEY ??= env.AWS_SECRET_ACCESS_KEY;
const endpoints = { dynamodb: env.AWS_ENDPOINT_URL_DYNAMODB, sqs: env.AWS_ENDPOINT_URL_SQS, s3: env.AWS_ENDPOINT_URL_S3 };
const samples = [];
try {
  for (let i = 0; i < 10; i++) {
    const world = createWorld({ consumer: 'process', delivery: 'in-process', adapters: 'aws', name: env.WORKFLOW_AWS_NAME, region: env.AWS_REGION, endpoints, s3ForcePathStyle: true });
    await world.start();
    await new Promise((resolve) => setTimeout(resolve, 3_000 + Math.random() * 1_000));
    const started = performance.now();
    await world.close();
    samples.push(Math.round(performance.now() - started));
  }
} finally {
  await aws.stop();
}
console.log(JSON.stringify({ closeIdleMs: samples }));
