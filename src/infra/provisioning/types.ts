// What provisioning reports: one line per resource once it is settled, so the
// CLI's bootstrap/teardown can print progress and a second run can show that
// it changed nothing (every resource `present`).
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';

import type { ResourceReport as Report } from '../progress.js';

export type { ResourceStatus } from '../progress.js';
export type ResourceKind = 'table' | 'queue' | 'dlq' | 'bucket';
export type ResourceReport = Report<ResourceKind>;

export type ProgressListener = (report: ResourceReport) => void;

export interface ProvisioningClients {
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
  s3: S3Client;
}

export interface ProvisionOptions {
  onProgress?: ProgressListener;
  /**
   * DynamoDB point-in-time recovery: true on every table, 'events' on the
   * events table only (the event log is the one table the others can be
   * rebuilt from), false/undefined on none. Emulators may lack it.
   */
  pointInTimeRecovery?: boolean | 'events';
  /** A human-facing line about a wait in progress (QueueDeletedRecently, a bucket or backups not ready yet). */
  onNote?: (line: string) => void;
  /** Injectable pause for the waits above (tests). */
  sleep?: (ms: number) => Promise<void>;
  /** Longest wait for a table (and its indexes) to become ACTIVE or to disappear. Default 10 minutes. */
  tableWaitMs?: number;
  /** Receives before SQS moves a message to its DLQ. Default QUEUES.maxReceiveCount. */
  maxReceiveCount?: number;
  /** Largest message the queues (and DLQs) accept: WORKFLOW_AWS_MAX_MESSAGE_BYTES. Default its default. */
  maxMessageBytes?: number;
}

export interface QueueAddress {
  url: string;
  arn: string;
}

export interface ProvisionedQueues {
  workflow: QueueAddress;
  step: QueueAddress;
  workflowDlq: QueueAddress;
  stepDlq: QueueAddress;
}

export interface ResourceState {
  kind: ResourceKind;
  name: string;
  exists: boolean;
}
