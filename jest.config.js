/** Jest runs the TypeScript sources as native ES modules (chalk, ora and inquirer are ESM-only). */
import { availableParallelism } from 'node:os';

export default {
  // Most of the suite waits (on the emulator's simulated agent, on processes of the CLI), so one
  // worker more than the cores keeps them busy; Jest's default (one fewer) leaves a 2-core
  // machine running the files one at a time.
  maxWorkers: Math.max(2, Math.min(availableParallelism() + 1, 6)),
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, diagnostics: false }] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  testTimeout: 30000,
};
