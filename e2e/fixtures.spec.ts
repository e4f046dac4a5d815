/**
 * Exporter-written MoE graphs (models/fixtures/, see models/build/fixtures/build.py) in Chromium,
 * through the real worker on WASM: each is tapped by its convention row and reproduces its HF
 * goldens within 1e-4; a dense model is refused with NotMoEModelError naming its type.
 */
import { expect, test, type Page } from '@playwright/test';
import { FIXTURES, fixtureId } from '../tests/real-fixtures.ts';

async function openHarness(page: Page) {
  await page.goto('/harness.html');
  await expect(page.locator('body')).toHaveAttribute('data-ready', 'true');
}

for (const fixture of FIXTURES) {
  test(`fixture ${fixture.name} (${fixture.source}): goldens on wasm`, async ({ page }) => {
    await openHarness(page);
    const id = fixtureId(fixture.name);
    const loaded = await page.evaluate((modelId) => window.moeeHarness.load(modelId, 'fp32', 'wasm'), id);
    if (!loaded.ok) throw new Error(`load failed: ${JSON.stringify(loaded.error)}`);
    expect(loaded.model.ep).toBe('wasm');
    expect(loaded.model.convention).toBe(fixture.convention);
    expect(loaded.model.hasSharedExpert).toBe(fixture.sharedExpert);
    const manifest = (await (await page.request.get(`/models/${id}/goldens/goldens.json`)).json()) as { model: { moe_layers: number[] } };
    expect(loaded.model.moeLayers).toEqual(manifest.model.moe_layers);
    const reports = await page.evaluate((modelId) => window.moeeHarness.goldens(modelId), id);
    console.log(`[fixtures chromium-wasm] ${fixture.name} ${JSON.stringify(reports.map((r) => ({ case: r.case, router: r.report.maxAbsRouterLogitError, hs: r.report.maxAbsHiddenStateError })))}`);
    expect(reports).toHaveLength(4);
    for (const { ep, report } of reports) {
      expect(ep).toBe('wasm');
      expect(report.promptsEqual).toBe(true);
      expect(report.maxAbsRouterLogitError).toBeLessThan(1e-4);
      expect(report.maxAbsHiddenStateError).toBeLessThan(1e-4);
      expect(report.topkSetAgreement).toBe(1);
      expect(report.top1NextAgreement).toBe(1);
    }
  });
}

test('a dense model is refused with NotMoEModelError naming its type', async ({ page }) => {
  await openHarness(page);
  const loaded = await page.evaluate((modelId) => window.moeeHarness.load(modelId, 'fp32', 'wasm'), fixtureId('qwen2-dense'));
  expect(loaded.ok).toBe(false);
  if (loaded.ok) return;
  expect(loaded.error.name).toBe('NotMoEModelError');
  expect(loaded.error.message).toContain('qwen2');
});
