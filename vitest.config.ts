import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // End-to-end tests spawn real server processes; give slow CI machines room without timing anything.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
