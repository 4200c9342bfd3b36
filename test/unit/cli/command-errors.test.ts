// Failures reach the user as one line on stderr and a distinct exit code; a
// stack trace appears only with --debug.
import { GetFunctionConfigurationCommand, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import Deploy from '../../../src/cli/commands/deploy.js';
import { EXIT } from '../../../src/cli/errors.js';
import { mockAws } from './helpers/mock-clients.js';
import { runCommand } from './helpers/run-command.js';

const notFound = () => new ResourceNotFoundException({ message: 'Function not found: arn:aws:lambda:…', $metadata: {} });

describe('command failures', () => {
  it('reports a missing bootstrap in one line, without a stack', async () => {
    const aws = mockAws('eu-west-1');
    aws.lambda.on(GetFunctionConfigurationCommand).rejects(notFound());
    const run = await runCommand(Deploy, ['--name', 'shop', '--region', 'eu-west-1', '--no-build'], { factory: aws.factory });
    expect(run.exitCode).toBe(EXIT.notBootstrapped);
    expect(run.stderr.trim().split('\n')).toEqual([
      'Error: Installation "shop" is not bootstrapped in eu-west-1 (function shop-worker not found): run `aws-workflow bootstrap --name shop --region eu-west-1`, or pass the --region/--name it was bootstrapped with.',
    ]);
    expect(run.stdout).toBe('');
  });

  it('names the denied action and resource', async () => {
    const aws = mockAws();
    const denied = Object.assign(
      new Error('User: arn:aws:iam::123456789012:user/ci is not authorized to perform: lambda:GetFunctionConfiguration on resource: arn:aws:lambda:us-east-1:123456789012:function:shop-worker because no identity-based policy allows it'),
      { name: 'AccessDeniedException' },
    );
    aws.lambda.on(GetFunctionConfigurationCommand).rejects(denied);
    const run = await runCommand(Deploy, ['--name', 'shop', '--region', 'us-east-1'], { factory: aws.factory });
    expect(run.exitCode).toBe(EXIT.accessDenied);
    expect(run.stderr).toBe(
      'Error: Access denied: lambda:GetFunctionConfiguration on arn:aws:lambda:us-east-1:123456789012:function:shop-worker. Grant it to your AWS identity (docs/iam.md lists what bootstrap needs).\n',
    );
  });

  it('reports missing credentials in one line', async () => {
    const aws = mockAws();
    aws.lambda
      .on(GetFunctionConfigurationCommand)
      .rejects(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }));
    const run = await runCommand(Deploy, ['--region', 'us-east-1'], { factory: aws.factory });
    expect(run.exitCode).toBe(EXIT.credentials);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^Error: AWS credentials are missing or invalid/);
  });

  it('adds the stack trace with --debug', async () => {
    const aws = mockAws();
    aws.lambda.on(GetFunctionConfigurationCommand).rejects(notFound());
    const run = await runCommand(Deploy, ['--region', 'us-east-1', '--debug'], { factory: aws.factory });
    expect(run.exitCode).toBe(EXIT.notBootstrapped);
    expect(run.stderr).toMatch(/NotBootstrapped|CliFailure/);
    expect(run.stderr).toMatch(/\n\s+at /);
  });

  it('prints a JSON error object under --json', async () => {
    const aws = mockAws();
    aws.lambda.on(GetFunctionConfigurationCommand).rejects(notFound());
    const run = await runCommand(Deploy, ['--region', 'us-east-1', '--json'], { factory: aws.factory });
    expect(run.exitCode).toBe(EXIT.notBootstrapped);
    expect(JSON.parse(run.stdout)).toEqual({ error: { message: expect.stringContaining('is not bootstrapped'), exitCode: EXIT.notBootstrapped } });
  });

  it('rejects an invalid installation name before touching AWS', async () => {
    const aws = mockAws();
    const run = await runCommand(Deploy, ['--name', 'Bad_Name', '--region', 'us-east-1'], { factory: aws.factory });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('--name "Bad_Name" may contain only lowercase letters');
    expect(aws.calls()).toEqual([]);
  });
});
