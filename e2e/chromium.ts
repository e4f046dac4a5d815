/**
 * Debian's Chromium as every browser run here drives it (Playwright tests and the benchmarks):
 * never a downloaded browser, a clean headless profile with no background traffic.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_BASE_FLAGS: readonly string[] = [
  '--no-sandbox',
  '--headless',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
