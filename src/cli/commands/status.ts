import { Flags } from '@oclif/core';
import { AwsCommand } from '../base-command.js';
import { status, type StatusResult } from '../operations/status.js';
import { formatStatus } from '../output/status-text.js';

export default class Status extends AwsCommand {
  static override summary = 'Show an installation: resources and drift, the function, queue and DLQ depths, runs';
  static override description =
    'Read-only. Resources are described (no read capacity used); runs are counted through the world\'s runs.list({status}), ' +
    'one index query per 1,000 runs of a status, up to --count-limit per status (see docs/cli.md for the cost). Exits 6 when nothing of the installation exists.';
  static override examples = [
    { description: 'The default installation', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'As JSON, for scripts and alerts', command: '<%= config.bin %> <%= command.id %> --name prod --json' },
    { description: 'The running `aws-workflow dev`', command: '<%= config.bin %> <%= command.id %> --local' },
    { description: 'Resources and queues only, no run queries', command: '<%= config.bin %> <%= command.id %> --no-runs' },
  ];
  static override flags = {
    lambda: Flags.boolean({ description: 'also look up the function and its mappings', default: true, allowNo: true }),
    runs: Flags.boolean({ description: 'count runs by status and list the last failures', default: true, allowNo: true }),
    'count-limit': Flags.integer({ description: 'stop counting a status\'s runs here (shown as N+)', default: 10_000, min: 1 }),
  };

  async run(): Promise<StatusResult> {
    const { flags } = await this.parse(Status);
    const ctx = await this.createContext(flags);
    const result = await status(ctx, { lambda: this.useLambda(ctx, flags.lambda), runs: flags.runs, countLimit: flags['count-limit'] });
    this.log(formatStatus(result));
    return result;
  }
}
