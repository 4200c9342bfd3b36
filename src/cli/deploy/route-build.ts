// Builds the app's workflow routes for the Lambda package with the project's
// own Workflow builder (`@workflow/builders`, the version its `workflow`
// depends on), the way the framework integrations (SvelteKit, Astro, Nitro)
// do: the routes are written unbundled (imports of `workflow/runtime` and the
// app's modules left in place) and deploy's esbuild pass bundles them. `wf build`
// (standalone) bundles each route itself, with the Vercel and local worlds that
// the runtime imports statically; a route that deploy bundles can leave them
// out (bundle.ts, absent-worlds.ts), which halves the first invocation's CPU.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CliFailure } from '../errors.js';

/** Where the builder writes, relative to its working directory (the same place as `wf build`). */
export const ROUTES_DIR = join('.well-known', 'workflow', 'v1');

/**
 * The workflow@5 line's step registrations, imported by its merged flow route.
 * Not `step.mjs`: a step route means a 4.x build (workflow-output.ts).
 */
export const V5_STEP_REGISTRATIONS_FILE = 'flow-steps.mjs';

/**
 * The builder run, in a child process whose working directory is the app
 * (deploy's staging directory). Argument: the `@workflow/builders` module URL.
 * A builder with `createCombinedBundle` is the workflow@5 line's (one merged
 * route, steps registered from a file it imports); the 4.x builder writes a
 * flow and a step route. Both calls are the ones its framework integrations make.
 */
export const ROUTE_BUILD_SOURCE = `
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
const { BaseBuilder } = await import(process.argv[1]);
const dir = ${JSON.stringify(ROUTES_DIR.split('\\').join('/'))};
class LambdaRoutesBuilder extends BaseBuilder {
  constructor() {
    super({ dirs: ['.'], workingDir: process.cwd(), buildTarget: 'standalone', stepsBundlePath: dir + '/step.mjs', workflowsBundlePath: dir + '/flow.mjs', webhookBundlePath: dir + '/webhook.mjs' });
  }
  async build() {
    const out = this.resolvePath(dir);
    await mkdir(out, { recursive: true });
    const inputFiles = await this.getInputFiles();
    const tsconfigPath = await this.findTsConfigPath();
    const common = { inputFiles, tsconfigPath, format: 'esm' };
    if (typeof this.createCombinedBundle === 'function') {
      await this.createCombinedBundle({ ...common, stepsOutfile: join(out, ${JSON.stringify(V5_STEP_REGISTRATIONS_FILE)}), flowOutfile: join(out, 'flow.mjs'), bundleFinalOutput: false, externalizeNonSteps: true });
    } else {
      await this.createStepsBundle({ ...common, outfile: join(out, 'step.mjs'), externalizeNonSteps: true });
      await this.createWorkflowsBundle({ ...common, outfile: join(out, 'flow.mjs'), bundleFinalOutput: false });
    }
  }
}
await new LambdaRoutesBuilder().build();
`;

/** The project's `@workflow/builders`: a dependency of the CLI of its `workflow` package. */
export function resolveProjectBuilders(projectDir: string): string {
  const require = createRequire(join(resolve(projectDir), 'package.json'));
  let api: string;
  try {
    // `workflow` exports no package.json; `workflow/api` is one of its entries.
    api = require.resolve('workflow/api');
  } catch {
    throw new CliFailure(`The "workflow" package is not installed in ${projectDir}: install it, or pass --workflow-dir with existing bundles.`);
  }
  try {
    const cli = createRequire(api).resolve('@workflow/cli/package.json');
    return createRequire(cli).resolve('@workflow/builders');
  } catch {
    throw new CliFailure(`Cannot resolve @workflow/builders from the "workflow" package in ${projectDir}: reinstall it (deploy builds the routes with it).`);
  }
}

/** Writes flow.mjs (and a 4.x app's step.mjs) under `cwd`/ROUTES_DIR. */
export async function runRouteBuild(projectDir: string, options: { cwd: string; timeoutMs?: number }): Promise<{ output: string }> {
  const builders = pathToFileURL(resolveProjectBuilders(projectDir)).href;
  return new Promise((done, fail) => {
    execFile(
      process.execPath,
      ['--input-type=module', '--eval', ROUTE_BUILD_SOURCE, builders],
      { cwd: options.cwd, timeout: options.timeoutMs ?? 600_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const output = `${stdout}${stderr}`;
        if (!error) return done({ output });
        const lastLines = output.trim().split('\n').slice(-5).join(' | ');
        fail(new CliFailure(`Building the workflow routes failed in ${projectDir}: ${lastLines || error.message}`));
      },
    );
  });
}
