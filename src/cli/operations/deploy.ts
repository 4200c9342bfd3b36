// deploy: workflows → one Lambda bundle → zip → function code → new version.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { CliContext } from '../base-command.js';
import { CliFailure, NotBootstrapped } from '../errors.js';
import { listMappings } from '../../infra/lambda/event-sources.js';
import { findFunction } from '../../infra/lambda/function.js';
import { applyFunctionConfiguration, applyMappingSettings, settingsChanges } from '../deploy/apply-settings.js';
import { bundleLambda, LAMBDA_HANDLER_SPECIFIER, resolveOwnModule, WORLD_SPECIFIER, WORLD_V5_SPECIFIER, type EntryModules } from '../deploy/bundle.js';
import { DynamoDbWorkflowLineMarker } from '../../adapters/aws/dynamodb/workflow-line-marker.js';
import { lineConflictMessage, type WorkflowLine } from '../../domain/workflow-line.js';
import { mergeSettings, readStoredSettings, storeSettings, type FunctionSettings } from '../deploy/function-settings.js';
import { uploadCode, type UploadResult } from '../deploy/upload.js';
import { runStagedWfBuild, stagedOutputDir } from '../deploy/wf-build-staged.js';
import { findFrameworkOutput, readOutputDir, STANDALONE_DIR, type WorkflowOutput } from '../deploy/workflow-output.js';
import { writeZip, zipLambdaFiles } from '../deploy/zip.js';
import { untimed, type PhaseRunner, type PhaseTiming } from '../output/phases.js';

export interface DeployOptions {
  projectDir: string;
  /** Where everything deploy writes goes (default `<project>/.aws-workflow`). */
  outDir: string;
  /** Existing build output to use as is. */
  workflowDir?: string;
  /** Build the routes with the app's Workflow builder when no framework output is found (false: use an existing standalone output). */
  build: boolean;
  dryRun: boolean;
  /** Modules to bundle as the handler and the world; default: this package's own. */
  modules?: EntryModules;
  note?: (line: string) => void;
  /** Shows and times each phase (default: silent). */
  phase?: PhaseRunner;
  /** Bundle the AWS SDK (default) or use the Lambda runtime's copy. */
  awsSdk?: 'bundled' | 'external';
  /** Settings given as flags; the rest come from the last deploy, then the defaults. */
  settings?: Partial<FunctionSettings>;
}

export interface DeployResult {
  functionName?: string;
  /** The bundles deployed; a workflow@5 build (`line` 5) has no step bundle. */
  source: { dir: string; flow: string; step?: string; line: WorkflowLine; built: boolean };
  zip: { path: string; bytes: number; unzippedBytes: number; sha256: string };
  dryRun: boolean;
  upload?: UploadResult;
  settings: FunctionSettings;
  /** What this deploy changes (or, for a dry run, would change) since the last one. */
  changes: string[];
  /** Elapsed time per phase (set by the command). */
  timings?: PhaseTiming[];
}

/** What the last deploy from this out directory shipped, to say what changed. */
interface DeployRecord {
  codeSha256: string;
  zipBytes: number;
  unzippedBytes: number;
  version?: string;
  settings: FunctionSettings;
  at: string;
}

const RECORD_FILE = 'last-deploy.json';

async function readRecord(outDir: string): Promise<DeployRecord | undefined> {
  try {
    return JSON.parse(await readFile(join(outDir, RECORD_FILE), 'utf8')) as DeployRecord;
  } catch {
    return undefined;
  }
}

async function writeOutDirIgnore(outDir: string): Promise<void> {
  // Everything deploy writes is build output: the directory ignores itself, so git never sees it.
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, '.gitignore'), '# Written by aws-workflow: build output, not source.\n*\n');
}

export async function locateWorkflows(options: DeployOptions): Promise<WorkflowOutput & { built: boolean }> {
  const note = options.note ?? (() => {});
  if (options.workflowDir) {
    const dir = resolve(options.projectDir, options.workflowDir);
    const found = await readOutputDir(dir);
    if (!found) throw new CliFailure(`No flow bundle in ${dir} (expected flow.js/step.js, flow/route.js/step/route.js, or a workflow@5 build's flow.mjs).`);
    return { ...found, built: false };
  }
  const framework = await findFrameworkOutput(options.projectDir);
  if (framework) {
    note(`using the framework's build output in ${relative(options.projectDir, framework.dir) || '.'} (rebuild the app first to refresh it)`);
    return { ...framework, built: false };
  }
  // The builder runs in a staging directory under the out directory, so its output stays out of the project.
  const stagedDir = stagedOutputDir(options.outDir);
  let standaloneDir = stagedDir;
  if (options.build) {
    note('building the workflow routes with the app\'s Workflow builder (deploy bundles them)');
    await runStagedWfBuild(options.projectDir, options.outDir);
  } else if (!(await readOutputDir(stagedDir))) {
    // An earlier `wf build` the user ran in the project.
    standaloneDir = join(options.projectDir, STANDALONE_DIR);
  }
  const found = await readOutputDir(standaloneDir);
  if (!found) {
    throw new CliFailure(
      options.build
        ? `The Workflow builder left no flow/step routes in ${standaloneDir}.`
        : `No workflow build output in ${standaloneDir}: run \`wf build\`, drop --no-build, or pass --workflow-dir.`,
    );
  }
  return { ...found, built: options.build };
}

/** `ctx` is only needed (and only used) when actually deploying. */
export async function deploy(options: DeployOptions, ctx?: CliContext): Promise<DeployResult> {
  const note = options.note ?? (() => {});
  const phase = options.phase ?? untimed;
  // Checked before any build, like the installation below.
  const settings = mergeSettings(await readStoredSettings(options.outDir), options.settings ?? {});
  let fn: Awaited<ReturnType<typeof findFunction>>;
  if (!options.dryRun) {
    if (!ctx) throw new Error('deploy needs an AWS context unless it is a dry run');
    if (ctx.target && !ctx.target.lambda) {
      throw new CliFailure('Lambda is not emulated by the local AWS, so there is nothing to deploy to: `deploy --dry-run` builds the zip without it.');
    }
    // Fail before a long build when the installation is not there.
    fn = await findFunction(ctx.clients.lambda, ctx.names.lambdaFunction);
    if (!fn) throw new NotBootstrapped(ctx.name, ctx.region, `function ${ctx.names.lambdaFunction}`);
  }
  await writeOutDirIgnore(options.outDir);
  const source = await phase('build', 'building workflows', () => locateWorkflows(options));
  if (ctx && !options.dryRun) await claimLine(ctx, source.line);
  note(`a workflow@${source.line} build${source.line === '5' ? ': one merged route (flow), the 5 facade' : ''}`);
  const modules = options.modules ?? {
    handler: resolveOwnModule(LAMBDA_HANDLER_SPECIFIER),
    world: resolveOwnModule(source.line === '5' ? WORLD_V5_SPECIFIER : WORLD_SPECIFIER),
  };
  const bundle = await phase('bundle', 'bundling the Lambda with esbuild', () =>
    bundleLambda({ projectDir: options.projectDir, outDir: options.outDir, output: source, modules, ...(options.awsSdk ? { awsSdk: options.awsSdk } : {}) }),
  );
  const zipPath = join(options.outDir, 'lambda.zip');
  const zip = await phase('zip', 'zipping', async () => {
    const z = zipLambdaFiles(bundle.files);
    await writeZip(zipPath, z);
    return z;
  });
  const previous = await readRecord(options.outDir);
  const base = {
    source: { dir: source.dir, flow: source.flow, ...(source.step ? { step: source.step } : {}), line: source.line, built: source.built },
    zip: { path: zipPath, bytes: zip.bytes.byteLength, unzippedBytes: bundle.bytes, sha256: zip.sha256 },
    dryRun: options.dryRun,
    settings,
  };
  if (options.dryRun || !ctx || !fn) {
    const changes = !previous
      ? ['no earlier deploy recorded in this out directory']
      : [
          ...(previous.codeSha256 === zip.sha256 ? [] : [`code ${formatBytes(previous.zipBytes)} → ${formatBytes(zip.bytes.byteLength)} zipped`]),
          ...settingsDiff(previous.settings, settings),
        ];
    return { ...base, changes };
  }
  const functionName = ctx.names.lambdaFunction;
  const mappings = await listMappings(ctx.clients.lambda, functionName);
  const changes = [
    ...(fn.CodeSha256 === zip.sha256 ? [] : [`code${fn.CodeSize !== undefined ? ` ${formatBytes(fn.CodeSize)} → ${formatBytes(zip.bytes.byteLength)} zipped` : ''}`]),
    ...settingsChanges(fn, mappings, settings),
  ];
  await phase('configure', 'applying memory, timeout and mapping settings', async () => {
    await applyFunctionConfiguration(ctx.clients.lambda, functionName, fn!, settings);
    await applyMappingSettings(ctx.clients.lambda, functionName, settings, ctx.sleep);
  });
  const upload = await uploadCode(ctx.clients, { functionName, bucket: ctx.names.bucket }, zip, `aws-workflow deploy ${new Date().toISOString()}`, {
    phase,
    architecture: settings.architecture,
  });
  await storeSettings(options.outDir, settings);
  const record: DeployRecord = { codeSha256: zip.sha256, zipBytes: zip.bytes.byteLength, unzippedBytes: bundle.bytes, version: upload.version, settings, at: new Date().toISOString() };
  await writeFile(join(options.outDir, RECORD_FILE), `${JSON.stringify(record, null, 2)}\n`);
  note(changes.length === 0 ? 'nothing changed since the deployed version' : `changed: ${changes.join('; ')}`);
  return { ...base, functionName, upload, changes };
}

/**
 * The function runs without the start-up line check (a cold start makes no
 * request for it), so deploy records the app's line in the installation, or
 * refuses an app of the other line before anything is uploaded.
 */
async function claimLine(ctx: CliContext, line: WorkflowLine): Promise<void> {
  const served = await new DynamoDbWorkflowLineMarker(ctx.clients.dynamodb, ctx.names.tables.steps).claim(line);
  if (served !== line) throw new CliFailure(lineConflictMessage(ctx.name, served, line));
}

function settingsDiff(before: FunctionSettings, after: FunctionSettings): string[] {
  return (Object.keys(after) as (keyof FunctionSettings)[])
    .filter((k) => before[k] !== after[k])
    .map((k) => `${k} ${String(before[k] ?? 'unset')} → ${String(after[k])}`);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}
