// The suite's end-of-run checks on the installation: nothing in a DLQ, and the
// projections agree with the event log (verifyProjections, @workflow/world-aws/testing).
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { LocalAws } from '../../../src/infra/local-aws/index.js';

/** Messages in each DLQ (visible and in flight), as `name: count` for the non-empty ones. */
export async function deadLetters(local: LocalAws): Promise<string[]> {
  const sqs = new SQSClient({ endpoint: local.endpoints.sqs, region: local.region, credentials: local.credentials });
  try {
    const found: string[] = [];
    for (const [name, url] of [['workflow DLQ', local.queueUrls.workflowDlq], ['step DLQ', local.queueUrls.stepDlq]] as const) {
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
      );
      const count = Number(Attributes.ApproximateNumberOfMessages ?? 0) + Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0);
      if (count > 0) found.push(`${name}: ${count}`);
    }
    return found;
  } finally {
    sqs.destroy();
  }
}

/**
 * Drift between the event log and the projections of `runIds`, one line per
 * drifted entity, from the package's own check (`verifyProjections`).
 */
export async function projectionDrift(env: Record<string, string>, runIds: string[]): Promise<string[]> {
  const testing: Record<string, unknown> = await import('../../../src/testing.js');
  const verifyProjections = testing.verifyProjections as
    | ((options: { env: Record<string, string>; runIds: string[] }) => Promise<{ drift: unknown[] }>)
    | undefined;
  if (typeof verifyProjections !== 'function') return ['verifyProjections is not exported by src/testing.ts: no drift check ran'];
  const report = await verifyProjections({ env, runIds });
  return report.drift.map((d) => JSON.stringify(d));
}
