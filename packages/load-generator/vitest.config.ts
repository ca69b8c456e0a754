import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    // The tests measure timing; two files measuring at once on two cores would disturb each other.
    fileParallelism: false,
    testTimeout: 30_000,
  },
});
