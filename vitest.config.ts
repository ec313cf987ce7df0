import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['components/**/*.test.ts', 'rail/**/*.test.ts', 'smoke/**/*.test.ts', 'scripts/**/*.test.ts', 'test/**/*.test.ts', 'nix/**/*.test.ts', 'policy/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
