// The worker function: created with a handler that refuses work until deploy (retrying while IAM
// propagates the new role), left alone when it matches, updated on drift.
import {
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  DeleteEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  GetFunctionCommand,
  GetFunctionConfigurationCommand,
  InvalidParameterValueException,
  ListEventSourceMappingsCommand,
  ResourceNotFoundException,
  UpdateEventSourceMappingCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { unzipSync } from 'fflate';
import { deleteMappings, ensureMapping } from '../../../src/infra/lambda/event-sources.js';
import { ensureFunction, isRolePropagationError } from '../../../src/infra/lambda/function.js';
import { NOT_DEPLOYED_MESSAGE } from '../../../src/infra/lambda/undeployed-handler.js';
import type { ResourceReport } from '../../../src/cli/output/progress.js';
import { commandsOf, mockAws, noSleep } from './helpers/mock-clients.js';

const FN_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:shop-worker';
const ROLE = 'arn:aws:iam::123456789012:role/shop-worker-role';
const QUEUE = { name: 'shop-workflow', arn: 'arn:aws:sqs:us-east-1:123456789012:shop-workflow' };
const spec = { functionName: 'shop-worker', roleArn: ROLE, installation: 'shop', environment: { WORKFLOW_AWS_NAME: 'shop' } };
const notFound = () => new ResourceNotFoundException({ message: 'Function not found', $metadata: {} });
const cannotAssume = () =>
  new InvalidParameterValueException({ message: 'The role defined for the function cannot be assumed by Lambda.', $metadata: {} });

let reports: ResourceReport[];
const progress = (r: ResourceReport) => reports.push(r);
beforeEach(() => (reports = []));

function activeFunction(aws: ReturnType<typeof mockAws>) {
  aws.lambda.on(GetFunctionCommand).resolves({ Configuration: { State: 'Active', LastUpdateStatus: 'Successful' } });
}

describe('ensureFunction', () => {
  it('creates the function with the not-yet-deployed handler zip and waits until it is active', async () => {
    const aws = mockAws();
    aws.lambda.on(GetFunctionConfigurationCommand).rejects(notFound());
    aws.lambda.on(CreateFunctionCommand).resolves({ FunctionArn: FN_ARN });
    activeFunction(aws);

    await expect(ensureFunction(aws.clients.lambda, spec, progress, noSleep)).resolves.toBe(FN_ARN);
    expect(commandsOf(aws.lambda)).toEqual(['GetFunctionConfiguration', 'CreateFunction', 'GetFunction']);
    const input = aws.lambda.commandCalls(CreateFunctionCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      FunctionName: 'shop-worker',
      Role: ROLE,
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      Timeout: 900,
      Environment: { Variables: { WORKFLOW_AWS_NAME: 'shop' } },
      Tags: { 'workflow:installation': 'shop' },
    });
    const files = unzipSync(input.Code!.ZipFile!);
    const source = new TextDecoder().decode(files['index.mjs']);
    expect(source).toContain('export const handler');
    expect(source).toContain(NOT_DEPLOYED_MESSAGE);
    expect(reports).toEqual([{ kind: 'function', name: 'shop-worker', status: 'created' }]);
  });

  it('retries CreateFunction while the new role cannot be assumed yet', async () => {
    const aws = mockAws();
    aws.lambda.on(GetFunctionConfigurationCommand).rejects(notFound());
    aws.lambda.on(CreateFunctionCommand).rejectsOnce(cannotAssume()).rejectsOnce(cannotAssume()).resolves({ FunctionArn: FN_ARN });
    activeFunction(aws);
    const sleeps: number[] = [];
    await ensureFunction(aws.clients.lambda, spec, progress, async (ms) => void sleeps.push(ms));
    expect(aws.lambda.commandCalls(CreateFunctionCommand)).toHaveLength(3);
    expect(sleeps).toEqual([2000, 4000]);
  });

  it('does not retry other CreateFunction failures', async () => {
    const aws = mockAws();
    aws.lambda.on(GetFunctionConfigurationCommand).rejects(notFound());
    aws.lambda.on(CreateFunctionCommand).rejects(new InvalidParameterValueException({ message: 'Bad memory size', $metadata: {} }));
    await expect(ensureFunction(aws.clients.lambda, spec, progress, noSleep)).rejects.toThrow('Bad memory size');
    expect(aws.lambda.commandCalls(CreateFunctionCommand)).toHaveLength(1);
  });

  it('leaves a matching function alone', async () => {
    const aws = mockAws();
    aws.lambda.on(GetFunctionConfigurationCommand).resolves({
      FunctionArn: FN_ARN,
      Role: ROLE,
      State: 'Active',
      Environment: { Variables: { WORKFLOW_AWS_NAME: 'shop' } },
    });
    await ensureFunction(aws.clients.lambda, spec, progress, noSleep);
    expect(commandsOf(aws.lambda)).toEqual(['GetFunctionConfiguration']);
    expect(reports[0]!.status).toBe('present');
  });

  it('updates the configuration when the environment drifted', async () => {
    const aws = mockAws();
    aws.lambda.on(GetFunctionConfigurationCommand).resolves({ FunctionArn: FN_ARN, Role: ROLE, State: 'Active', Environment: { Variables: {} } });
    activeFunction(aws);
    await ensureFunction(aws.clients.lambda, spec, progress, noSleep);
    expect(aws.lambda.commandCalls(UpdateFunctionConfigurationCommand)[0]!.args[0].input).toEqual({
      FunctionName: 'shop-worker',
      Role: ROLE,
      Environment: { Variables: { WORKFLOW_AWS_NAME: 'shop' } },
    });
    expect(reports[0]!.status).toBe('updated');
  });

  it('recognises the IAM propagation errors only', () => {
    expect(isRolePropagationError(cannotAssume())).toBe(true);
    expect(
      isRolePropagationError(
        new InvalidParameterValueException({ message: 'The provided execution role does not have permissions to call ReceiveMessage on SQS', $metadata: {} }),
      ),
    ).toBe(true);
    expect(isRolePropagationError(new Error('The role defined for the function cannot be assumed by Lambda.'))).toBe(false);
  });
});

describe('event-source mappings', () => {
  it('creates a mapping with partial batch responses and waits until enabled', async () => {
    const aws = mockAws();
    aws.lambda.on(ListEventSourceMappingsCommand).resolves({ EventSourceMappings: [] });
    aws.lambda.on(CreateEventSourceMappingCommand).resolves({ UUID: 'u-1', State: 'Creating' });
    aws.lambda.on(GetEventSourceMappingCommand).resolvesOnce({ State: 'Creating' }).resolves({ State: 'Enabled' });

    await expect(ensureMapping(aws.clients.lambda, 'shop-worker', QUEUE, progress, noSleep)).resolves.toBe('u-1');
    expect(aws.lambda.commandCalls(ListEventSourceMappingsCommand)[0]!.args[0].input).toMatchObject({
      FunctionName: 'shop-worker',
      EventSourceArn: QUEUE.arn,
    });
    expect(aws.lambda.commandCalls(CreateEventSourceMappingCommand)[0]!.args[0].input).toEqual({
      FunctionName: 'shop-worker',
      EventSourceArn: QUEUE.arn,
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      Enabled: true,
    });
    expect(aws.lambda.commandCalls(GetEventSourceMappingCommand)).toHaveLength(2);
    expect(reports).toEqual([{ kind: 'event-source-mapping', name: 'shop-workflow → shop-worker', status: 'created' }]);
  });

  it('keeps an existing mapping that reports batch item failures', async () => {
    const aws = mockAws();
    aws.lambda.on(ListEventSourceMappingsCommand).resolves({
      EventSourceMappings: [{ UUID: 'u-1', EventSourceArn: QUEUE.arn, FunctionResponseTypes: ['ReportBatchItemFailures'] }],
    });
    await ensureMapping(aws.clients.lambda, 'shop-worker', QUEUE, progress, noSleep);
    expect(commandsOf(aws.lambda)).toEqual(['ListEventSourceMappings']);
    expect(reports[0]!.status).toBe('present');
  });

  it('turns on partial batch responses on an existing mapping without them', async () => {
    const aws = mockAws();
    aws.lambda.on(ListEventSourceMappingsCommand).resolves({ EventSourceMappings: [{ UUID: 'u-1', EventSourceArn: QUEUE.arn }] });
    aws.lambda.on(GetEventSourceMappingCommand).resolves({ State: 'Enabled' });
    await ensureMapping(aws.clients.lambda, 'shop-worker', QUEUE, progress, noSleep);
    expect(aws.lambda.commandCalls(UpdateEventSourceMappingCommand)[0]!.args[0].input).toEqual({
      UUID: 'u-1',
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(reports[0]!.status).toBe('updated');
  });

  it('deletes every mapping of the function and waits until each is gone', async () => {
    const aws = mockAws();
    aws.lambda.on(ListEventSourceMappingsCommand).resolves({
      EventSourceMappings: [
        { UUID: 'u-1', EventSourceArn: QUEUE.arn },
        { UUID: 'u-2', EventSourceArn: 'arn:aws:sqs:us-east-1:123456789012:shop-step' },
      ],
    });
    aws.lambda.on(GetEventSourceMappingCommand).resolvesOnce({ State: 'Deleting' }).rejects(notFound());
    await deleteMappings(aws.clients.lambda, 'shop-worker', progress, noSleep);
    expect(aws.lambda.commandCalls(DeleteEventSourceMappingCommand).map((c) => c.args[0].input.UUID)).toEqual(['u-1', 'u-2']);
    expect(reports.map((r) => r.name)).toEqual(['shop-workflow → shop-worker', 'shop-step → shop-worker']);
  });

  it('treats a missing function as having no mappings', async () => {
    const aws = mockAws();
    aws.lambda.on(ListEventSourceMappingsCommand).rejects(notFound());
    await deleteMappings(aws.clients.lambda, 'shop-worker', progress, noSleep);
    expect(reports).toEqual([]);
  });
});
