// Shared plumbing for every aws-workflow command: flags, AWS clients from an
// injectable factory, progress lines on stderr, and failures as one line.
import { Command, Errors, type Interfaces } from '@oclif/core';
import { resourceNames, type ResourceNames } from '../adapters/aws/resources.js';
import { defaultBucketName } from './aws/bucket-name.js';
import { createAwsClients, destroyClients, sameEndpoint, type AwsClients, type ClientFactory, type ClientOptions } from './aws/clients.js';
import { realSleep, type Sleep } from './aws/retry.js';
import { describeError } from './errors.js';
import { sharedFlags } from './flags.js';
import { formatReport, type Progress } from './output/progress.js';

export type SharedFlags = Interfaces.InferredFlags<typeof sharedFlags>;

/** What an operation needs to talk to one installation. */
export interface CliContext {
  name: string;
  region: string;
  names: ResourceNames;
  clients: AwsClients;
  clientOptions: ClientOptions;
  progress: Progress;
  sleep: Sleep;
  /** A human-facing line on stderr (silent under --json). */
  note(line: string): void;
}

export abstract class AwsCommand extends Command {
  static override enableJsonFlag = true;
  static override baseFlags = sharedFlags;

  /** Replaced in tests to hand in mocked clients. */
  clientFactory: ClientFactory = createAwsClients;
  sleep: Sleep = realSleep;

  private clients?: AwsClients;
  private debugEnabled = false;
  private regionForErrors?: string;

  protected async createContext(flags: SharedFlags, overrides: Partial<ClientOptions> = {}): Promise<CliContext> {
    this.debugEnabled = flags.debug;
    this.regionForErrors = flags.region;
    const clientOptions: ClientOptions = {
      ...(flags.region ? { region: flags.region } : {}),
      ...(flags.profile ? { profile: flags.profile } : {}),
      ...(flags['endpoint-url'] ? { endpoints: sameEndpoint(flags['endpoint-url']) } : {}),
      ...overrides,
    };
    this.clients = this.clientFactory(clientOptions);
    // The SDK resolves the region from flags, env or the profile; ARNs and outputs need the result.
    const region = await this.clients.lambda.config.region();
    this.regionForErrors = region;
    const names = resourceNames(flags.name);
    names.bucket = flags.bucket ?? (await defaultBucketName(this.clients, flags.name, region, clientOptions));
    return {
      name: flags.name,
      region,
      names,
      clients: this.clients,
      clientOptions: { ...clientOptions, region },
      progress: (report) => this.logToStderr(formatReport(report)),
      sleep: this.sleep,
      note: (line) => this.logToStderr(line),
    };
  }

  protected override async catch(error: Error & { exitCode?: number }): Promise<unknown> {
    // oclif's own errors (bad flags, exit requests) keep oclif's handling.
    if (error instanceof Errors.ExitError || error instanceof Errors.CLIError) return super.catch(error);
    const described = describeError(error, { region: this.regionForErrors });
    if (this.debugEnabled || this.argv.includes('--debug')) process.stderr.write(`${error.stack ?? String(error)}\n`);
    if (this.jsonEnabled()) this.logJson({ error: described });
    else process.stderr.write(`Error: ${described.message}\n`);
    this.exit(described.exitCode);
  }

  protected override async finally(error: Error | undefined): Promise<unknown> {
    if (this.clients) destroyClients(this.clients);
    return super.finally(error);
  }
}
