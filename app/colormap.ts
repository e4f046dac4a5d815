/**
 * Viridis, perceptually uniform and readable in grey and by most colour-blind viewers.
 * Control points from matplotlib's viridis at t = 0, 1/8, ..., 1, interpolated linearly.
 */
const VIRIDIS: readonly [number, number, number][] = [
  [68, 1, 84],
  [71, 44, 122],
  [59, 81, 139],
  [44, 113, 142],
  [33, 144, 141],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
];

/** RGB of viridis at t in [0, 1] (clamped). */
export function viridis(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS[i];
  const b = VIRIDIS[i + 1];
  return [Math.round(a[0] + (b[0] - a[0]) * f), Math.round(a[1] + (b[1] - a[1]) * f), Math.round(a[2] + (b[2] - a[2]) * f)];
}

/** A diverging blue–white–red map for differences (HS − RW), t in [-1, 1]. */
export function diverging(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(-1, Number.isFinite(t) ? t : 0));
  if (x < 0) return [Math.round(255 + x * (255 - 33)), Math.round(255 + x * (255 - 102)), Math.round(255 + x * (255 - 172))];
  return [Math.round(255 - x * (255 - 178)), Math.round(255 - x * (255 - 24)), Math.round(255 - x * (255 - 43))];
}

/** Colour lookup tables (256 steps) so that filling a 500 × 500 matrix allocates nothing per cell. */
export const VIRIDIS_LUT: Uint8ClampedArray = buildLut((i) => viridis(i / 255));
/** Diverging table: index 0 is −1, 255 is +1. */
export const DIVERGING_LUT: Uint8ClampedArray = buildLut((i) => diverging((i / 255) * 2 - 1));

function buildLut(colour: (i: number) => [number, number, number]): Uint8ClampedArray {
  const lut = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i++) lut.set(colour(i), i * 3);
  return lut;
}
