// Shared plumbing for every aws-workflow command: flags, AWS clients from an
// injectable factory, progress lines on stderr, and failures as one line.
import { Command, Errors, type Interfaces } from '@oclif/core';
import { resourceNames, type ResourceNames } from '../config/resource-names.js';
import { defaultBucketName } from './aws/bucket-name.js';
import { createAwsClients, destroyClients, type AwsClients, type ClientFactory, type ClientOptions } from './aws/clients.js';
import { realSleep, type Sleep } from '../infra/retry.js';
import { devRegionMismatch, LAMBDA_NOT_EMULATED, PITR_NOT_EMULATED, resolveTarget, type Target } from './aws/target.js';
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
  /** Where the calls go, and whether Lambda and IAM are served there. */
  target?: Target;
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
    const target = await resolveTarget(flags);
    const region = flags.region ?? target.region;
    const clientOptions: ClientOptions = {
      ...(region ? { region } : {}),
      ...(flags.profile ? { profile: flags.profile } : {}),
      ...(target.endpoints ? { endpoints: target.endpoints } : {}),
      ...(target.credentials ? { credentials: target.credentials } : {}),
      ...overrides,
    };
    this.clients = this.clientFactory(clientOptions);
    // The SDK resolves the region from flags, env or the profile; ARNs and outputs need the result.
    const resolvedRegion = await this.clients.lambda.config.region();
    this.regionForErrors = resolvedRegion;
    const mismatch = await devRegionMismatch(target, resolvedRegion);
    if (mismatch) this.logToStderr(mismatch);
    const names = resourceNames(flags.name);
    names.bucket = flags.bucket ?? (await defaultBucketName(this.clients, flags.name, resolvedRegion, clientOptions));
    return {
      name: flags.name,
      region: resolvedRegion,
      names,
      clients: this.clients,
      clientOptions: { ...clientOptions, region: resolvedRegion },
      progress: (report) => this.logToStderr(formatReport(report)),
      sleep: this.sleep,
      target,
      note: (line) => this.logToStderr(line),
    };
  }

  /** Whether to touch Lambda and IAM: asked for, and served by the target (says so once when not). */
  protected useLambda(ctx: CliContext, wanted: boolean): boolean {
    const served = ctx.target?.lambda ?? true;
    if (wanted && !served) ctx.note(LAMBDA_NOT_EMULATED);
    return wanted && served;
  }

  /** Point-in-time recovery as asked, where the target serves it (says so once when not). */
  protected usePointInTimeRecovery<T extends boolean | 'events'>(ctx: CliContext, wanted: T): T | false {
    const served = ctx.target?.pointInTimeRecovery ?? true;
    if (wanted && !served) ctx.note(PITR_NOT_EMULATED);
    return served ? wanted : false;
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
