import { resolve } from 'node:path';
import { Flags } from '@oclif/core';
import { AwsCommand } from '../base-command.js';
import { deploy, formatBytes, type DeployResult } from '../operations/deploy.js';

export default class Deploy extends AwsCommand {
  static override summary = 'Bundle the app\'s workflows into the worker Lambda and publish a version';
  static override description =
    'Uses an existing framework build (Next.js withWorkflow output under app/.well-known/workflow/v1) or runs `wf build` ' +
    '(standalone), bundles it with the world\'s Lambda handler into one file, zips it and updates the function. ' +
    'Everything deploy writes goes to --out-dir; the project\'s files are only read.';
  static override examples = [
    { description: 'Build with `wf build` and deploy to the default installation', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Deploy a Next.js app after `next build`', command: '<%= config.bin %> <%= command.id %> --name prod --region eu-west-1' },
    { description: 'Use bundles from a custom location', command: '<%= config.bin %> <%= command.id %> --workflow-dir dist/.well-known/workflow/v1' },
    { description: 'Only write the zip, change nothing in AWS', command: '<%= config.bin %> <%= command.id %> --dry-run' },
  ];
  static override flags = {
    'workflow-dir': Flags.string({ description: 'directory holding existing flow and step bundles (skips the build)' }),
    build: Flags.boolean({ description: 'run `wf build` when no framework output exists', default: true, allowNo: true }),
    'dry-run': Flags.boolean({ description: 'write the zip to --out-dir and stop', default: false }),
    'project-dir': Flags.string({ description: 'the app\'s root', default: '.' }),
    'out-dir': Flags.string({ description: 'where deploy writes its build and zip', default: '.aws-workflow' }),
  };

  async run(): Promise<DeployResult> {
    const { flags } = await this.parse(Deploy);
    const projectDir = resolve(flags['project-dir']);
    const options = {
      projectDir,
      outDir: resolve(projectDir, flags['out-dir']),
      workflowDir: flags['workflow-dir'],
      build: flags.build,
      dryRun: flags['dry-run'],
      note: (line: string) => this.logToStderr(line),
    };
    // A dry run touches no AWS API, so it needs neither credentials nor a region.
    const ctx = flags['dry-run'] ? undefined : await this.createContext(flags);
    const result = await deploy(options, ctx);
    if (result.dryRun) {
      this.log(`wrote ${result.zip.path} (${formatBytes(result.zip.bytes)}); nothing deployed (--dry-run)`);
    } else if (result.upload) {
      this.log(
        `deployed ${result.functionName} version ${result.upload.version} (${formatBytes(result.zip.bytes)}${result.upload.via === 's3' ? ', via S3' : ''})`,
      );
    }
    return result;
  }
}
