/** The labels' font on every chart canvas. */
const CANVAS_FONT = '11px system-ui, sans-serif';

/** What every chart canvas does before drawing: a white ground, and labels in one font, centred on their row. */
export function clearCanvas(ctx: CanvasRenderingContext2D, width: number, height: number): void {
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  ctx.font = CANVAS_FONT;
  ctx.textBaseline = 'middle';
}
