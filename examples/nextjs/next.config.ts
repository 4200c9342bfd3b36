import type { NextConfig } from 'next';
import { withWorkflow } from 'workflow/next';

const nextConfig: NextConfig = {
  // This app's own directory is its root (the repository around it has a lockfile too).
  turbopack: { root: __dirname },
  outputFileTracingRoot: __dirname,
  // The world talks to AWS through the AWS SDK at run time; load it from
  // node_modules instead of bundling it into every server chunk.
  serverExternalPackages: ['@workflow/world-aws'],
};

export default withWorkflow(nextConfig);
