// deploy: workflows → one Lambda bundle → zip → function code → new version.
import { join, relative, resolve } from 'node:path';
import type { CliContext } from '../base-command.js';
import { CliFailure, NotBootstrapped } from '../errors.js';
import { findFunction } from '../lambda/function.js';
import { bundleLambda, LAMBDA_HANDLER_SPECIFIER, resolveOwnModule, WORLD_SPECIFIER, type EntryModules } from '../deploy/bundle.js';
import { uploadCode, type UploadResult } from '../deploy/upload.js';
import { runWfBuild } from '../deploy/wf-build.js';
import { findFrameworkOutput, readOutputDir, STANDALONE_DIR, type WorkflowOutput } from '../deploy/workflow-output.js';
import { writeZip, zipLambda } from '../deploy/zip.js';

export interface DeployOptions {
  projectDir: string;
  /** Where everything deploy writes goes (default `<project>/.aws-workflow`). */
  outDir: string;
  /** Existing build output to use as is. */
  workflowDir?: string;
  /** Run `wf build` when no framework output is found (false: use an existing standalone output). */
  build: boolean;
  dryRun: boolean;
  /** Modules to bundle as the handler and the world; default: this package's own. */
  modules?: EntryModules;
  note?: (line: string) => void;
}

export interface DeployResult {
  functionName?: string;
  source: { dir: string; flow: string; step: string; built: boolean };
  zip: { path: string; bytes: number; sha256: string };
  dryRun: boolean;
  upload?: UploadResult;
}

export async function locateWorkflows(options: DeployOptions): Promise<WorkflowOutput & { built: boolean }> {
  const note = options.note ?? (() => {});
  if (options.workflowDir) {
    const dir = resolve(options.projectDir, options.workflowDir);
    const found = await readOutputDir(dir);
    if (!found) throw new CliFailure(`No flow and step bundles in ${dir} (expected flow.js/step.js or flow/route.js/step/route.js).`);
    return { ...found, built: false };
  }
  const framework = await findFrameworkOutput(options.projectDir);
  if (framework) {
    note(`using the framework's build output in ${relative(options.projectDir, framework.dir) || '.'} (rebuild the app first to refresh it)`);
    return { ...framework, built: false };
  }
  const standaloneDir = join(options.projectDir, STANDALONE_DIR);
  if (options.build) {
    note('building workflows with `wf build` (standalone)');
    await runWfBuild(options.projectDir);
  }
  const found = await readOutputDir(standaloneDir);
  if (!found) {
    throw new CliFailure(
      options.build
        ? `wf build left no flow/step bundles in ${standaloneDir}.`
        : `No workflow build output in ${standaloneDir}: run \`wf build\`, drop --no-build, or pass --workflow-dir.`,
    );
  }
  return { ...found, built: options.build };
}

/** `ctx` is only needed (and only used) when actually deploying. */
export async function deploy(options: DeployOptions, ctx?: CliContext): Promise<DeployResult> {
  const note = options.note ?? (() => {});
  if (!options.dryRun) {
    if (!ctx) throw new Error('deploy needs an AWS context unless it is a dry run');
    // Fail before a long build when the installation is not there.
    if (!(await findFunction(ctx.clients.lambda, ctx.names.lambdaFunction))) {
      throw new NotBootstrapped(ctx.name, ctx.region, `function ${ctx.names.lambdaFunction}`);
    }
  }
  const source = await locateWorkflows(options);
  const modules = options.modules ?? { handler: resolveOwnModule(LAMBDA_HANDLER_SPECIFIER), world: resolveOwnModule(WORLD_SPECIFIER) };
  note('bundling the Lambda with esbuild');
  const bundle = await bundleLambda({ projectDir: options.projectDir, outDir: options.outDir, output: source, modules });
  const zip = zipLambda(bundle.code);
  const zipPath = join(options.outDir, 'lambda.zip');
  await writeZip(zipPath, zip);
  const result: DeployResult = {
    source: { dir: source.dir, flow: source.flow, step: source.step, built: source.built },
    zip: { path: zipPath, bytes: zip.bytes.byteLength, sha256: zip.sha256 },
    dryRun: options.dryRun,
  };
  if (options.dryRun || !ctx) return result;
  note(`uploading ${formatBytes(zip.bytes.byteLength)} to ${ctx.names.lambdaFunction}`);
  const upload = await uploadCode(
    ctx.clients,
    { functionName: ctx.names.lambdaFunction, bucket: ctx.names.bucket },
    zip,
    `aws-workflow deploy ${new Date().toISOString()}`,
  );
  return { ...result, functionName: ctx.names.lambdaFunction, upload };
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}
