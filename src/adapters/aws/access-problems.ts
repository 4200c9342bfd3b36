// Which AWS failures are configuration, not load: missing or invalid
// credentials, a denied action, an endpoint nobody answers at, a region that
// does not resolve. Each gets its cause and the variable to change.
import { ENDPOINT_ENV } from '../../config/settings.js';
import type { AccessProblem } from '../../ports/service-access.js';
import { awsErrorName } from './aws-errors.js';

export type AwsService = 'dynamodb' | 'sqs' | 's3';

const SERVICE_TITLE: Record<AwsService, string> = { dynamodb: 'DynamoDB', sqs: 'SQS', s3: 'S3' };

/** Error names AWS and the SDK give to missing, invalid or expired credentials. */
export const CREDENTIAL_ERROR_NAMES: ReadonlySet<string> = new Set([
  'CredentialsProviderError',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidAccessKeyId',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'TokenRefreshRequired',
  'InvalidSecurity',
  'AWS.SimpleQueueService.InvalidSecurity',
]);

export const ACCESS_DENIED_NAMES: ReadonlySet<string> = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'AuthorizationError',
  'UnauthorizedOperation',
  'Forbidden',
  'KMS.AccessDeniedException',
]);

const CREDENTIAL_TEXT = /could not load credentials|security token included in the request is (invalid|expired)|credential should be scoped/i;

export function isCredentialError(error: unknown): boolean {
  const name = awsErrorName(error) ?? '';
  return CREDENTIAL_ERROR_NAMES.has(name) || CREDENTIAL_TEXT.test(messageOf(error));
}

export function isAccessDenied(error: unknown): boolean {
  return ACCESS_DENIED_NAMES.has(awsErrorName(error) ?? '') || /not authorized to perform/i.test(messageOf(error));
}

/** The configuration problem behind `error` on a call to `service`, or undefined when it is something else. */
export function accessProblem(error: unknown, service: AwsService): AccessProblem | undefined {
  const title = SERVICE_TITLE[service];
  const name = awsErrorName(error) ?? 'Error';
  if (isCredentialError(error)) {
    return {
      kind: 'credentials',
      cause: `AWS credentials are missing or invalid (${title}: ${name})`,
      fix: 'set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (with `aws-workflow dev`, run the app with the environment it prints)',
    };
  }
  if (isAccessDenied(error)) {
    return {
      kind: 'denied',
      cause: `${title} refused the call (${name}: ${firstLine(messageOf(error))})`,
      fix: "grant this identity the world's policy (docs/iam.md)",
    };
  }
  const refused = findCode(error, 'ECONNREFUSED');
  if (refused) {
    return {
      kind: 'unreachable',
      cause: `nothing answers at the ${title} endpoint${refused.address ? ` ${refused.address}` : ''} (ECONNREFUSED)`,
      fix: `check ${ENDPOINT_ENV[service]} / ${ENDPOINT_ENV.all} (with \`aws-workflow dev\`: is it still running, on the ports it printed?)`,
    };
  }
  const unresolved = findCode(error, 'ENOTFOUND');
  if (unresolved) {
    const aws = unresolved.hostname?.endsWith('.amazonaws.com');
    return {
      kind: aws ? 'region' : 'unreachable',
      cause: `the ${title} endpoint ${unresolved.hostname ?? ''} does not resolve (ENOTFOUND)`.replace('  ', ' '),
      fix: aws ? 'check AWS_REGION (a region this account can use) and the network' : `check ${ENDPOINT_ENV[service]} / ${ENDPOINT_ENV.all}`,
    };
  }
  if (/region is missing/i.test(messageOf(error))) {
    return { kind: 'region', cause: `no AWS region for ${title}`, fix: 'set AWS_REGION' };
  }
  return undefined;
}

function findCode(error: unknown, code: string, depth = 0): { address?: string; hostname?: string } | undefined {
  const e = error as { code?: unknown; cause?: unknown; address?: unknown; port?: unknown; hostname?: unknown; message?: unknown } | undefined;
  if (!e || typeof e !== 'object' || depth > 5) return undefined;
  const text = typeof e.message === 'string' ? e.message : '';
  if (e.code === code || text.includes(code)) {
    const address = typeof e.address === 'string' ? `${e.address}${typeof e.port === 'number' ? `:${e.port}` : ''}` : new RegExp(`${code}\\s+(\\S+)`).exec(text)?.[1];
    const hostname = typeof e.hostname === 'string' ? e.hostname : code === 'ENOTFOUND' ? address : undefined;
    return { address, hostname };
  }
  return findCode(e.cause, code, depth + 1);
}

function messageOf(error: unknown): string {
  const m = (error as { message?: unknown } | undefined)?.message;
  return typeof m === 'string' ? m : '';
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').slice(0, 200);
}
