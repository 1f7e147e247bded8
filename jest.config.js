/**
 * Two projects: `unit` runs offline (constructs, stacks, policies, workload logic);
 * `integration` runs the workloads against the real engines that scripts/engines starts.
 * @type {import('jest').Config}
 */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json' }];
module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest },
      setupFilesAfterEnv: ['<rootDir>/test/setup-cdktf.ts'],
      testMatch: ['<rootDir>/{constructs,stacks,policies,workloads,test}/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '\\.int\\.test\\.ts$', '\\.browser\\.test\\.ts$'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest },
      testMatch: ['<rootDir>/{workloads,test}/**/*.{int,browser}.test.ts'],
      globalSetup: '<rootDir>/test/engines/global-setup.ts',
      globalTeardown: '<rootDir>/test/engines/global-teardown.ts',
    },
  ],
};
