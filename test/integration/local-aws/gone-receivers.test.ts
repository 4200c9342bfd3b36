// A long poll whose client went away (a process stopped or aborted it) does
// not hide the next message: the embedded SQS hands it back at once, so a
// restarted app's first run does not wait out a visibility timeout.
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startLocalAws, type LocalAws } from '../../../src/infra/local-aws/index.js';

let local: LocalAws;
let sqs: SQSClient;
beforeAll(async () => {
  local = await startLocalAws({ name: 'gone' });
  sqs = new SQSClient({ region: local.region, endpoint: local.endpoints.sqs, credentials: local.credentials });
});
afterAll(async () => {
  sqs.destroy();
  await local.stop();
});

it('a message taken by an aborted long poll is received by the next poller, well inside the aborted poll\'s visibility timeout', async () => {
  const url = local.queueUrls.step;
  const abort = new AbortController();
  // The stale poll would hide what it takes for 30 s; the live one below waits at most 5 s.
  const stale = sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20, VisibilityTimeout: 30 }), { abortSignal: abort.signal }).catch(() => undefined);
  await new Promise((resolve) => setTimeout(resolve, 300));
  abort.abort();
  await stale;
  await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'after the restart' }));
  let body: string | undefined;
  for (let i = 0; i < 3 && !body; i++) {
    body = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5, VisibilityTimeout: 30 }))).Messages?.[0]?.Body;
  }
  expect(body).toBe('after the restart');
});

it('a message received by a live poller stays hidden for its visibility timeout', async () => {
  const url = local.queueUrls.workflow;
  await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'taken' }));
  const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5, VisibilityTimeout: 30 }));
  expect(first.Messages?.[0]?.Body).toBe('taken');
  const again = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 2, VisibilityTimeout: 30 }));
  expect(again.Messages).toBeUndefined();
});
