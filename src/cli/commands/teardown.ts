import { Flags } from '@oclif/core';
import { AwsCommand } from '../base-command.js';
import { CliFailure } from '../errors.js';
import { terminalConfirm, type Confirm } from '../output/confirm.js';
import { teardown, type TeardownResult } from '../operations/teardown.js';

export default class Teardown extends AwsCommand {
  static override summary = 'Delete everything bootstrap created for an installation, data included';
  static override description =
    'Removes the event-source mappings, function (all versions), role, tables, queues and DLQs, and the bucket after emptying it. ' +
    'Asks first unless --yes. Safe on a partial install: what is already gone is reported absent. ' +
    'The function\'s CloudWatch log group is created by Lambda, not bootstrap, and is left alone.';
  static override examples = [
    { description: 'Delete the default installation, after confirming', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Delete a stage without a prompt (CI)', command: '<%= config.bin %> <%= command.id %> --name pr-42 --region eu-west-1 --yes' },
  ];
  static override flags = {
    lambda: Flags.boolean({ description: 'also delete the worker role, function and mappings', default: true, allowNo: true }),
  };

  /** Replaced in tests. */
  confirm: Confirm = terminalConfirm;

  async run(): Promise<TeardownResult> {
    const { flags } = await this.parse(Teardown);
    const ctx = await this.createContext(flags);
    if (!flags.yes) {
      const question = `Delete installation "${ctx.name}" in ${ctx.region}, with all its workflow data and payloads?`;
      if (!(await this.confirm(question))) throw new CliFailure('Teardown cancelled; nothing was deleted.');
    }
    const result = await teardown(ctx, { lambda: this.useLambda(ctx, flags.lambda) });
    this.log(
      result.removed === 0 ? `nothing of "${result.name}" was left to remove in ${result.region}` : `removed ${result.removed} resources of "${result.name}" from ${result.region}`,
    );
    return result;
  }
}
