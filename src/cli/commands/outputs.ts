import { Flags } from '@oclif/core';
import { AwsCommand } from '../base-command.js';
import { formatDotenv } from '../output/dotenv.js';
import { outputs, type OutputsResult } from '../operations/outputs.js';
import { installationLine } from '../status/installation-world.js';
import { installedWorkflowLine, workflowLineFlag } from '../workflow-line-flag.js';

export default class Outputs extends AwsCommand {
  static override summary = 'Print an installation\'s resources and the environment its world needs';
  static override description = 'dotenv on stdout by default (resources as comments), so it can be redirected to a file; --json for everything as JSON.';
  static override examples = [
    { description: 'Print the environment of the default installation', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Save another installation\'s environment', command: '<%= config.bin %> <%= command.id %> --name staging > .env.staging' },
    { description: 'Resources and environment as JSON', command: '<%= config.bin %> <%= command.id %> --json' },
    { description: 'The running `aws-workflow dev`', command: '<%= config.bin %> <%= command.id %> --local --json' },
  ];
  static override flags = {
    lambda: Flags.boolean({ description: 'also look up the worker role, function and mappings', default: true, allowNo: true }),
    'workflow-line': workflowLineFlag,
  };

  async run(): Promise<OutputsResult> {
    const { flags } = await this.parse(Outputs);
    const ctx = await this.createContext(flags);
    const endpoints = ctx.target?.dataEndpoints;
    // The flag, else the line the installation records, else the installed `workflow` package's.
    const line = (flags['workflow-line'] as '4' | '5' | undefined) ?? (await installationLine(ctx)) ?? installedWorkflowLine() ?? '4';
    const result = await outputs(ctx, {
      lambda: this.useLambda(ctx, flags.lambda),
      line,
      ...(endpoints ? { endpoints } : {}),
    });
    const header = [
      `aws-workflow installation "${result.name}" in ${result.region}`,
      ...result.resources.map((r) => `${r.kind.padEnd(21)} ${r.name}${r.exists ? '' : '  (missing)'}`),
    ].join('\n');
    this.log(formatDotenv(result.env, header).trimEnd());
    return result;
  }
}
