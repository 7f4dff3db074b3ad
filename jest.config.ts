import type { Config } from 'jest';

// Sources are ESM (as are jose and uuid): Jest runs in its native ESM mode
// (--experimental-vm-modules, set by scripts/test.ts) and ts-jest only strips types.
const common = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  setupFiles: ['<rootDir>/test/support/env.ts'],
} satisfies Config;

const config: Config = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      // Starts the engine named by DDB_ENGINE (dynalite or dynamodb-local) once per run.
      globalSetup: '<rootDir>/test/support/engine-setup.ts',
      globalTeardown: '<rootDir>/test/support/engine-teardown.ts',
    },
    // Packages the stack offline (`npm run package`, stages dev and prod) once, then checks the
    // CloudFormation templates.
    {
      ...common,
      displayName: 'template',
      testMatch: ['<rootDir>/test/template/**/*.test.ts'],
      globalSetup: '<rootDir>/test/template/package-setup.ts',
      globalTeardown: '<rootDir>/test/template/package-teardown.ts',
    },
    // Starts the real local stack (npm start) once; bundling and start-up take a while.
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
  ],
};

export default config;
