import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Tests mostly wait on databases; more workers than cores keeps the servers busy.
    maxWorkers: 4,
    maxConcurrency: 8,
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
