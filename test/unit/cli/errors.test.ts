// Every failure becomes one actionable line and an exit code.
import { IAMServiceException } from '@aws-sdk/client-iam';
import { annotateFailedCommand, FAILED_ACTION } from '../../../src/cli/aws/annotate-errors.js';
import { CliFailure, describeError, EXIT, NotBootstrapped } from '../../../src/cli/errors.js';

function awsError(name: string, message: string): Error {
  return new IAMServiceException({ name, message, $fault: 'client', $metadata: {} });
}

describe('describeError', () => {
  it('names the denied action and resource from the AWS message', () => {
    const error = awsError(
      'AccessDenied',
      'User: arn:aws:iam::123456789012:user/ci is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::123456789012:role/shop-worker-role because no identity-based policy allows the iam:CreateRole action',
    );
    expect(describeError(error, {})).toEqual({
      message:
        'Access denied: iam:CreateRole on arn:aws:iam::123456789012:role/shop-worker-role. Grant it to your AWS identity (docs/iam.md lists what bootstrap needs).',
      exitCode: EXIT.accessDenied,
    });
  });

  it('falls back to the failed SDK command when the message names no action', () => {
    const error = awsError('AccessDeniedException', 'Access Denied');
    Object.defineProperty(error, FAILED_ACTION, { value: 'lambda:CreateFunction' });
    expect(describeError(error, {}).message).toMatch(/^Access denied: lambda:CreateFunction\. /);
  });

  it('explains missing or invalid credentials', () => {
    const missing = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    expect(describeError(missing, {})).toMatchObject({ exitCode: EXIT.credentials });
    expect(describeError(missing, {}).message).toMatch(/credentials are missing or invalid.*--profile/);
    expect(describeError(awsError('InvalidClientTokenId', 'The security token included in the request is invalid.'), {}).exitCode).toBe(
      EXIT.credentials,
    );
  });

  it('explains a missing or unreachable region', () => {
    expect(describeError(new Error('Region is missing'), {})).toEqual({ message: 'No AWS region: pass --region or set AWS_REGION.', exitCode: EXIT.region });
    const dns = Object.assign(new Error('getaddrinfo ENOTFOUND lambda.eu-nowhere-1.amazonaws.com'), {
      code: 'ENOTFOUND',
      hostname: 'lambda.eu-nowhere-1.amazonaws.com',
    });
    expect(describeError(dns, { region: 'eu-nowhere-1' })).toEqual({
      message:
        'Cannot reach lambda.eu-nowhere-1.amazonaws.com: check that "eu-nowhere-1" is a region this account can use (--region / AWS_REGION), and the network.',
      exitCode: EXIT.region,
    });
    // A global endpoint says nothing about the region.
    const global = Object.assign(new Error('getaddrinfo ENOTFOUND iam.amazonaws.com'), { code: 'ENOTFOUND', hostname: 'iam.amazonaws.com' });
    expect(describeError(global, { region: 'eu-nowhere-1' })).toEqual({ message: 'Cannot reach iam.amazonaws.com: check the network.', exitCode: EXIT.failure });
    const s3Redirect = awsError('PermanentRedirect', 'The bucket you are attempting to access must be addressed using the specified endpoint.');
    expect(describeError(s3Redirect, { region: 'us-west-2' }).exitCode).toBe(EXIT.region);
  });

  it('passes CLI failures through, and names a missing installation', () => {
    expect(describeError(new CliFailure('plain'), {})).toEqual({ message: 'plain', exitCode: EXIT.failure });
    const missing = describeError(new NotBootstrapped('shop', 'eu-west-1', 'function shop-worker'), {});
    expect(missing.exitCode).toBe(EXIT.notBootstrapped);
    expect(missing.message).toContain('aws-workflow bootstrap --name shop --region eu-west-1');
    expect(missing.message).not.toContain('\n');
  });

  it('points at the local endpoint when nothing answers there', () => {
    expect(describeError(new Error('connect ECONNREFUSED 127.0.0.1:4566'), {}).message).toBe(
      'Nothing answers at 127.0.0.1:4566: is the local AWS endpoint (--endpoint-url) running?',
    );
  });

  it('keeps only the first line of anything else', () => {
    expect(describeError(new Error('first\nsecond'), {}).message).toBe('first');
  });
});

describe('annotateFailedCommand', () => {
  it('tags failures with the IAM action of the command that failed', async () => {
    const { LambdaClient, GetFunctionCommand } = await import('@aws-sdk/client-lambda');
    const client = new LambdaClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      // Fail before any network I/O.
      requestHandler: { handle: async () => Promise.reject(new Error('offline')) },
    });
    annotateFailedCommand(client);
    const error = await client.send(new GetFunctionCommand({ FunctionName: 'f' })).catch((e: unknown) => e);
    expect((error as Record<symbol, unknown>)[FAILED_ACTION]).toBe('lambda:GetFunction');
  });
});
