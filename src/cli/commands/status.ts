import { Errors, Flags } from '@oclif/core';
import { AwsCommand } from '../base-command.js';
import { EXIT } from '../errors.js';
import { maxReceiveCountFlag } from '../flags.js';
import { status, type StatusResult } from '../operations/status.js';
import { formatStatus } from '../output/status-text.js';

export default class Status extends AwsCommand {
  static override summary = 'Show an installation: resources and drift, the function, queue and DLQ depths, runs';
  static override description =
    'Read-only. Resources are described (no read capacity used); runs are counted through the world\'s runs.list({status}), ' +
    'one index query per 1,000 runs of a status, up to --count-limit per status (see docs/cli.md for the cost). Exits 6 when nothing of the installation exists, ' +
    '7 when there are dead letters or runs that failed within --window (the report is printed first; --no-exit-status exits 0).';
  static override examples = [
    { description: 'The default installation', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'As JSON, for scripts and alerts (exit 7: dead letters or runs failed in the last hour)', command: '<%= config.bin %> <%= command.id %> --name prod --json --window 1h' },
    { description: 'Report only, always exit 0 when it could look', command: '<%= config.bin %> <%= command.id %> --no-exit-status' },
    { description: 'The running `aws-workflow dev`', command: '<%= config.bin %> <%= command.id %> --local' },
    { description: 'Resources and queues only, no run queries', command: '<%= config.bin %> <%= command.id %> --no-runs' },
  ];
  static override flags = {
    lambda: Flags.boolean({ description: 'also look up the function and its mappings', default: true, allowNo: true }),
    runs: Flags.boolean({ description: 'count runs by status and list the last failures', default: true, allowNo: true }),
    'count-limit': Flags.integer({ description: 'stop counting a status\'s runs here (shown as N+)', default: 10_000, min: 1 }),
    window: Flags.string({
      description: 'failed runs that started or ended this recently are a problem: 30m, 24h, 7d',
      default: '24h',
      parse: async (value) => {
        if (parseWindow(value) === undefined) throw new Errors.CLIError(`--window "${value}" must be a number with m, h or d (30m, 24h, 7d)`);
        return value;
      },
    }),
    'max-receive-count': maxReceiveCountFlag,
    'exit-status': Flags.boolean({
      description: 'exit 7 when there are dead letters or failed runs in --window (--no-exit-status: exit 0)',
      default: true,
      allowNo: true,
    }),
  };

  async run(): Promise<StatusResult> {
    const { flags } = await this.parse(Status);
    const ctx = await this.createContext(flags);
    const result = await status(ctx, {
      lambda: this.useLambda(ctx, flags.lambda),
      runs: flags.runs,
      countLimit: flags['count-limit'],
      windowSeconds: parseWindow(flags.window),
      maxReceiveCount: flags['max-receive-count'],
    });
    this.log(formatStatus(result));
    // After the report (and the JSON oclif prints from the return value): an exit code, not an error.
    if (flags['exit-status'] && result.problems.length > 0) process.exitCode = EXIT.problems;
    return result;
  }
}

/** "30m", "24h", "7d" in seconds; undefined when malformed. */
export function parseWindow(value: string): number | undefined {
  const match = /^(\d+)([mhd])$/.exec(value.trim());
  if (!match) return undefined;
  const n = Number(match[1]);
  return n > 0 ? n * { m: 60, h: 3600, d: 86400 }[match[2] as 'm' | 'h' | 'd'] : undefined;
}
