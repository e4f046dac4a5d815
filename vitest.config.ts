import { defineConfig } from 'vitest/config';

// Unit and Node-integration tests. Browser tests live in e2e/ and run under Playwright.
export default defineConfig({
  test: {
    include: ['core/**/*.test.ts', 'workers/**/*.test.ts', 'models/**/*.test.ts', 'cli/**/*.test.ts', 'app/**/*.test.ts', 'tests/**/*.test.ts'],
    exclude: ['e2e/**', 'node_modules/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
