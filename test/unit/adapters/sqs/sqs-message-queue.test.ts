// The exact SQS requests the adapter makes, and how it maps the replies and failures.
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
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

describe('send', () => {
  it('sends body, delay and string attributes to the channel queue', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-1' });
    const result = await queue().send('step', { body: '{"a":1}', delaySeconds: 900, attributes: { queueName: '__wkf_step_x' } });
    expect(result).toEqual({ messageId: 'm-1' });
    expect(sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input)).toEqual([
      {
        QueueUrl: STEP_URL,
        MessageBody: '{"a":1}',
        DelaySeconds: 900,
        MessageAttributes: { queueName: { DataType: 'String', StringValue: '__wkf_step_x' } },
      },
    ]);
  });

  it('omits MessageAttributes when there are none', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm-2' });
    await queue().send('workflow', { body: 'x', delaySeconds: 0 });
    expect(sqs.commandCalls(SendMessageCommand)[0]!.args[0].input).toEqual({ QueueUrl: WORKFLOW_URL, MessageBody: 'x', DelaySeconds: 0 });
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
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
    // 'é' is 2 bytes: 512 of them fill the 1024-byte limit exactly.
    await expect(queue().send('workflow', { body: 'é'.repeat(512), delaySeconds: 0 })).resolves.toEqual({ messageId: 'm' });
    const tooBig = queue().send('workflow', { body: 'é'.repeat(500), delaySeconds: 0, attributes: { k: 'v'.repeat(20) } });
    // 1000 + 1 (name) + 6 ('String') + 20 = 1027 bytes.
    await expect(tooBig).rejects.toMatchObject({ status: 413, code: 'QUEUE_MESSAGE_TOO_LARGE', message: expect.stringContaining('1027 bytes') });
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(1);
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
  it('acks with DeleteMessage on the channel queue', async () => {
    sqs.on(DeleteMessageCommand).resolves({});
    await queue().ack('step', 'r-9');
    expect(sqs.commandCalls(DeleteMessageCommand)[0]!.args[0].input).toEqual({ QueueUrl: STEP_URL, ReceiptHandle: 'r-9' });
  });

  it('changes visibility with ChangeMessageVisibility', async () => {
    sqs.on(ChangeMessageVisibilityCommand).resolves({});
    await queue().setVisibility('workflow', 'r-1', 0);
    await queue().setVisibility('workflow', 'r-1', 43_200);
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand).map((c) => c.args[0].input)).toEqual([
      { QueueUrl: WORKFLOW_URL, ReceiptHandle: 'r-1', VisibilityTimeout: 0 },
      { QueueUrl: WORKFLOW_URL, ReceiptHandle: 'r-1', VisibilityTimeout: 43_200 },
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
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
    const q = queue(named);
    expect(sqs.calls()).toHaveLength(0);
    await Promise.all([q.send('workflow', { body: 'a', delaySeconds: 0 }), q.send('workflow', { body: 'b', delaySeconds: 0 })]);
    await q.send('workflow', { body: 'c', delaySeconds: 0 });
    await q.send('step', { body: 'd', delaySeconds: 0 });
    expect(sqs.commandCalls(GetQueueUrlCommand).map((c) => c.args[0].input)).toEqual([{ QueueName: 'wf-workflow' }]);
    expect(sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input.QueueUrl)).toEqual([WORKFLOW_URL, WORKFLOW_URL, WORKFLOW_URL, STEP_URL]);
  });

  it('retries a failed lookup on the next call instead of caching the failure', async () => {
    sqs.on(GetQueueUrlCommand).rejectsOnce(awsError('ServiceUnavailable', 503, 'server')).resolves({ QueueUrl: WORKFLOW_URL });
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm' });
    const q = queue(named);
    await expect(q.send('workflow', { body: 'a', delaySeconds: 0 })).rejects.toMatchObject({ status: 503 });
    await expect(q.send('workflow', { body: 'a', delaySeconds: 0 })).resolves.toEqual({ messageId: 'm' });
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
    sqs.on(SendMessageCommand).rejects(awsError('ThrottlingException', 400));
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
    sqs.on(DeleteMessageCommand).rejects(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    await expect(queue().ack('workflow', 'r')).rejects.toMatchObject({ status: 503, code: 'TRANSPORT' });
  });

  it('keeps a client error’s status, e.g. an expired receipt', async () => {
    sqs.on(ChangeMessageVisibilityCommand).rejects(awsError('InvalidParameterValue', 400));
    await expect(queue().setVisibility('workflow', 'r', 10)).rejects.toMatchObject({ status: 400, code: 'InvalidParameterValue' });
  });

  it('does not turn a non-abort failure into an empty receive', async () => {
    sqs.on(ReceiveMessageCommand).rejects(awsError('AccessDenied', 403));
    const signal = new AbortController().signal;
    await expect(queue().receive('workflow', { maxMessages: 1, waitSeconds: 1, visibilitySeconds: 30, signal })).rejects.toMatchObject({ status: 403 });
  });
});
