import { AwsCommand } from '../../base-command.js';
import { CliFailure } from '../../errors.js';
import { channelsOf, dlqFlags } from '../../dlq/flags.js';
import { purge } from '../../operations/dlq.js';
import { terminalConfirm, type Confirm } from '../../output/confirm.js';

export default class DlqPurge extends AwsCommand {
  static override summary = 'Delete every message in the dead-letter queues (asks first)';
  static override description = 'SQS PurgeQueue: irreversible, and allowed once a minute per queue. Asks for confirmation unless --yes; without a terminal it refuses unless --yes.';
  static override examples = [
    { description: 'Both DLQs, after confirming', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'The step DLQ, no prompt', command: '<%= config.bin %> <%= command.id %> --queue step --yes' },
  ];
  static override flags = { queue: dlqFlags.queue };

  /** Replaced in tests. */
  confirm: Confirm = terminalConfirm;

  async run(): Promise<{ purged: string[] }> {
    const { flags } = await this.parse(DlqPurge);
    const ctx = await this.createContext(flags);
    const channels = channelsOf(flags.queue);
    if (!flags.yes) {
      const which = channels.map((c) => (c === 'workflow' ? ctx.names.workflowDlq : ctx.names.stepDlq)).join(' and ');
      if (!(await this.confirm(`Delete every message in ${which} (${ctx.region})?`))) throw new CliFailure('Purge cancelled; nothing was deleted.');
    }
    const purged = await purge(ctx, channels);
    this.log(`purged ${purged.join(', ')}`);
    return { purged };
  }
}
