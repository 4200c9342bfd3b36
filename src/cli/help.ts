// Root help with a typical session as EXAMPLES (oclif's root help has no
// examples of its own). Selected by "oclif": { "helpClass": "./dist/cli/help.js" }.
import { Help } from '@oclif/core';

export const ROOT_EXAMPLES: [command: string, what: string][] = [
  ['aws-workflow bootstrap --name prod --region eu-west-1', 'create tables, queues, bucket, role and worker Lambda; write .env.aws'],
  ['aws-workflow deploy --name prod --region eu-west-1', 'build the workflows and put them on the worker Lambda'],
  ['aws-workflow outputs --name prod --region eu-west-1', 'print the resources and the environment the app needs'],
  ['aws-workflow status --name prod --region eu-west-1', 'resources and drift, the function, queue and DLQ depths, runs by status'],
  ['aws-workflow dlq list --name prod --region eu-west-1', 'dead letters with their run, step and last error (then dlq redrive)'],
  ['aws-workflow dev --app-port 3000', 'local DynamoDB/SQS/S3 for development, consuming for the app on port 3000'],
  ['aws-workflow status --local', 'any command against the running dev, no ports to copy'],
  ['aws-workflow teardown --name prod --region eu-west-1', 'delete the installation (asks first)'],
];

export default class AwsWorkflowHelp extends Help {
  protected override formatRoot(): string {
    const examples = ROOT_EXAMPLES.map(([command, what]) => `${what}\n  $ ${command}`).join('\n\n');
    return `${super.formatRoot()}\n\n${this.section('EXAMPLES', examples)}`;
  }
}
