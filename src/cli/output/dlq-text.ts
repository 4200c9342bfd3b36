// Dead letters for people: one line each, details on request.
import type { DeadLetter } from '../dlq/dead-letters.js';

export function formatLetterLine(l: DeadLetter): string {
  const what = l.undecodable ? `undecodable (${l.undecodable})` : `run ${l.runId ?? '?'}${l.stepId ? ` step ${l.stepId}` : ''}`;
  return `${l.messageId}  ${l.dlq}  ${what}  received ${l.receiveCount}x${l.lastError ? `  last error: ${l.lastError}` : ''}`;
}

export function formatLetter(l: DeadLetter): string {
  const rows: [string, string | number | undefined][] = [
    ['message', l.messageId],
    ['dlq', l.dlq],
    ['source queue', l.channel],
    ['runtime queue', l.queueName],
    ['run', l.runId],
    ['step', l.stepId],
    ['envelope', l.envelopeId],
    ['deployment', l.deploymentId],
    ['receive count', l.receiveCount],
    ['sent at', l.sentAt],
    ['body', `${l.bodyBytes} B`],
    ['payload', l.payload === 'inline' ? 'inline' : `S3 ${l.payload.s3Key} (${l.payload.bytes} B)`],
    ['undecodable', l.undecodable],
    ['last error', l.lastError ?? 'none recorded'],
  ];
  return rows.filter(([, v]) => v !== undefined).map(([k, v]) => `${k.padEnd(14)} ${v}`).join('\n');
}
