// Flags the dlq commands share.
import { Flags } from '@oclif/core';
import { CHANNELS, type Channel } from '../operations/dlq.js';

export const dlqFlags = {
  queue: Flags.string({ description: 'which DLQ: the workflow queue\'s, the step queue\'s, or both', options: ['workflow', 'step', 'all'], default: 'all' }),
  max: Flags.integer({ description: 'read at most this many messages per DLQ', default: 1000, min: 1 }),
};

export function channelsOf(queue: string): readonly Channel[] {
  return queue === 'all' ? CHANNELS : [queue as Channel];
}
