// The Workflow runtime imports the Vercel and local worlds statically
// (`@workflow/core`'s runtime/world.js), for the case where no world was set.
// In the Lambda package the world is always set before a route loads
// (bundle.ts's world.mjs), so they are never called, yet bundled they were
// 1 MB of the flow route (undici, jose, the Vercel OIDC and queue clients) and
// about 150 ms of a cold start's CPU (docs/lambda.md). The route bundles get
// this module in their place instead: each export throws an error that names
// the package and why it is absent. Only the runtime's own imports are
// replaced; the app's own code keeps the real packages.
import type { Plugin } from 'esbuild';

export const ABSENT_WORLD_PACKAGES = ['@workflow/world-local', '@workflow/world-vercel'] as const;

/** What the runtime imports from them: createLocalWorld/createVercelWorld (4.x), createWorld (the 5 line). */
export const ABSENT_WORLD_EXPORTS = ['createLocalWorld', 'createVercelWorld', 'createWorld'] as const;

const NAMESPACE = 'aws-workflow-absent-world';

/** The runtime's files: `@workflow/core` inside node_modules (any layout). */
const RUNTIME_IMPORTER = /[\\/]node_modules[\\/](?:\.pnpm[\\/][^\\/]+[\\/]node_modules[\\/])?@workflow[\\/]core[\\/]/;

export function absentWorldSource(pkg: string): string {
  return [
    ...ABSENT_WORLD_EXPORTS.map(
      (name) =>
        `export function ${name}() { throw new Error(${JSON.stringify(
          `aws-workflow: ${pkg} is not in the Lambda package (deploy leaves it out: the function's world is @workflow/world-aws, set before any route loads), but the Workflow runtime called its ${name}(): was the world cache cleared?`,
        )}); }`,
    ),
    '',
  ].join('\n');
}

export const absentWorlds: Plugin = {
  name: 'aws-workflow-absent-worlds',
  setup(b) {
    const packages = new Set<string>(ABSENT_WORLD_PACKAGES);
    b.onResolve({ filter: /^@workflow\/world-(local|vercel)$/ }, (args) =>
      packages.has(args.path) && RUNTIME_IMPORTER.test(args.importer) ? { path: args.path, namespace: NAMESPACE } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({ contents: absentWorldSource(args.path), loader: 'js' }));
  },
};
