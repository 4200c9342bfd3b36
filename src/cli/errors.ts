// Turns any failure into one line a person can act on, plus an exit code.
import { failedAction } from './aws/annotate-errors.js';
import { awsErrorName, isUnknownOperation } from '../adapters/aws/aws-errors.js';
import { isAccessDenied, isCredentialError } from '../adapters/aws/access-problems.js';
import { errorMessage } from '../domain/errors.js';

export const EXIT = {
  failure: 1,
  credentials: 3,
  accessDenied: 4,
  region: 5,
  notBootstrapped: 6,
  /** `status`: dead letters or failed runs in its window. */
  problems: 7,
} as const;

/** A failure whose message is already the one line to show. */
export class CliFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message);
    this.name = 'CliFailure';
  }
}

export class NotBootstrapped extends CliFailure {
  constructor(name: string, region: string, missing: string) {
    super(
      `Installation "${name}" is not bootstrapped in ${region} (${missing} not found): run \`aws-workflow bootstrap --name ${name} --region ${region}\`, or pass the --region/--name it was bootstrapped with.`,
      EXIT.notBootstrapped,
    );
  }
}


export interface Described {
  message: string;
  exitCode: number;
}

export function describeError(error: unknown, context: { region?: string }): Described {
  if (error instanceof CliFailure) return { message: error.message, exitCode: error.exitCode };
  const name = awsErrorName(error) ?? '';
  const message = firstLine(errorMessage(error));
  if (isCredentialError(error)) {
    return {
      message: `AWS credentials are missing or invalid (${name || message}): pass --profile, or set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.`,
      exitCode: EXIT.credentials,
    };
  }
  if (isAccessDenied(error)) {
    const { action, resource } = deniedTarget(message, error);
    return {
      message: `Access denied: ${action ?? 'an AWS action'}${resource ? ` on ${resource}` : ''}. Grant it to your AWS identity (docs/iam.md lists what bootstrap needs).`,
      exitCode: EXIT.accessDenied,
    };
  }
  if (/region is missing/i.test(message)) {
    return { message: 'No AWS region: pass --region or set AWS_REGION.', exitCode: EXIT.region };
  }
  const host = unreachableAwsHost(error, message);
  if (host && context.region && host.includes(context.region)) {
    return {
      message: `Cannot reach ${host}: check that "${context.region}" is a region this account can use (--region / AWS_REGION), and the network.`,
      exitCode: EXIT.region,
    };
  }
  if (host) return { message: `Cannot reach ${host}: check the network.`, exitCode: EXIT.failure };
  if (name === 'PermanentRedirect' || name === 'AuthorizationHeaderMalformed' || /invalid region|not a valid region/i.test(message)) {
    return { message: `AWS region "${context.region ?? 'unknown'}" looks wrong (${name || message}): check --region / AWS_REGION.`, exitCode: EXIT.region };
  }
  const wrongService = notThatService(error, name, message);
  if (wrongService) return { message: wrongService, exitCode: EXIT.failure };
  const refused = /ECONNREFUSED\s+(\S+)/.exec(message)?.[1];
  if (refused) return { message: `Nothing answers at ${refused}: is the local AWS endpoint (--endpoint-url) running?`, exitCode: EXIT.failure };
  const prefix = name && name !== 'Error' && !message.startsWith(name) ? `${name}: ` : '';
  return { message: `${prefix}${message}`, exitCode: EXIT.failure };
}

const SERVICE_NAMES: Record<string, string> = { dynamodb: 'DynamoDB', sqs: 'SQS', s3: 'S3', lambda: 'Lambda', iam: 'IAM' };

/**
 * An endpoint that answers, but not as the service asked (an emulator for
 * another service, or none for Lambda/IAM): the SDK reports a parse error or
 * an unknown operation, which says nothing about the fix.
 */
function notThatService(error: unknown, name: string, message: string): string | undefined {
  const garbled =
    isUnknownOperation(error) ||
    name === 'SyntaxError' ||
    /XML parse error|Unexpected token|is not valid JSON|Deserialization error/i.test(message);
  if (!garbled) return undefined;
  const action = failedAction(error);
  const service = action?.split(':')[0];
  if (!service || !SERVICE_NAMES[service]) return undefined;
  const what = `The ${SERVICE_NAMES[service]} endpoint did not answer as ${SERVICE_NAMES[service]} (${action}: ${message.slice(0, 80)})`;
  if (service === 'lambda' || service === 'iam') {
    return `${what}: the local AWS has no Lambda or IAM. Pass --no-lambda (or use --local / dev's env file, which skip them).`;
  }
  return `${what}: \`aws-workflow dev\` serves DynamoDB and SQS/S3 on different ports, so one --endpoint-url cannot reach both. Use --local, or load the env file dev writes (per-service AWS_ENDPOINT_URL_*).`;
}

/** "User: … is not authorized to perform: iam:CreateRole on resource: arn:… because …" */
function deniedTarget(message: string, error: unknown): { action?: string; resource?: string } {
  const match = /perform:\s*([\w-]+:[\w*-]+)(?:\s+on resource:\s*"?([^"\s]+?)"?(?:\s|$))?/i.exec(message);
  return { action: match?.[1] ?? failedAction(error), resource: match?.[2] };
}

function unreachableAwsHost(error: unknown, message: string): string | undefined {
  const e = error as { code?: unknown; hostname?: unknown } | undefined;
  if (e?.code !== 'ENOTFOUND' && !/ENOTFOUND/.test(message)) return undefined;
  const host = typeof e?.hostname === 'string' ? e.hostname : /ENOTFOUND\s+(\S+)/.exec(message)?.[1];
  return host && host.endsWith('.amazonaws.com') ? host : undefined;
}

function firstLine(text: string): string {
  return text.split('\n')[0]?.trim() ?? '';
}
