// Bundles the Lambda package with esbuild: an ESM entry (our SQS handler + the
// world) and one self-contained ESM file per route bundle (flow, step), which
// the entry imports on first use. Everything is written
// under the output directory; the project's own files are only read.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import type { BuildOptions, Plugin } from 'esbuild';
import { CliFailure } from '../errors.js';
import { absentWorlds } from './absent-worlds.js';
import { LAMBDA_ENTRY_FILE } from '../../infra/lambda/settings.js';
import type { WorkflowLine } from '../../domain/workflow-line.js';
import type { WorkflowOutput } from './workflow-output.js';

export const LAMBDA_HANDLER_SPECIFIER = '@workflow/world-aws/lambda';
export const WORLD_SPECIFIER = '@workflow/world-aws';
/** The world of a workflow@5 app (the 5 facade). */
export const WORLD_V5_SPECIFIER = '@workflow/world-aws/v5';

/** A module of this installed package, resolved through its own exports (the CLI bundles its own world). */
export function resolveOwnModule(specifier: string): string {
  try {
    return createRequire(import.meta.url).resolve(specifier);
  } catch {
    throw new CliFailure(`Cannot resolve ${specifier}: reinstall @workflow/world-aws (the CLI bundles its world and Lambda handler).`);
  }
}

/** The modules the generated entry imports besides the app's bundles. */
export interface EntryModules {
  /** Exports createLambdaHandler (default: `@workflow/world-aws/lambda`). */
  handler: string;
  /** Exports createWorld (default: `@workflow/world-aws`). */
  world: string;
}

/** The globals `setWorld()` of `workflow/runtime` writes (workflow 4.8.9; a unit test checks they still match). */
export const WORLD_CACHE_SYMBOLS = ['@workflow/world//cache', '@workflow/world//stubbedCache'] as const;

/**
 * Sets the process's World before any route bundle loads. The bundles ask the
 * Workflow runtime for its world when they are imported; inside the Lambda
 * package the runtime cannot `require(WORKFLOW_TARGET_WORLD)` from
 * node_modules, so the world is built here and handed over the way the
 * runtime's `setWorld` does it. Importing `setWorld` itself would load a third
 * copy of the runtime (undici, jose, the Vercel and local worlds: 1.1 MB)
 * before the first message, though each route bundle carries its own.
 */
export function worldSource(modules: EntryModules): string {
  return [
    `import { createWorld } from ${JSON.stringify(modules.world)};`,
    '',
    'export const world = createWorld();',
    ...WORLD_CACHE_SYMBOLS.map((symbol) => `globalThis[Symbol.for(${JSON.stringify(symbol)})] = world;`),
    '',
  ].join('\n');
}

/** The route files of the Lambda package, beside the entry (index.mjs), which imports them on first use. */
export const ROUTE_FILES = { flow: 'flow.mjs', step: 'step.mjs' } as const;

/**
 * The generated entry. Each bundle's POST is the route handler a framework
 * would mount at /.well-known/workflow/v1/{flow,step}; the Lambda handler
 * feeds SQS records to them in-process. `./world.mjs` is imported first so
 * it is evaluated before the bundles. Each route is its own file in the
 * package, imported by Node on first use: a cold start parses and runs only
 * the entry (world, handler, AWS SDK), and the first message then loads the
 * one route it needs (the handler starts that load with the batch's first
 * requests, through `preload`); a function that only ever sees step messages
 * never reads the flow bundle. Each route file is self-contained (no shared
 * chunks), so a CommonJS package inside it keeps its named exports.
 */
export function entrySource(modules: EntryModules, line: WorkflowLine = '4'): string {
  // workflow@5 sends every message to the merged flow route: nothing it sends reaches the step queue.
  const step =
    line === '5'
      ? `  step: async () => { throw new Error('aws-workflow: a workflow@5 app has no step route; a message on the step queue was not sent by it'); },`
      : `  step: route(() => import(${JSON.stringify(`./${ROUTE_FILES.step}`)}), 'step'),`;
  return [
    `import { world } from './world.mjs';`,
    `import { createLambdaHandler } from ${JSON.stringify(modules.handler)};`,
    '',
    `const route = (load, name) => {`,
    `  let loading;`,
    `  const preload = () => (loading ??= load().then((mod) => {`,
    `    const post = mod.POST ?? mod.default?.POST;`,
    `    if (typeof post !== 'function') throw new Error(\`aws-workflow: the \${name} bundle exports no POST handler\`);`,
    `    return post;`,
    `  }, (error) => {`,
    `    loading = undefined;`,
    `    throw error;`,
    `  }));`,
    `  return Object.assign(async (request) => (await preload())(request), { preload });`,
    `};`,
    '',
    `export const handler = createLambdaHandler({`,
    `  flow: route(() => import(${JSON.stringify(`./${ROUTE_FILES.flow}`)}), 'flow'),`,
    step,
    `  world,`,
    `});`,
    '',
  ].join('\n');
}

// CommonJS code inside an ESM bundle still calls require() for Node built-ins.
const BANNER = [
  `import { createRequire as __awsWorkflowCreateRequire } from 'node:module';`,
  `const require = __awsWorkflowCreateRequire(import.meta.url);`,
].join('\n');

/** Next.js marker packages that have no runtime content outside Next. */
const markerPackages: Plugin = {
  name: 'aws-workflow-marker-packages',
  setup(b) {
    b.onResolve({ filter: /^(server-only|client-only)$/ }, (args) => ({ path: args.path, namespace: 'aws-workflow-empty' }));
    b.onLoad({ filter: /.*/, namespace: 'aws-workflow-empty' }, () => ({ contents: '', loader: 'js' }));
  },
};

/**
 * `wf build` emits CommonJS `.js` bundles, and in a `"type": "module"` project
 * esbuild would read them as ESM (`module` undefined at runtime). Loading them
 * outside the file namespace makes esbuild pick the format from their syntax.
 */
function workflowBundles(output: WorkflowOutput): Plugin {
  const paths = new Set([output.flow, ...(output.step ? [output.step] : [])]);
  return {
    name: 'aws-workflow-bundles',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => (paths.has(args.path) ? { path: args.path, namespace: 'aws-workflow-bundle' } : undefined));
      b.onLoad({ filter: /.*/, namespace: 'aws-workflow-bundle' }, async (args) => ({
        contents: await readFile(args.path, 'utf8'),
        resolveDir: dirname(args.path),
        loader: 'js',
      }));
    },
  };
}

/** The entry's `import('./flow.mjs')`: a file of the package, resolved by Node at run time. */
function routeFilesExternal(entry: string): Plugin {
  const specifiers = new Set(Object.values(ROUTE_FILES).map((file) => `./${file}`));
  return {
    name: 'aws-workflow-route-files',
    setup(b) {
      b.onResolve({ filter: /^\.\/[a-z]+\.mjs$/ }, (args) => (args.importer === entry && specifiers.has(args.path) ? { path: args.path, external: true } : undefined));
    },
  };
}

/** esbuild is only needed by deploy, so the CLI's other commands load without it. */
async function loadEsbuild(): Promise<typeof import('esbuild')> {
  try {
    return await import('esbuild');
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') {
      throw new CliFailure('deploy bundles with esbuild, which is not installed: npm install --save-dev esbuild@0.28.2');
    }
    throw error;
  }
}

/** Where the entry's chunks go in the package (beside it: index.mjs imports ./entry-chunks/…). */
export const ENTRY_CHUNKS_DIR = 'entry-chunks';

type Esbuild = typeof import('esbuild');

/** The CommonJS modules that a chunk loaded with import() starts from: their named exports would be lost. */
export function dynamicCommonJsChunks(metafile: import('esbuild').Metafile): string[] {
  const dynamicTargets = new Set(Object.values(metafile.outputs).flatMap((out) => out.imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.path)));
  return Object.entries(metafile.outputs)
    .filter(([path, out]) => dynamicTargets.has(path) && out.entryPoint !== undefined && metafile.inputs[out.entryPoint]?.format === 'cjs')
    .map(([, out]) => out.entryPoint!);
}

/** The entry, split into chunks; one file instead if a chunk imported with import() starts from a CommonJS module. */
async function entryBuild(build: Esbuild['build'], options: BuildOptions & { write: false }): Promise<import('esbuild').BuildResult<{ write: false }>> {
  const split = await build({ ...options, splitting: true, chunkNames: `${ENTRY_CHUNKS_DIR}/[name]-[hash]`, metafile: true });
  if (dynamicCommonJsChunks(split.metafile).length === 0) return split;
  return build(options);
}

export interface BundleResult {
  /** The entry (index.mjs). */
  file: string;
  code: Uint8Array;
  /** Every output file, by its path in the zip: the entry, its chunks (entry-chunks/) and the route files. */
  files: Record<string, Uint8Array>;
  /** Sum of all files: the unzipped size. */
  bytes: number;
}

export async function bundleLambda(options: {
  projectDir: string;
  outDir: string;
  output: WorkflowOutput;
  modules: EntryModules;
  /**
   * `external` leaves the AWS SDK out, for the copy the Lambda Node.js runtime
   * ships (a version AWS picks). Default `bundled`: the versions this package
   * was tested with, and measured faster to load (docs/benchmarks.md).
   */
  awsSdk?: 'bundled' | 'external';
}): Promise<BundleResult> {
  const buildDir = join(options.outDir, 'build');
  await mkdir(buildDir, { recursive: true });
  const entry = join(buildDir, 'entry.mjs');
  await writeFile(join(buildDir, 'world.mjs'), worldSource(options.modules));
  await writeFile(entry, entrySource(options.modules, options.output.line));
  const { build } = await loadEsbuild();
  const outdir = join(buildDir, 'lambda');
  await rm(outdir, { recursive: true, force: true });
  const common = {
    outdir,
    outExtension: { '.js': '.mjs' },
    absWorkingDir: options.projectDir,
    // Modules the bundles import come from the project, even when --out-dir is outside it.
    nodePaths: [join(options.projectDir, 'node_modules')],
    bundle: true,
    platform: 'node' as const,
    format: 'esm' as const,
    target: 'node22',
    banner: { js: BANNER },
    // Free __dirname/__filename in CommonJS code; module-local declarations are left alone.
    define: { __dirname: 'import.meta.dirname', __filename: 'import.meta.filename' },
    minify: true,
    keepNames: true,
    legalComments: 'none',
    logLevel: 'silent',
    write: false as const,
    ...(options.awsSdk === 'external' ? { external: ['@aws-sdk/*', '@smithy/*'] } : {}),
  } satisfies BuildOptions;
  // The entry is split into chunks, so what it loads only on demand (the AWS SDK's other credential
  // providers, the SSM client) is not parsed at a cold start. The route files stay self-contained,
  // not chunks shared with the entry: a split chunk of a CommonJS package imported with import()
  // (core's waitUntil loads @vercel/functions that way) exposes only `default`, so its named exports
  // would be undefined at run time. entryBuild() falls back to one file if the entry ever has such a chunk.
  const entryOptions = {
    ...common,
    entryPoints: { [LAMBDA_ENTRY_FILE.replace(/\.mjs$/, '')]: entry },
    // The world's packages without an `exports` map (the AWS SDK among them) by their ESM build:
    // esbuild hoists and tree-shakes it, where the CommonJS build is wrapped and kept whole. The
    // entry loads 20% less code and runs 25-30% less CPU at init (docs/benchmarks.md). The route
    // files keep esbuild's default, since their packages are the app's.
    mainFields: ['module', 'main'],
    plugins: [routeFilesExternal(entry)],
  } satisfies BuildOptions;
  const results = await Promise.all([
    entryBuild(build, entryOptions),
    ...(options.output.step ? (['flow', 'step'] as const) : (['flow'] as const)).map((kind) =>
      build({
        ...common,
        entryPoints: { [ROUTE_FILES[kind].replace(/\.mjs$/, '')]: options.output[kind]! },
        plugins: [workflowBundles(options.output), markerPackages, absentWorlds],
      }),
    ),
  ]).catch((error: { errors?: { text: string; location?: { file: string } | null }[] }) => {
    const first = error.errors?.[0];
    throw new CliFailure(`Bundling the Lambda failed: ${first ? `${first.text}${first.location ? ` (${first.location.file})` : ''}` : String(error)}`);
  });
  const outputFiles = results.flatMap((r) => r.outputFiles);
  const outfile = join(outdir, LAMBDA_ENTRY_FILE);
  const file = outputFiles.find((f) => f.path === outfile);
  if (!file) throw new CliFailure('Bundling the Lambda produced no output');
  const files: Record<string, Uint8Array> = {};
  for (const out of outputFiles) {
    await mkdir(dirname(out.path), { recursive: true });
    await writeFile(out.path, out.contents);
    files[relative(outdir, out.path).split(sep).join('/')] = out.contents;
  }
  return { file: outfile, code: file.contents, files, bytes: Object.values(files).reduce((n, f) => n + f.byteLength, 0) };
}
