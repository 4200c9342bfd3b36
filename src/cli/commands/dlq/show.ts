import { Args } from '@oclif/core';
import { AwsCommand } from '../../base-command.js';
import { CliFailure } from '../../errors.js';
import { channelsOf, dlqFlags } from '../../dlq/flags.js';
import type { DeadLetter } from '../../dlq/dead-letters.js';
import { listDeadLetters } from '../../operations/dlq.js';
import { formatLetter } from '../../output/dlq-text.js';

export default class DlqShow extends AwsCommand {
  static override summary = 'Show one dead letter (by message id or run id) in detail';
  static override description = 'Everything known about the message except its payload: queues, run, step, envelope, receive count, last error.';
  static override examples = [
    { description: 'By SQS message id (from `dlq list`)', command: '<%= config.bin %> <%= command.id %> 0f6c1c2e-…' },
    { description: 'Every dead letter of one run, as JSON', command: '<%= config.bin %> <%= command.id %> wrun_01J… --json' },
  ];
  static override args = { id: Args.string({ description: 'SQS message id or run id', required: true }) };
  static override flags = { ...dlqFlags };

  async run(): Promise<{ messages: DeadLetter[] }> {
    const { args, flags } = await this.parse(DlqShow);
    const ctx = await this.createContext(flags);
    const all = await listDeadLetters(ctx, { channels: channelsOf(flags.queue), max: flags.max, errors: true });
    const messages = all.filter((l) => l.messageId === args.id || l.runId === args.id);
    if (messages.length === 0) throw new CliFailure(`No dead letter with message or run id "${args.id}" (${all.length} in the DLQs; see \`aws-workflow dlq list\`).`);
    this.log(messages.map(formatLetter).join('\n\n'));
    return { messages };
  }
}
