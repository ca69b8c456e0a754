import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    // The sources only: never a test file a build left in dist.
    include: ['src/**/*.test.ts'],
    testTimeout: 15_000,
    // The first app of a file copies a migrated, seeded template, made once per test process.
    hookTimeout: 60_000,
  },
});
