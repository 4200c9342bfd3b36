// What one installation's resources are called. Names only: their
// definitions (keys, indexes, queue and bucket settings) are in
// adapters/aws/resources.ts.

export type TableRole = 'runs' | 'steps' | 'events' | 'hooks' | 'streams';
export const TABLE_ROLES: readonly TableRole[] = ['runs', 'steps', 'events', 'hooks', 'streams'];

/** Physical names of one installation's resources. */
export interface ResourceNames {
  tables: Record<TableRole, string>;
  workflowQueue: string;
  stepQueue: string;
  workflowDlq: string;
  stepDlq: string;
  bucket: string;
  lambdaFunction: string;
  lambdaRole: string;
}

/** Default naming: every resource is prefixed with the installation name, so several fit one account. */
export function resourceNames(installation: string): ResourceNames {
  return {
    tables: {
      runs: `${installation}-runs`,
      steps: `${installation}-steps`,
      events: `${installation}-events`,
      hooks: `${installation}-hooks`,
      streams: `${installation}-streams`,
    },
    workflowQueue: `${installation}-workflow`,
    stepQueue: `${installation}-step`,
    workflowDlq: `${installation}-workflow-dlq`,
    stepDlq: `${installation}-step-dlq`,
    bucket: legacyBucketName(installation),
    lambdaFunction: `${installation}-worker`,
    lambdaRole: `${installation}-worker-role`,
  };
}

/** The payload bucket's name before account-and-region names; still used by installations made then (cli/aws/bucket-name.ts). */
export function legacyBucketName(installation: string): string {
  return `${installation}-payloads`;
}

/** The SSM SecureString parameter holding the worker function's payload master key. */
export function encryptionKeyParameterName(names: Pick<ResourceNames, 'lambdaFunction'>): string {
  return `/workflow-aws/${names.lambdaFunction}/encryption-key`;
}
