import { resolve } from 'node:path';
import { Flags } from '@oclif/core';
import { settingValue } from '../../config/settings.js';
import { AwsCommand } from '../base-command.js';
import { maxReceiveCountFlag } from '../flags.js';
import { bootstrap, functionSecretsFrom, type BootstrapResult } from '../operations/bootstrap.js';

export default class Bootstrap extends AwsCommand {
  static override summary = 'Create (or complete) an installation: tables, queues, bucket, worker role and Lambda';
  static override description =
    'Idempotent: every resource is checked before it is created, so a second run reports each one present and changes nothing, ' +
    'and a run after a failure finishes the job. The function starts with a not-yet-deployed handler that fails every message with ' +
    '"not deployed yet" until `aws-workflow deploy`. Writes the environment the world needs to --write-env. ' +
    'If WORKFLOW_AWS_ENCRYPTION_KEY is set, it goes to an SSM SecureString parameter the function reads (it is never in the function\'s configuration, printed or written to the file).';
  static override examples = [
    { description: 'Bootstrap the default installation in your profile\'s region', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'A second installation (stage) in the same account', command: '<%= config.bin %> <%= command.id %> --name staging --region eu-west-1' },
    { description: 'With point-in-time recovery on every table', command: '<%= config.bin %> <%= command.id %> --name prod --point-in-time-recovery' },
    { description: 'Without point-in-time recovery on the events table (on by default)', command: '<%= config.bin %> <%= command.id %> --no-events-point-in-time-recovery' },
    { description: 'Only tables, queues and bucket, on a local emulator', command: '<%= config.bin %> <%= command.id %> --endpoint-url http://127.0.0.1:4566 --no-lambda' },
    { description: 'Into the running `aws-workflow dev` (Lambda and IAM are skipped there)', command: '<%= config.bin %> <%= command.id %> --local' },
  ];
  static override flags = {
    'point-in-time-recovery': Flags.boolean({ description: 'enable DynamoDB point-in-time recovery on every table', default: false }),
    'events-point-in-time-recovery': Flags.boolean({
      description: 'enable point-in-time recovery on the events table, the log every other table can be rebuilt from (README: cost)',
      default: true,
      allowNo: true,
    }),
    lambda: Flags.boolean({ description: 'create the worker role, function and event-source mappings', default: true, allowNo: true }),
    'max-receive-count': maxReceiveCountFlag,
    // Not --env-file: Node 20 claims that name anywhere in argv and exits 9 when the file does not exist yet.
    'write-env': Flags.string({
      description: 'dotenv file to write the world\'s environment to',
      default: '.env.aws',
      aliases: ['env-file'],
      deprecateAliases: true,
    }),
  };

  async run(): Promise<BootstrapResult> {
    const { flags } = await this.parse(Bootstrap);
    // Checked before any AWS call; passed to the function only, never printed or written.
    const functionSecrets = functionSecretsFrom(process.env);
    const ctx = await this.createContext(flags);
    ctx.note(`bootstrapping "${ctx.name}" in ${ctx.region}`);
    const lambda = this.useLambda(ctx, flags.lambda);
    const pointInTimeRecovery = this.usePointInTimeRecovery(ctx, flags['point-in-time-recovery'] ? true : flags['events-point-in-time-recovery'] ? 'events' : false);
    const endpoints = ctx.target?.dataEndpoints;
    const result = await bootstrap(ctx, {
      lambda,
      pointInTimeRecovery,
      envFile: resolve(flags['write-env']),
      functionSecrets,
      maxReceiveCount: flags['max-receive-count'],
      maxMessageBytes: settingValue('maxMessageBytes', undefined, process.env, flags.name),
      ...(endpoints ? { endpoints } : {}),
    });
    const changed = result.resources.filter((r) => r.status !== 'present').length;
    this.log(
      changed === 0
        ? `"${result.name}" is complete: all ${result.resources.length} resources were already present.`
        : `"${result.name}" is ready: ${changed} of ${result.resources.length} resources created or updated.`,
    );
    this.log(`wrote ${flags['write-env']} (${Object.keys(result.env).length} variables)`);
    if (lambda) this.log('next: `aws-workflow deploy` to put your workflows on the function');
    return result;
  }
}
