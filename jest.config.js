// Layers, each runnable alone: `jest --selectProjects unit|integration|e2e|fault`.
const tsJest = [
  'ts-jest',
  { useESM: true, tsconfig: 'tsconfig.json', diagnostics: false },
];
const shared = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': tsJest },
  testEnvironment: 'node',
  setupFiles: ['<rootDir>/test/support/jest-env.ts'],
};
export default {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    { ...shared, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'] },
    { ...shared, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
    // The workflow@5 line: its own installation in test/e2e-v5 (test/e2e-v5/README.md).
    { ...shared, displayName: 'e2e-v5', testMatch: ['<rootDir>/test/e2e-v5/**/*.test.ts'], testPathIgnorePatterns: ['/node_modules/', '/app/'] },
    // Multi-process fault cases on the embedded local AWS (test/fault/README.md).
    { ...shared, displayName: 'fault', testMatch: ['<rootDir>/test/fault/**/*.test.ts'] },
  ],
};
