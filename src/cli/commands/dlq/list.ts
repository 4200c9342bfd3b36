import { Flags } from '@oclif/core';
import { AwsCommand } from '../../base-command.js';
import { channelsOf, dlqFlags } from '../../dlq/flags.js';
import type { DeadLetter } from '../../dlq/dead-letters.js';
import { listDeadLetters } from '../../operations/dlq.js';
import { formatLetterLine } from '../../output/dlq-text.js';

export default class DlqList extends AwsCommand {
  static override summary = 'List the messages in the dead-letter queues: run, step, queue and why they died';
  static override description =
    'Reads each DLQ without consuming it (messages are received, then made visible again at once). ' +
    'The run and step come from the message envelope; the last error from the run or step the world recorded. Payloads are never printed.';
  static override examples = [
    { description: 'Every dead letter of the default installation', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Only the step DLQ, as JSON', command: '<%= config.bin %> <%= command.id %> --queue step --json' },
    { description: 'On the running `aws-workflow dev`', command: '<%= config.bin %> <%= command.id %> --local' },
  ];
  static override flags = {
    ...dlqFlags,
    errors: Flags.boolean({ description: 'look up each run\'s or step\'s last error (one read each)', default: true, allowNo: true }),
  };

  async run(): Promise<{ messages: DeadLetter[] }> {
    const { flags } = await this.parse(DlqList);
    const ctx = await this.createContext(flags);
    const messages = await listDeadLetters(ctx, { channels: channelsOf(flags.queue), max: flags.max, errors: flags.errors });
    this.log(messages.length === 0 ? 'the dead-letter queues are empty' : messages.map(formatLetterLine).join('\n'));
    return { messages };
  }
}
