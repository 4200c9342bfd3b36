import { resolve } from 'node:path';
import { Flags } from '@oclif/core';
import { AwsCommand } from '../base-command.js';
import { deploy, formatBytes, type DeployResult } from '../operations/deploy.js';
import { formatMs, phases } from '../output/phases.js';

export default class Deploy extends AwsCommand {
  static override summary = 'Bundle the app\'s workflows into the worker Lambda and publish a version';
  static override description =
    'Uses an existing framework build (Next.js withWorkflow output under app/.well-known/workflow/v1) or builds the routes ' +
    'with the app\'s own Workflow builder, bundles them with the world\'s Lambda handler, zips them and updates the function. ' +
    'Everything deploy writes goes to --out-dir; the project\'s files are only read.';
  static override examples = [
    { description: 'Build the workflow routes and deploy to the default installation', command: '<%= config.bin %> <%= command.id %>' },
    { description: 'Deploy a Next.js app after `next build`', command: '<%= config.bin %> <%= command.id %> --name prod --region eu-west-1' },
    { description: 'Use bundles from a custom location', command: '<%= config.bin %> <%= command.id %> --workflow-dir dist/.well-known/workflow/v1' },
    { description: 'Only write the zip, change nothing in AWS', command: '<%= config.bin %> <%= command.id %> --dry-run' },
    { description: 'More memory, a shorter timeout, at most 50 concurrent invocations per queue (remembered for later deploys)', command: '<%= config.bin %> <%= command.id %> --memory 2048 --timeout 300 --max-concurrency 50' },
    { description: 'Back to x86_64 (e.g. for a native dependency)', command: '<%= config.bin %> <%= command.id %> --architecture x86_64' },
  ];
  static override flags = {
    'workflow-dir': Flags.string({ description: 'directory holding existing flow and step bundles (skips the build)' }),
    build: Flags.boolean({ description: 'build the workflow routes (the app\'s Workflow builder) when no framework output exists', default: true, allowNo: true }),
    'dry-run': Flags.boolean({ description: 'write the zip to --out-dir and stop', default: false }),
    'project-dir': Flags.string({ description: 'the app\'s root', default: '.' }),
    'out-dir': Flags.string({ description: 'where deploy writes its build and zip', default: '.aws-workflow' }),
    memory: Flags.integer({ description: 'function memory in MB, 128–10240 (default 1024; remembered)' }),
    timeout: Flags.integer({ description: 'function timeout in seconds, 1–900 (default 900; remembered)' }),
    architecture: Flags.string({ description: 'arm64 (default: cheaper per GB-second) or x86_64 (remembered)', options: ['arm64', 'x86_64'] }),
    'batch-size': Flags.integer({ description: 'messages per invocation, 1–10 (default 10; remembered)' }),
    'max-concurrency': Flags.integer({ description: 'most concurrent invocations per queue, 2–1000 (default: unset; remembered)' }),
  };

  async run(): Promise<DeployResult> {
    const { flags } = await this.parse(Deploy);
    const projectDir = resolve(flags['project-dir']);
    const timer = phases({ show: !this.jsonEnabled() });
    const options = {
      projectDir,
      outDir: resolve(projectDir, flags['out-dir']),
      workflowDir: flags['workflow-dir'],
      build: flags.build,
      dryRun: flags['dry-run'],
      note: (line: string) => this.logToStderr(line),
      phase: timer.run,
      settings: {
        memoryMb: flags.memory,
        timeoutSeconds: flags.timeout,
        architecture: flags.architecture as 'arm64' | 'x86_64' | undefined,
        batchSize: flags['batch-size'],
        maxConcurrency: flags['max-concurrency'],
      },
    };
    // A dry run touches no AWS API, so it needs neither credentials nor a region.
    const ctx = flags['dry-run'] ? undefined : await this.createContext(flags);
    const result = await deploy(options, ctx);
    const sizes = `${formatBytes(result.zip.bytes)} zipped, ${formatBytes(result.zip.unzippedBytes)} unzipped`;
    if (result.dryRun) {
      this.log(`wrote ${result.zip.path} (${sizes}); nothing deployed (--dry-run)`);
    } else if (result.upload) {
      this.log(`deployed ${result.functionName} version ${result.upload.version} (${sizes}${result.upload.via === 's3' ? ', via S3' : ''})`);
    }
    const s = result.settings;
    this.log(`settings: ${s.memoryMb} MB, ${s.timeoutSeconds} s, ${s.architecture}, batch ${s.batchSize}, max concurrency ${s.maxConcurrency ?? 'unset'}`);
    this.log(`${result.dryRun ? 'would change' : 'changed'}: ${result.changes.length === 0 ? 'nothing' : result.changes.join('; ')}`);
    this.log(`phases: ${timer.timings.map((t) => `${t.phase} ${formatMs(t.ms)}`).join(', ')}`);
    return { ...result, timings: timer.timings };
  }
}
