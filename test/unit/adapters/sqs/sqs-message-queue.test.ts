// The exact SQS requests the adapter makes, and how it maps the replies and failures.
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
  type SendMessageBatchCommandInput,
  SQSServiceException,
} from '@aws-sdk/client-sqs';
import { ThrottleError, WorkflowWorldError } from '@workflow/errors';
import { mockClient } from 'aws-sdk-client-mock';
import type { QueueTarget } from '../../../../src/adapters/aws/sqs/queue-url-resolver.js';
import { SqsMessageQueue } from '../../../../src/adapters/aws/sqs/sqs-message-queue.js';

const WORKFLOW_URL = 'http://sqs.local/000000000000/wf-workflow';
const STEP_URL = 'http://sqs.local/000000000000/wf-step';

const sqs = mockClient(SQSClient);
const client = new SQSClient({ region: 'us-east-1' });
const limits = { maxDelaySeconds: 900, maxMessageBytes: 1024 };

function queue(targets: Record<'workflow' | 'step', QueueTarget> = { workflow: { url: WORKFLOW_URL }, step: { url: STEP_URL } }) {
  return new SqsMessageQueue(client, targets, limits);
}

function awsError(name: string, status: number, fault: 'client' | 'server' = 'client') {
  return new SQSServiceException({ name, $fault: fault, $metadata: { httpStatusCode: status }, message: `${name} happened` });
}

beforeEach(() => sqs.reset());

/** SendMessageBatch answering every entry with `m-<id>` (or `prefix`). */
function sendsSucceed(prefix = 'm-') {
  sqs.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => ({
    Successful: input.Entries!.map((e) => ({ Id: e.Id, MessageId: `${prefix}${e.Id}`, MD5OfMessageBody: '' })),
    Failed: [],
  }));
}
const sentEntries = () => sqs.commandCalls(SendMessageBatchCommand).flatMap((c) => c.args[0].input.Entries!);

describe('send', () => {
  it('sends body, delay and string attributes to the channel queue', async () => {
    sendsSucceed();
    const result = await queue().send('step', { body: '{"a":1}', delaySeconds: 900, attributes: { queueName: '__wkf_step_x' } });
    expect(result).toEqual({ messageId: 'm-0' });
    expect(sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input)).toEqual([
      {
        QueueUrl: STEP_URL,
        Entries: [
          { Id: '0', MessageBody: '{"a":1}', DelaySeconds: 900, MessageAttributes: { queueName: { DataType: 'String', StringValue: '__wkf_step_x' } } },
        ],
      },
    ]);
  });

  it('omits MessageAttributes when there are none', async () => {
    sendsSucceed();
    await queue().send('workflow', { body: 'x', delaySeconds: 0 });
    expect(sqs.commandCalls(SendMessageBatchCommand)[0]!.args[0].input).toEqual({
      QueueUrl: WORKFLOW_URL,
      Entries: [{ Id: '0', MessageBody: 'x', DelaySeconds: 0 }],
    });
  });

  it('sends a burst as batches of at most 10 entries, each caller getting its own message id', async () => {
    sendsSucceed();
    const q = queue();
    const ids = await Promise.all(Array.from({ length: 25 }, (_, i) => q.send('step', { body: `b${i}`, delaySeconds: 0 })));
    const batches = sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries!.length);
    expect(batches).toEqual([10, 10, 5]);
    expect(sentEntries().map((e) => e.MessageBody)).toEqual(Array.from({ length: 25 }, (_, i) => `b${i}`));
    expect(ids.map((r) => r.messageId)).toEqual([...Array.from({ length: 10 }, (_, i) => `m-${i}`), ...Array.from({ length: 10 }, (_, i) => `m-${i}`), ...Array.from({ length: 5 }, (_, i) => `m-${i}`)]);
  });

  it('keeps a batch within the queue’s message size in total', async () => {
    sendsSucceed();
    const q = queue();
    // 400 bytes each against a 1024-byte limit: two per batch.
    await Promise.all(Array.from({ length: 5 }, () => q.send('step', { body: 'x'.repeat(400), delaySeconds: 0 })));
    expect(sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries!.length)).toEqual([2, 2, 1]);
  });

  it('rejects only the entries SQS reports as failed: a sender fault as 400, anything else as a retryable 503', async () => {
    sqs.on(SendMessageBatchCommand).resolves({
      Successful: [{ Id: '1', MessageId: 'ok-1', MD5OfMessageBody: '' }],
      Failed: [
        { Id: '0', SenderFault: true, Code: 'InvalidMessageContents', Message: 'bad character' },
        { Id: '2', SenderFault: false, Code: 'InternalError' },
      ],
    });
    const q = queue();
    const results = await Promise.allSettled(['a', 'b', 'c', 'd'].map((body) => q.send('step', { body, delaySeconds: 0 })));
    expect(results[0]).toMatchObject({ status: 'rejected', reason: { status: 400, code: 'InvalidMessageContents' } });
    expect(results[1]).toEqual({ status: 'fulfilled', value: { messageId: 'ok-1' } });
    expect(results[2]).toMatchObject({ status: 'rejected', reason: { status: 503, code: 'InternalError' } });
    // Reported in neither list: retryable, never silently lost.
    expect(results[3]).toMatchObject({ status: 'rejected', reason: { status: 503, code: 'BATCH_ENTRY_MISSING' } });
  });

  it.each([-1, 901, 1.5, Number.NaN])('rejects delay %p with a 400 naming the value, before calling SQS', async (delaySeconds) => {
    const error = await queue().send('workflow', { body: 'x', delaySeconds }).catch((e: unknown) => e);
    expect(WorkflowWorldError.is(error)).toBe(true);
    expect(error).toMatchObject({ status: 400, code: 'INVALID_QUEUE_DELAY' });
    expect((error as Error).message).toContain(`got ${delaySeconds}`);
    expect(sqs.calls()).toHaveLength(0);
  });

  it('rejects a delay above the configured maximum', async () => {
    const q = new SqsMessageQueue(client, { workflow: { url: WORKFLOW_URL }, step: { url: STEP_URL } }, { maxDelaySeconds: 60, maxMessageBytes: 1024 });
    await expect(q.send('workflow', { body: 'x', delaySeconds: 61 })).rejects.toMatchObject({ status: 400 });
  });

  it('counts UTF-8 bytes of body and attributes against maxMessageBytes', async () => {
    sendsSucceed('m');
    // 'é' is 2 bytes: 512 of them fill the 1024-byte limit exactly.
    await expect(queue().send('workflow', { body: 'é'.repeat(512), delaySeconds: 0 })).resolves.toEqual({ messageId: 'm0' });
    const tooBig = queue().send('workflow', { body: 'é'.repeat(500), delaySeconds: 0, attributes: { k: 'v'.repeat(20) } });
    // 1000 + 1 (name) + 6 ('String') + 20 = 1027 bytes.
    await expect(tooBig).rejects.toMatchObject({ status: 413, code: 'QUEUE_MESSAGE_TOO_LARGE', message: expect.stringContaining('1027 bytes') });
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(1);
  });
});

describe('receive', () => {
  it('long-polls with the requested batch, wait and visibility, asking for the receive count and all attributes', async () => {
    sqs.on(ReceiveMessageCommand).resolves({
      Messages: [
        {
          MessageId: 'm-1',
          ReceiptHandle: 'r-1',
          Body: 'hello',
          Attributes: { ApproximateReceiveCount: '3' },
          MessageAttributes: { queueName: { DataType: 'String', StringValue: 'q' } },
        },
      ],
    });
    const messages = await queue().receive('workflow', { maxMessages: 5, waitSeconds: 20, visibilitySeconds: 60 });
    expect(sqs.commandCalls(ReceiveMessageCommand)[0]!.args[0].input).toEqual({
      QueueUrl: WORKFLOW_URL,
      MaxNumberOfMessages: 5,
      WaitTimeSeconds: 20,
      VisibilityTimeout: 60,
      MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      MessageAttributeNames: ['All'],
    });
    expect(messages).toEqual([{ messageId: 'm-1', receipt: 'r-1', body: 'hello', attributes: { queueName: 'q' }, receiveCount: 3 }]);
  });

  it('asks for at most 10 messages, SQS’s limit', async () => {
    sqs.on(ReceiveMessageCommand).resolves({});
    await expect(queue().receive('step', { maxMessages: 50, waitSeconds: 0, visibilitySeconds: 30 })).resolves.toEqual([]);
    expect(sqs.commandCalls(ReceiveMessageCommand)[0]!.args[0].input).toMatchObject({ QueueUrl: STEP_URL, MaxNumberOfMessages: 10 });
  });

  it('treats a missing receive count as the first delivery', async () => {
    sqs.on(ReceiveMessageCommand).resolves({ Messages: [{ MessageId: 'm', ReceiptHandle: 'r', Body: 'b' }] });
    const [message] = await queue().receive('workflow', { maxMessages: 1, waitSeconds: 0, visibilitySeconds: 30 });
    expect(message).toMatchObject({ receiveCount: 1, attributes: {} });
  });

  it.each([
    ['waitSeconds', { maxMessages: 1, waitSeconds: 21, visibilitySeconds: 30 }],
    ['visibilitySeconds', { maxMessages: 1, waitSeconds: 1, visibilitySeconds: 43_201 }],
    ['maxMessages', { maxMessages: 0, waitSeconds: 1, visibilitySeconds: 30 }],
  ])('rejects an out-of-range %s', async (name, options) => {
    await expect(queue().receive('workflow', options)).rejects.toMatchObject({ status: 400, message: expect.stringContaining(name) });
    expect(sqs.calls()).toHaveLength(0);
  });

  it('passes the abort signal to the SDK and resolves [] when the poll is aborted', async () => {
    const controller = new AbortController();
    sqs.on(ReceiveMessageCommand).callsFake(() => {
      controller.abort();
      throw Object.assign(new Error('Request aborted'), { name: 'AbortError' });
    });
    const messages = await queue().receive('workflow', { maxMessages: 1, waitSeconds: 20, visibilitySeconds: 30, signal: controller.signal });
    expect(messages).toEqual([]);
    // The stub sees send(command, options): the SDK's own abort wiring gets the caller's signal.
    expect((sqs.send.firstCall.args as unknown[])[1]).toEqual({ abortSignal: controller.signal });
  });

  it('does not call SQS when already aborted', async () => {
    const signal = AbortSignal.abort();
    await expect(queue().receive('workflow', { maxMessages: 1, waitSeconds: 20, visibilitySeconds: 30, signal })).resolves.toEqual([]);
    expect(sqs.calls()).toHaveLength(0);
  });
});

describe('ack and setVisibility', () => {
  it('acks with DeleteMessageBatch on the channel queue, up to 10 receipts per request', async () => {
    sqs.on(DeleteMessageBatchCommand).callsFake((input: { Entries: Array<{ Id: string }> }) => ({
      Successful: input.Entries.map((e) => ({ Id: e.Id })),
      Failed: [],
    }));
    const q = queue();
    await q.ack('step', 'r-9');
    expect(sqs.commandCalls(DeleteMessageBatchCommand)[0]!.args[0].input).toEqual({ QueueUrl: STEP_URL, Entries: [{ Id: '0', ReceiptHandle: 'r-9' }] });
    await Promise.all(Array.from({ length: 12 }, (_, i) => q.ack('workflow', `r-${i}`)));
    expect(sqs.commandCalls(DeleteMessageBatchCommand).slice(1).map((c) => c.args[0].input.Entries!.length)).toEqual([10, 2]);
  });

  it('rejects only the acks SQS reports as failed', async () => {
    sqs.on(DeleteMessageBatchCommand).resolves({
      Successful: [{ Id: '0' }],
      Failed: [{ Id: '1', SenderFault: true, Code: 'ReceiptHandleIsInvalid', Message: 'expired' }],
    });
    const q = queue();
    const [first, second] = await Promise.allSettled([q.ack('step', 'r-0'), q.ack('step', 'r-1')]);
    expect(first).toEqual({ status: 'fulfilled', value: undefined });
    expect(second).toMatchObject({ status: 'rejected', reason: { status: 400, code: 'ReceiptHandleIsInvalid' } });
  });

  it('changes visibility with ChangeMessageVisibilityBatch, the changes of one moment in one request', async () => {
    sqs.on(ChangeMessageVisibilityBatchCommand).callsFake((input: { Entries: Array<{ Id: string }> }) => ({
      Successful: input.Entries.map((e) => ({ Id: e.Id })),
      Failed: [],
    }));
    const q = queue();
    await Promise.all([q.setVisibility('workflow', 'r-1', 0), q.setVisibility('workflow', 'r-2', 43_200)]);
    expect(sqs.commandCalls(ChangeMessageVisibilityBatchCommand).map((c) => c.args[0].input)).toEqual([
      {
        QueueUrl: WORKFLOW_URL,
        Entries: [
          { Id: '0', ReceiptHandle: 'r-1', VisibilityTimeout: 0 },
          { Id: '1', ReceiptHandle: 'r-2', VisibilityTimeout: 43_200 },
        ],
      },
    ]);
  });

  it('rejects a visibility outside 0..43200', async () => {
    await expect(queue().setVisibility('workflow', 'r', -1)).rejects.toMatchObject({ status: 400 });
    expect(sqs.calls()).toHaveLength(0);
  });
});

describe('queue URL resolution', () => {
  const named = { workflow: { name: 'wf-workflow' }, step: { url: STEP_URL } };

  it('resolves a queue name once with GetQueueUrl, shared by concurrent callers', async () => {
    sqs.on(GetQueueUrlCommand).resolves({ QueueUrl: WORKFLOW_URL });
    sendsSucceed();
    const q = queue(named);
    expect(sqs.calls()).toHaveLength(0);
    await Promise.all([q.send('workflow', { body: 'a', delaySeconds: 0 }), q.send('workflow', { body: 'b', delaySeconds: 0 })]);
    await q.send('workflow', { body: 'c', delaySeconds: 0 });
    await q.send('step', { body: 'd', delaySeconds: 0 });
    expect(sqs.commandCalls(GetQueueUrlCommand).map((c) => c.args[0].input)).toEqual([{ QueueName: 'wf-workflow' }]);
    expect(sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.QueueUrl)).toEqual([WORKFLOW_URL, WORKFLOW_URL, STEP_URL]);
  });

  it('retries a failed lookup on the next call instead of caching the failure', async () => {
    sqs.on(GetQueueUrlCommand).rejectsOnce(awsError('ServiceUnavailable', 503, 'server')).resolves({ QueueUrl: WORKFLOW_URL });
    sendsSucceed('m');
    const q = queue(named);
    await expect(q.send('workflow', { body: 'a', delaySeconds: 0 })).rejects.toMatchObject({ status: 503 });
    await expect(q.send('workflow', { body: 'a', delaySeconds: 0 })).resolves.toEqual({ messageId: 'm0' });
    expect(sqs.commandCalls(GetQueueUrlCommand)).toHaveLength(2);
  });

  it('reports a missing queue with its AWS error name', async () => {
    sqs.on(GetQueueUrlCommand).rejects(awsError('QueueDoesNotExist', 400));
    const error = await queue(named).receive('workflow', { maxMessages: 1, waitSeconds: 0, visibilitySeconds: 30 }).catch((e: unknown) => e);
    expect(WorkflowWorldError.is(error)).toBe(true);
    expect(error).toMatchObject({ status: 400, code: 'QueueDoesNotExist', message: expect.stringContaining('SQS.ReceiveMessage(workflow)') });
  });
});

describe('error mapping', () => {
  it('maps throttling to ThrottleError', async () => {
    sqs.on(SendMessageBatchCommand).rejects(awsError('ThrottlingException', 400));
    const error = await queue().send('workflow', { body: 'x', delaySeconds: 0 }).catch((e: unknown) => e);
    expect(ThrottleError.is(error)).toBe(true);
  });

  it('maps a server fault to a retryable 503', async () => {
    sqs.on(ReceiveMessageCommand).rejects(awsError('InternalError', 500, 'server'));
    await expect(queue().receive('step', { maxMessages: 1, waitSeconds: 1, visibilitySeconds: 30 })).rejects.toMatchObject({
      name: 'WorkflowWorldError',
      status: 503,
    });
  });

  it('maps a network failure to a retryable 503', async () => {
    sqs.on(DeleteMessageBatchCommand).rejects(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    await expect(queue().ack('workflow', 'r')).rejects.toMatchObject({ status: 503, code: 'TRANSPORT' });
  });

  it('keeps a client error’s status, e.g. an expired receipt', async () => {
    sqs.on(ChangeMessageVisibilityBatchCommand).rejects(awsError('InvalidParameterValue', 400));
    await expect(queue().setVisibility('workflow', 'r', 10)).rejects.toMatchObject({ status: 400, code: 'InvalidParameterValue' });
  });

  it('reports a failed visibility entry with its own error', async () => {
    sqs.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [{ Id: '0', SenderFault: true, Code: 'MessageNotInflight' }] });
    await expect(queue().setVisibility('workflow', 'r', 10)).rejects.toMatchObject({ status: 400, code: 'MessageNotInflight' });
  });

  it('does not turn a non-abort failure into an empty receive', async () => {
    sqs.on(ReceiveMessageCommand).rejects(awsError('AccessDenied', 403));
    const signal = new AbortController().signal;
    // A permission (or credential, endpoint, region) problem: named with its fix, for the consumer to log once and back off.
    await expect(queue().receive('workflow', { maxMessages: 1, waitSeconds: 1, visibilitySeconds: 30, signal })).rejects.toMatchObject({
      name: 'ServiceAccessError',
      problem: { kind: 'denied', fix: expect.stringContaining('docs/iam.md') },
    });
    sqs.on(ReceiveMessageCommand).rejects(awsError('KmsDisabled', 400));
    await expect(queue().receive('workflow', { maxMessages: 1, waitSeconds: 1, visibilitySeconds: 30, signal })).rejects.toMatchObject({ status: 400 });
  });
});

describe('channelNamed', () => {
  it('names the channel by the last path segment of a configured URL', () => {
    const q = queue();
    expect(q.channelNamed('wf-workflow')).toBe('workflow');
    expect(q.channelNamed('wf-step')).toBe('step');
    expect(q.channelNamed('wf-step-dlq')).toBeUndefined();
    expect(q.channelNamed('000000000000')).toBeUndefined();
  });

  it('names the channel by a configured queue name, without a lookup', () => {
    const q = queue({ workflow: { name: 'a-workflow' }, step: { url: 'https://sqs.eu-west-1.amazonaws.com/123456789012/a-step/' } });
    expect(q.channelNamed('a-workflow')).toBe('workflow');
    expect(q.channelNamed('a-step')).toBe('step');
    expect(sqs.calls()).toHaveLength(0);
  });
});
