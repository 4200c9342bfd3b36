import { resolve } from 'node:path';
import { Flags } from '@oclif/core';
import { AwsCommand } from '../base-command.js';
import { maxReceiveCountFlag } from '../flags.js';
import { workflowLineFlag, workflowLineOf } from '../workflow-line-flag.js';
import { formatDotenv, writeDotenv } from '../output/dotenv.js';
import { formatReport } from '../output/progress.js';
import { dev, type DevDeps, type DevReady } from '../operations/dev.js';
import { removeDevState, writeDevState } from '../local/dev-state.js';

export default class Dev extends AwsCommand {
  static override summary = 'Run an embedded local AWS (DynamoDB, SQS, S3) with an installation in it, until Ctrl-C';
  static override description =
    'Starts in-memory emulators on 127.0.0.1, provisions the installation\'s tables, queues and bucket with the same code as bootstrap, ' +
    'and prints the environment your app should run with. With --app-port, this process also consumes the queues and delivers ' +
    'to your app\'s /.well-known/workflow/v1 routes. No AWS account is used; --profile and --endpoint-url are ignored. Data is gone when it stops.';
  static override examples = [
    { description: 'Local AWS; the app consumes its own queues', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Also consume here and deliver to a Next.js dev server', command: '<%= config.bin %> <%= command.id %> --app-port 3000' },
    { description: 'Fixed ports and an env file for the app', command: '<%= config.bin %> <%= command.id %> --dynamodb-port 8000 --sqs-port 4566 --write-env .env.local-aws' },
    { description: 'Then, in another terminal: any command against it', command: '<%= config.bin %> status --local' },
  ];
  static override flags = {
    'app-port': Flags.integer({
      description:
        'consume the queues here and deliver to http://127.0.0.1:<port>, signed with WORKFLOW_AWS_SIGNING_SECRET (unset: one is generated and printed with the app\'s environment)',
      min: 1,
      max: 65535,
    }),
    'dynamodb-port': Flags.integer({ description: 'local DynamoDB port (default: any free port)', min: 0, max: 65535, default: 0 }),
    'sqs-port': Flags.integer({ description: 'local SQS and S3 port (default: any free port)', min: 0, max: 65535, default: 0 }),
    'max-receive-count': maxReceiveCountFlag,
    // Not --env-file: Node 20 claims that name anywhere in argv and exits 9 when the file does not exist yet.
    'workflow-line': workflowLineFlag,
    'write-env': Flags.string({ description: 'also write the environment to this dotenv file', aliases: ['env-file'], deprecateAliases: true }),
  };

  /** Replaced in tests. */
  devDeps?: DevDeps;

  async run(): Promise<void> {
    const { flags } = await this.parse(Dev);
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      await dev(
        {
          name: flags.name,
          region: flags.region ?? 'us-east-1',
          dynamodbPort: flags['dynamodb-port'],
          sqsS3Port: flags['sqs-port'],
          appPort: flags['app-port'],
          maxReceiveCount: flags['max-receive-count'],
          line: workflowLineOf(flags['workflow-line']),
          progress: (report) => this.logToStderr(formatReport(report)),
          signal: stop.signal,
          onReady: (ready) => this.ready(ready, flags['write-env']),
        },
        this.devDeps,
      );
      this.logToStderr('stopped; the local data is gone');
    } finally {
      await removeDevState(flags.name).catch(() => undefined);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }

  /** Lets `--local` on other commands find this dev without copying ports. */
  private async announce(ready: DevReady): Promise<void> {
    const env = ready.env;
    await writeDevState({
      pid: process.pid,
      name: env.WORKFLOW_AWS_NAME ?? 'workflow',
      region: env.AWS_REGION ?? 'us-east-1',
      endpoints: ready.endpoints,
      queueUrls: { workflow: env.WORKFLOW_AWS_WORKFLOW_QUEUE_URL ?? '', step: env.WORKFLOW_AWS_STEP_QUEUE_URL ?? '' },
      credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID ?? 'local', secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? 'local' },
      startedAt: new Date().toISOString(),
      project: process.cwd(),
    });
  }

  private async ready(ready: DevReady, envFile: string | undefined): Promise<void> {
    if (envFile) await writeDotenv(resolve(envFile), ready.env, 'Written by `aws-workflow dev`: valid while it runs.');
    await this.announce(ready);
    if (this.jsonEnabled()) {
      this.logJson(ready);
      return;
    }
    this.log(formatDotenv(ready.env, 'Environment for your app while `aws-workflow dev` runs').trimEnd());
    if (ready.generatedSecret) {
      this.logToStderr(
        'WORKFLOW_AWS_SIGNING_SECRET was not set: generated one for this session (above, and in --write-env). The app must run with the same value; ' +
          'to keep one across restarts, set WORKFLOW_AWS_SIGNING_SECRET (at least 32 bytes) for both before starting dev.',
      );
    }
    this.logToStderr(
      ready.baseUrl
        ? `local AWS ready; consuming both queues and delivering to ${ready.baseUrl} (Ctrl-C to stop)`
        : 'local AWS ready; your app consumes its own queues (Ctrl-C to stop)',
    );
  }
}
