import { Flags } from '@oclif/core';
import { AwsCommand } from '../../base-command.js';
import { CliFailure } from '../../errors.js';
import { channelsOf, dlqFlags } from '../../dlq/flags.js';
import type { RedriveOutcome } from '../../dlq/redrive.js';
import { redrive } from '../../operations/dlq.js';

export default class DlqRedrive extends AwsCommand {
  static override summary = 'Move dead letters back to the queue they came from: all of them, or one run\'s';
  static override description =
    'Fix the cause first (deploy the fix), or the messages come back. Without --run, uses SQS\'s StartMessageMoveTask ' +
    '(messages go back to their source queue; where the endpoint has no move tasks, e.g. the local AWS, they are moved one by one). ' +
    'With --run, only that run\'s messages are moved, one by one (a move task cannot filter); the others stay. ' +
    'With --run, exits 1 when no message of any given run was found (a run with none is named). ' +
    'Moving one by one leaves undecodable messages in the DLQ (no consumer can run them; `dlq drop --undecodable` deletes them); ' +
    'a move task cannot filter, so drop them before a redrive of everything on AWS.';
  static override examples = [
    { description: 'Everything, with SQS\'s move task, waiting until it finishes', command: '<%= config.bin %> <%= command.id %> --wait' },
    { description: 'Only the messages of two runs', command: '<%= config.bin %> <%= command.id %> --run wrun_01J… --run wrun_01K…' },
    { description: 'The step DLQ on the running `aws-workflow dev`', command: '<%= config.bin %> <%= command.id %> --local --queue step' },
  ];
  static override flags = {
    ...dlqFlags,
    run: Flags.string({ description: 'only this run\'s messages (repeatable)', multiple: true }),
    rate: Flags.integer({ description: 'messages per second for the move task (SQS max 500; default: SQS decides)', min: 1, max: 500 }),
    wait: Flags.boolean({ description: 'wait until the move task finishes', default: false }),
  };

  async run(): Promise<{ outcomes: RedriveOutcome[] }> {
    const { flags } = await this.parse(DlqRedrive);
    const ctx = await this.createContext(flags);
    const outcomes = await redrive(ctx, {
      channels: channelsOf(flags.queue),
      ...(flags.run ? { runIds: new Set(flags.run) } : {}),
      max: flags.max,
      ...(flags.rate ? { rate: flags.rate } : {}),
      wait: flags.wait,
      note: (line) => ctx.note(line),
    });
    for (const o of outcomes) {
      this.log(
        o.method === 'move-task'
          ? `${o.channel}: move task ${o.status ?? 'started'}${o.moved !== undefined ? `, ${o.moved}${o.toMove !== undefined ? ` of ${o.toMove}` : ''} moved` : ''}${o.failureReason ? ` (${o.failureReason})` : ''}`
          : `${o.channel}: moved ${o.moved.length} message(s) back${o.left ? `, left ${o.left} of other runs` : ''}${o.undecodable ? `, left ${o.undecodable} undecodable (no consumer can run them: \`aws-workflow dlq drop --undecodable\` deletes them)` : ''}`,
      );
    }
    if (flags.run) {
      const moved = new Set(outcomes.flatMap((o) => (o.method === 'loop' ? o.moved.map((l) => l.runId) : [])));
      const none = flags.run.filter((id) => !moved.has(id));
      if (none.length === flags.run.length) throw new CliFailure(`No dead letter of run ${none.join(', ')}; nothing was moved (\`aws-workflow dlq list\` shows what is there).`);
      if (none.length > 0) ctx.note(`no dead letter of run ${none.join(', ')}`);
    }
    return { outcomes };
  }
}
