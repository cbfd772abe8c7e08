import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Each test file runs in its own child process: a crash in native code fails one file, loudly.
    pool: 'forks',
  },
});
