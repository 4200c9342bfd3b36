// Where a command's AWS calls go: AWS itself, one emulator endpoint
// (--endpoint-url), per-service endpoints from the environment (the SDK's
// AWS_ENDPOINT_URL_<SERVICE>, as `aws-workflow dev` writes them), or the
// running `aws-workflow dev` (--local). Also says whether Lambda and IAM are
// reachable there: the embedded local AWS has neither.
import { CliFailure } from '../errors.js';
import { findDev, runningDevNames, runningDevs, type DevState } from '../local/dev-state.js';
import type { ClientOptions, ServiceEndpoints } from './clients.js';

export interface Target {
  kind: 'aws' | 'endpoint-url' | 'env' | 'local';
  endpoints?: ServiceEndpoints;
  /** Only for the embedded local AWS (its fixed dummy keys). */
  credentials?: ClientOptions['credentials'];
  region?: string;
  /** False where Lambda and IAM are not served (the embedded local AWS): commands skip them. */
  lambda: boolean;
  /** False where DynamoDB point-in-time recovery is not served (the embedded local AWS): bootstrap skips it. */
  pointInTimeRecovery: boolean;
  /** The data endpoints to write into an environment (local targets only). */
  dataEndpoints?: { dynamodb?: string; sqs?: string; s3?: string };
  dev?: DevState;
}

export const LAMBDA_NOT_EMULATED =
  'Lambda and IAM are not emulated by the local AWS: skipping the worker role, function and mappings (as with --no-lambda).';
export const PITR_NOT_EMULATED =
  'The local AWS has no DynamoDB point-in-time recovery: skipping it (as with --no-events-point-in-time-recovery).';

type Env = Record<string, string | undefined>;

/** Per-service endpoints as the SDK reads them: AWS_ENDPOINT_URL_<SERVICE>, else AWS_ENDPOINT_URL. */
export function endpointsFromEnv(env: Env): ServiceEndpoints | undefined {
  const all = env.AWS_ENDPOINT_URL || undefined;
  const pick = (service: string) => env[`AWS_ENDPOINT_URL_${service}`] || all;
  const endpoints: ServiceEndpoints = {
    dynamodb: pick('DYNAMODB'),
    sqs: pick('SQS'),
    s3: pick('S3'),
    lambda: pick('LAMBDA'),
    iam: pick('IAM'),
  };
  const set = Object.fromEntries(Object.entries(endpoints).filter(([, v]) => v)) as ServiceEndpoints;
  return Object.keys(set).length > 0 ? set : undefined;
}

export async function resolveTarget(flags: { local?: boolean; name: string; 'endpoint-url'?: string }, env: Env = process.env): Promise<Target> {
  if (flags.local) {
    if (flags['endpoint-url']) throw new CliFailure('--local and --endpoint-url exclude each other: --local finds the running `aws-workflow dev` by itself.', 2);
    const dev = await findDev(flags.name);
    if (!dev) {
      const running = await runningDevNames();
      throw new CliFailure(
        running.length > 0
          ? `No running \`aws-workflow dev\` for installation "${flags.name}"; running: ${running.join(', ')} (pass --name ${running[0]}).`
          : `No running \`aws-workflow dev\` found for installation "${flags.name}": start it with \`aws-workflow dev --name ${flags.name}\`.`,
      );
    }
    return {
      kind: 'local',
      endpoints: { ...dev.endpoints },
      dataEndpoints: { ...dev.endpoints },
      credentials: dev.credentials,
      region: dev.region,
      lambda: false,
      pointInTimeRecovery: false,
      dev,
    };
  }
  const url = flags['endpoint-url'];
  if (url) {
    const data = { dynamodb: url, sqs: url, s3: url };
    // One endpoint for everything (LocalStack and the like serve Lambda and IAM too).
    return { kind: 'endpoint-url', endpoints: { ...data, lambda: url, iam: url }, dataEndpoints: data, lambda: true, pointInTimeRecovery: true };
  }
  const fromEnv = endpointsFromEnv(env);
  if (fromEnv) {
    const { dynamodb, sqs, s3 } = fromEnv;
    const data = Object.fromEntries(Object.entries({ dynamodb, sqs, s3 }).filter(([, v]) => v));
    // DynamoDB or SQS on this machine and no endpoint for Lambda/IAM: a local AWS without them (dev's env file).
    // An endpoint elsewhere (say an S3-compatible store) says nothing about Lambda.
    const localData = [dynamodb, sqs].some((url) => url !== undefined && isLoopback(url));
    const lambda = Boolean(fromEnv.lambda && fromEnv.iam) || !localData;
    // The same local AWS (dynalite) has no point-in-time recovery either.
    return { kind: 'env', endpoints: fromEnv, dataEndpoints: data, lambda, pointInTimeRecovery: lambda };
  }
  return { kind: 'aws', lambda: true, pointInTimeRecovery: true };
}

/**
 * dev's environment loaded with another region: the local SQS binds each queue
 * to the region it was made in, so every queue would read as missing while the
 * app (which has the URLs) works. Says which region the dev that serves these
 * endpoints used; undefined when they agree, or no running dev serves them.
 */
export async function devRegionMismatch(target: Target, region: string, devs?: DevState[]): Promise<string | undefined> {
  const sqs = target.kind === 'env' ? target.dataEndpoints?.sqs : undefined;
  if (!sqs || !isLoopback(sqs)) return undefined;
  const dev = (devs ?? (await runningDevs())).find((d) => d.endpoints.sqs === sqs);
  if (!dev || dev.region === region) return undefined;
  return (
    `The running \`aws-workflow dev\` at ${sqs} (installation "${dev.name}", pid ${dev.pid}) made its queues in ${dev.region}, ` +
    `but this command uses ${region}: its SQS binds a queue to its region, so they would read as missing. ` +
    `Set AWS_REGION=${dev.region} (as dev's environment does), or use --local.`
  );
}

function isLoopback(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\./.test(host);
  } catch {
    return false;
  }
}
