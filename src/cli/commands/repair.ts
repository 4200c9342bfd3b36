import { Flags } from '@oclif/core';
import { AwsCommand } from '../base-command.js';
import { repairActiveRuns, type RepairResult } from '../operations/repair.js';
import { installationWorldOfLine } from '../status/installation-world.js';

export default class Repair extends AwsCommand {
  static override summary = 'Re-enqueue every pending or running run, recovering runs whose wake-up message was lost';
  static override description =
    'For Lambda mode, where no process start re-enqueues active runs: after a consumer outage longer than the queues\' 14-day retention, ' +
    'or after purging or dead-lettering messages by hand. Each active run gets one message on the workflow queue; the runtime replays it ' +
    'from its event log, so a healthy run only replays once more. Cost: one DynamoDB query page per 100 active runs and one SQS message per run. ' +
    'Reads the same environment as the world (WORKFLOW_AWS_*), so run it with the installation\'s .env.aws loaded.';
  static override examples = [
    { description: 'Show how many runs would be re-enqueued', command: '<%= config.bin %> <%= command.id %> --name prod --dry-run' },
    { description: 'Re-enqueue runs idle for at least an hour', command: '<%= config.bin %> <%= command.id %> --name prod --idle-seconds 3600' },
  ];
  static override flags = {
    'dry-run': Flags.boolean({ description: 'count the active runs, send nothing', default: false }),
    'idle-seconds': Flags.integer({ description: 'skip runs updated less than this many seconds ago (they are still moving)', default: 0, min: 0 }),
  };

  async run(): Promise<RepairResult> {
    const { flags } = await this.parse(Repair);
    const ctx = await this.createContext(flags);
    const { world } = await installationWorldOfLine(ctx);
    try {
      const result = await repairActiveRuns(world, { dryRun: flags['dry-run'], idleSeconds: flags['idle-seconds'], note: ctx.note });
      this.log(
        flags['dry-run']
          ? `"${ctx.name}": ${result.active} active run(s); ${result.active - result.skippedRecent} would be re-enqueued.`
          : `"${ctx.name}": re-enqueued ${result.reenqueued} of ${result.active} active run(s)${result.skippedRecent ? ` (${result.skippedRecent} recently active, skipped)` : ''}.`,
      );
      for (const failure of result.failed) this.logToStderr(`could not re-enqueue ${failure.runId}: ${failure.error}`);
      if (result.failed.length > 0) this.exit(1);
      return result;
    } finally {
      await world.close?.();
    }
  }
}
