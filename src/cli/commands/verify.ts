import { Flags } from '@oclif/core';
import { AwsCommand } from '../base-command.js';
import { CliFailure } from '../errors.js';
import { formatVerify, parseDuration, verifyInstallation } from '../operations/verify.js';
import type { VerifyResult } from '../../world/verify.js';

export default class Verify extends AwsCommand {
  static override summary = 'Check that runs, steps, hooks and waits match the event log; --repair rewrites the ones that drifted';
  static override description =
    'Folds each run\'s event log through the state machine and compares the run, its steps, hooks and waits with what readers are served ' +
    'and with the stored projections (a projection that only lags the log is reported as "late"). Reports ids, field names and statuses, never payloads. ' +
    'Exits 1 when anything differs (after --repair too: run it again to confirm). Cost: docs/cli.md.';
  static override examples = [
    { description: 'Every run of the last day', command: '<%= config.bin %> <%= command.id %> --name prod --since 1d' },
    { description: 'One run, rewriting its projections if they drifted', command: '<%= config.bin %> <%= command.id %> --run wrun_01J… --repair' },
    { description: 'The running `aws-workflow dev`, as JSON', command: '<%= config.bin %> <%= command.id %> --local --json' },
  ];
  static override flags = {
    run: Flags.string({ description: 'check this run only' }),
    since: Flags.string({ description: 'check runs created within this duration (30m, 6h, 7d); default every run', exclusive: ['run'] }),
    repair: Flags.boolean({ description: 'rewrite drifted projections from the log', default: false }),
  };

  async run(): Promise<VerifyResult> {
    const { flags } = await this.parse(Verify);
    let sinceMs: number | undefined;
    try {
      sinceMs = flags.since === undefined ? undefined : parseDuration(flags.since);
    } catch (error) {
      // A usage error, as oclif's own flag errors.
      throw new CliFailure((error as Error).message, 2);
    }
    const ctx = await this.createContext(flags);
    const result = await verifyInstallation(ctx, { runId: flags.run, sinceMs, repair: flags.repair });
    this.log(formatVerify(ctx.name, result));
    if (result.drift.length > 0) {
      // Under --json oclif prints the returned result: exit 1 after it.
      if (this.jsonEnabled()) process.exitCode = 1;
      else this.exit(1);
    }
    return result;
  }
}
