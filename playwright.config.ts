import { defineConfig } from '@playwright/test';
import { CHROMIUM_BASE_FLAGS, CHROMIUM_PATH } from './e2e/chromium.ts';

/**
 * Browser tests in Debian's Chromium (never a downloaded browser), against the production build
 * served by `vite preview` (cross-origin isolated, so WASM runs threaded).
 */
const CHROMIUM_FLAGS = [
  ...CHROMIUM_BASE_FLAGS,
  // A real WebGPU adapter on http://127.0.0.1: SwiftShader in CI (software, for correctness only).
  '--enable-unsafe-webgpu',
];

/** Parallel checkouts on one machine each pick their own port. */
const PORT = Number(process.env.MOEE_E2E_PORT ?? 4173);

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  timeout: 240_000,
  expect: { timeout: 60_000 },
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS },
    viewport: { width: 1400, height: 1000 },
  },
  webServer: {
    command: `npx vite preview --host 127.0.0.1 --port ${PORT} --strictPort`,
    url: `http://127.0.0.1:${PORT}`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
  },
});
