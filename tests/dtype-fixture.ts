/**
 * What the dtype fixture's tests share (workers/dtypes.test.ts in Node, e2e/dtypes.spec.ts in
 * Chromium): the Hub id the stand-in server serves it under, the texts, and each dtype's tolerance
 * against the same checkpoint's fp32 run.
 */
export const DTYPE_FIXTURE_ID = 'test/dtypes-qwen2-moe';
export const DTYPE_FIXTURE_DTYPES = ['fp32', 'q8', 'q4', 'q4f16'] as const;
export const DTYPE_FIXTURE_TEXTS = ['The meeting starts at 5.30 p.m.', 'They narrowly avoided a catastrophe.', 'A dog is running across the green field', 'Rain'];

/**
 * Per dtype: least cosine of a text's HS with fp32's, and largest |router logit − fp32's| over the
 * largest |fp32 logit|. 4-bit weights in a 32-wide random model move outputs far more than 8-bit
 * ones (Node measured q8 0.9998 / 0.016, q4 0.946 / 0.17, q4f16 0.947 / 0.16).
 */
export const DTYPE_TOLERANCE: Record<'q8' | 'q4' | 'q4f16', { hsCosine: number; routerRelative: number }> = {
  q8: { hsCosine: 0.9995, routerRelative: 0.02 },
  q4: { hsCosine: 0.92, routerRelative: 0.25 },
  q4f16: { hsCosine: 0.92, routerRelative: 0.25 },
};

/** How far a dtype's outputs are from fp32's: least per-text HS cosine, relative router logit error. */
export function distanceFromFp32(hs: ArrayLike<number>, rwLogits: ArrayLike<number>, fp32Hs: ArrayLike<number>, fp32RwLogits: ArrayLike<number>, hidden: number): { hsCosine: number; routerRelative: number } {
  let least = Infinity;
  for (let start = 0; start < hs.length; start += hidden) {
    let ab = 0;
    let aa = 0;
    let bb = 0;
    for (let i = start; i < start + hidden; i++) {
      ab += hs[i] * fp32Hs[i];
      aa += hs[i] * hs[i];
      bb += fp32Hs[i] * fp32Hs[i];
    }
    least = Math.min(least, ab / Math.sqrt(aa * bb));
  }
  let spread = 0;
  let worst = 0;
  for (let i = 0; i < fp32RwLogits.length; i++) {
    spread = Math.max(spread, Math.abs(fp32RwLogits[i]));
    worst = Math.max(worst, Math.abs(rwLogits[i] - fp32RwLogits[i]));
  }
  return { hsCosine: least, routerRelative: worst / spread };
}
