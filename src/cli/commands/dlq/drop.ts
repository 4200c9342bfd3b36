import { Args, Errors, Flags } from '@oclif/core';
import { AwsCommand } from '../../base-command.js';
import { CliFailure } from '../../errors.js';
import { channelsOf, dlqFlags } from '../../dlq/flags.js';
import type { DeadLetter } from '../../dlq/dead-letters.js';
import { drop } from '../../operations/dlq.js';
import { terminalConfirm, type Confirm } from '../../output/confirm.js';
import { formatLetterLine } from '../../output/dlq-text.js';

export default class DlqDrop extends AwsCommand {
  static override summary = 'Delete single dead letters (poison messages): by message id, by run, or every undecodable one (asks first)';
  static override description =
    'The others stay in the DLQ. Irreversible: a dropped message is never delivered again. Asks for confirmation unless --yes; ' +
    'without a terminal it refuses unless --yes. Exits 1 when nothing matched.';
  static override examples = [
    { description: 'One message, by the id `dlq list` shows', command: '<%= config.bin %> <%= command.id %> 0f6c1c2e-…' },
    { description: 'Every message of one run', command: '<%= config.bin %> <%= command.id %> --run wrun_01J… --yes' },
    { description: 'Every message whose envelope cannot be read', command: '<%= config.bin %> <%= command.id %> --undecodable' },
  ];
  static override strict = false;
  static override args = { message: Args.string({ description: 'SQS message id (repeatable)', required: false }) };
  static override flags = {
    ...dlqFlags,
    run: Flags.string({ description: 'every message of this run (repeatable)', multiple: true }),
    undecodable: Flags.boolean({ description: 'every message whose envelope cannot be read', default: false }),
  };

  /** Replaced in tests. */
  confirm: Confirm = terminalConfirm;

  async run(): Promise<{ dropped: DeadLetter[] }> {
    const { argv, flags } = await this.parse(DlqDrop);
    const messageIds = new Set(argv as string[]);
    const runIds = new Set(flags.run ?? []);
    if (messageIds.size === 0 && runIds.size === 0 && !flags.undecodable) {
      throw new Errors.CLIError('Name what to drop: message ids, --run <id>, or --undecodable (`aws-workflow dlq list` shows them).');
    }
    const ctx = await this.createContext(flags);
    if (!flags.yes) {
      const what = [...[...messageIds].map((id) => `message ${id}`), ...[...runIds].map((id) => `run ${id}'s messages`), ...(flags.undecodable ? ['undecodable messages'] : [])];
      if (!(await this.confirm(`Delete ${what.join(', ')} from the DLQs of "${ctx.name}" (${ctx.region})?`))) throw new CliFailure('Drop cancelled; nothing was deleted.');
    }
    const dropped = await drop(ctx, { channels: channelsOf(flags.queue), messageIds, runIds, undecodable: flags.undecodable, max: flags.max });
    if (dropped.length === 0) throw new CliFailure('No dead letter matched; nothing was deleted (`aws-workflow dlq list` shows what is there).');
    const missed = [...messageIds].filter((id) => !dropped.some((l) => l.messageId === id));
    for (const letter of dropped) this.log(`dropped ${formatLetterLine(letter)}`);
    if (missed.length > 0) ctx.note(`not found: ${missed.join(', ')}`);
    return { dropped };
  }
}
