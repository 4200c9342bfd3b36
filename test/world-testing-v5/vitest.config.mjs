// Each test spawns the world-testing server (one process, the memory
// installation or the local AWS given by the environment): one at a time.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['world-testing.test.mjs'],
    setupFiles: ['./node20-polyfills.mjs'],
    fileParallelism: false,
    maxConcurrency: 1,
    testTimeout: 60_000,
  },
});
