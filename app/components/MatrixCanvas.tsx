/**
 * A similarity matrix on canvas (SVG per cell stalls at a few thousand cells): sentence labels,
 * a colour bar, values on hover or under the keyboard cursor (arrow keys), PNG / CSV / JSON export.
 */
import { memo, useEffect, useMemo, useRef, useState } from 'react';
import { DIVERGING_LUT, diverging, VIRIDIS_LUT, viridis } from '../colormap.ts';
import { clearCanvas } from '../canvas.ts';
import { matrixCsv, matrixJson, offDiagonalRange } from '../derive.ts';
import { downloadPng, downloadText } from '../download.ts';
import { useStaggered } from '../stagger.ts';
import { ExportButtons } from './ExportButtons.tsx';

export interface MatrixCanvasProps {
  id: string;
  title: string;
  /** Which settings produced it, one fact per entry; shown under the title and drawn into the PNG. */
  settingsLines: string[];
  /** The same facts as data, written into the JSON export. */
  settings: Record<string, unknown>;
  values: Float32Array;
  labels: string[];
  order: number[];
  /** 'sequential': viridis over the off-diagonal range; 'diverging': blue–white–red, symmetric around 0. */
  scale: 'sequential' | 'diverging';
  /** What the colours measure, with its unit, written under the colour bar (e.g. "cosine"). */
  legendName: string;
  /**
   * Sequential scale only: the values the colour map's two ends stand for, the same for every
   * matrix that shares it (honest: a narrow range stays one colour). Absent: the matrix's own
   * off-diagonal range is stretched over the whole map.
   */
  domain?: ColourDomain;
}

/** A fixed colour domain and what to call it beside the matrix. */
export interface ColourDomain {
  low: number;
  high: number;
  /** e.g. "fixed −1 … 1, shared by the four matrices". */
  label: string;
}

/** The grid aims at this many pixels a side; cells never exceed CELL_MAX nor go below 1 px. */
const GRID_PX = 300;
const CELL_MAX = 48;
/** Room for sentence labels when cells are tall enough to carry text. */
const LABEL_PX = 130;
const NUMBER_PX = 30;
/** More characters than any row label can show in LABEL_PX. */
const LABEL_MAX_CHARS = 40;
const TOP_PX = 18;
const LEGEND_PX = 48;
/** The diagonal (each text with itself, cosine 1) in grey, so that it never reads as the largest off-diagonal value. */
const DIAGONAL_GREY = 0xc8;

/** The smallest "nice" step whose ticks are at least `minPx` apart. */
function tickStep(cell: number, minPx: number): number {
  for (const step of [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000]) if (step * cell >= minPx) return step;
  return 10_000;
}

/** Same data and same words: nothing to redraw (captions and settings are rebuilt on every render). */
function sameMatrix(a: MatrixCanvasProps, b: MatrixCanvasProps): boolean {
  return (
    a.values === b.values &&
    a.labels === b.labels &&
    a.order === b.order &&
    a.id === b.id &&
    a.title === b.title &&
    a.scale === b.scale &&
    a.legendName === b.legendName &&
    a.domain?.low === b.domain?.low &&
    a.domain?.high === b.domain?.high &&
    a.domain?.label === b.domain?.label &&
    a.settingsLines.join('\n') === b.settingsLines.join('\n') &&
    JSON.stringify(a.settings) === JSON.stringify(b.settings)
  );
}

/** Each matrix draws in a main-thread task of its own (see stagger.ts); until its first turn, a placeholder. */
export const MatrixCanvas = memo(function MatrixCanvas(props: MatrixCanvasProps) {
  const shown = useStaggered(props, sameMatrix);
  if (!shown) {
    return (
      <figure className="matrix" aria-busy="true">
        <figcaption>
          <strong>{props.title}</strong>
          <span className="caption">drawing…</span>
        </figcaption>
      </figure>
    );
  }
  return <MatrixFigure {...shown} />;
});

function MatrixFigure({ id, title, settingsLines, settings, values, labels, order, scale, legendName, domain }: MatrixCanvasProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [hover, setHover] = useState<{ a: number; b: number } | null>(null);
  const [cursor, setCursor] = useState<{ a: number; b: number } | null>(null);
  const n = labels.length;
  const cell = Math.max(1, Math.min(CELL_MAX, Math.floor(GRID_PX / Math.max(1, n))));
  const textLabels = cell >= 12;
  const left = textLabels ? LABEL_PX : NUMBER_PX;
  const grid = n * cell;
  const width = left + grid + 4;
  const height = TOP_PX + grid + LEGEND_PX;
  const { min, max } = useMemo(() => offDiagonalRange(values, n), [values, n]);
  const bound = Math.max(Math.abs(min), Math.abs(max)) || 1;
  const lut = scale === 'diverging' ? DIVERGING_LUT : VIRIDIS_LUT;
  // Value → LUT index: diverging maps [−bound, bound]; sequential a fixed domain when given, else the off-diagonal [min, max].
  const fixed = scale === 'sequential' && domain ? domain : null;
  const lo = scale === 'diverging' ? -bound : fixed ? fixed.low : min;
  const hi = scale === 'diverging' ? bound : fixed ? fixed.high : max;
  const span = hi > lo ? hi - lo : 0;
  const legendLow = lo;
  const legendHigh = hi;
  const scaleLabel = scale === 'diverging' ? 'symmetric around 0' : fixed ? fixed.label : 'stretched to this matrix’s own range';

  const gridImage = useMemo(() => {
    if (n === 0) return null;
    const image = new ImageData(grid, grid);
    // One 32-bit write per pixel through a view (ImageData.data is a getter; 4 writes per pixel cost 4×).
    const pixels = new Uint32Array(image.data.buffer);
    const little = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
    const packed = new Uint32Array(256);
    for (let k = 0; k < 256; k++) {
      const [r, g, b] = [lut[3 * k], lut[3 * k + 1], lut[3 * k + 2]];
      packed[k] = little ? ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0 : ((r << 24) | (g << 16) | (b << 8) | 255) >>> 0;
    }
    const grey = little ? ((255 << 24) | (DIAGONAL_GREY << 16) | (DIAGONAL_GREY << 8) | DIAGONAL_GREY) >>> 0 : ((DIAGONAL_GREY << 24) | (DIAGONAL_GREY << 16) | (DIAGONAL_GREY << 8) | 255) >>> 0;
    for (let a = 0; a < n; a++) {
      const rowStart = order[a] * n;
      for (let b = 0; b < n; b++) {
        const t = span > 0 ? (values[rowStart + order[b]] - lo) / span : 0.5;
        // The sequential scale spans the off-diagonal range only; its diagonal would clamp to the top colour.
        const colour = scale === 'sequential' && a === b ? grey : packed[t >= 1 ? 255 : t > 0 ? Math.round(255 * t) : 0];
        if (cell === 1) pixels[a * grid + b] = colour;
        else for (let y = 0; y < cell; y++) pixels.fill(colour, (a * cell + y) * grid + b * cell, (a * cell + y) * grid + (b + 1) * cell);
      }
    }
    return image;
  }, [values, order, n, cell, grid, lut, lo, span]);

  const mark = cursor ?? hover;
  useEffect(() => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx || !gridImage) return;
    clearCanvas(ctx, width, height);
    ctx.putImageData(gridImage, left, TOP_PX);
    ctx.fillStyle = '#333';
    // Rows: the sentence (numbered as in the editor) when cells are tall enough, else every k-th number.
    const rowStep = textLabels ? 1 : tickStep(cell, 14);
    for (let a = 0; a < n; a += rowStep) {
      const index = textLabels ? order[a] : a;
      // Cut to what can fit before measuring: a 100k-character text must not be measured whole.
      const full = textLabels ? `${index + 1} ${labels[index].slice(0, LABEL_MAX_CHARS)}` : String(a + 1);
      let label = full;
      if (textLabels) while (label.length > 2 && ctx.measureText(label).width > left - 8) label = label.slice(0, -1);
      if (textLabels && (label !== full || labels[index].length > LABEL_MAX_CHARS)) label += '…';
      ctx.textAlign = textLabels ? 'left' : 'right';
      ctx.fillText(label, textLabels ? 2 : left - 4, TOP_PX + a * cell + cell / 2);
    }
    ctx.textAlign = 'center';
    const colStep = tickStep(cell, 24);
    for (let b = 0; b < n; b += colStep) ctx.fillText(String(textLabels ? order[b] + 1 : b + 1), left + b * cell + cell / 2, TOP_PX / 2);
    // Colour bar with its end values.
    const barTop = TOP_PX + grid + 8;
    // One image, not a fillRect (and a colour string to parse) per pixel column.
    const bar = new ImageData(grid, 10);
    for (let x = 0; x < grid; x++) {
      const [r, g, b] = scale === 'diverging' ? diverging((x / Math.max(1, grid - 1)) * 2 - 1) : viridis(x / Math.max(1, grid - 1));
      for (let y = 0; y < 10; y++) bar.data.set([r, g, b, 255], 4 * (y * grid + x));
    }
    ctx.putImageData(bar, left, barTop);
    ctx.fillStyle = '#333';
    ctx.textAlign = 'left';
    ctx.fillText(legendLow.toFixed(3), left, barTop + 19);
    ctx.textAlign = 'right';
    ctx.fillText(legendHigh.toFixed(3), left + grid, barTop + 19);
    ctx.textAlign = 'center';
    ctx.fillText(scale === 'sequential' ? `${legendName} · grey: self` : legendName, left + grid / 2, barTop + 33);
    if (mark) {
      ctx.strokeStyle = '#ff2d55';
      ctx.lineWidth = 2;
      ctx.strokeRect(left + mark.b * cell - 1, TOP_PX + mark.a * cell - 1, cell + 2, cell + 2);
    }
  }, [gridImage, width, height, left, textLabels, cell, n, order, labels, grid, scale, legendLow, legendHigh, legendName, mark]);

  const cellAt = (e: React.MouseEvent<HTMLCanvasElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    // The canvas may be scaled down by CSS in a narrow window.
    const x = ((e.clientX - rect.left) * width) / rect.width - left;
    const y = ((e.clientY - rect.top) * height) / rect.height - TOP_PX;
    const a = Math.floor(y / cell);
    const b = Math.floor(x / cell);
    return x >= 0 && y >= 0 && a < n && b < n ? { a, b } : null;
  };
  const onKey = (e: React.KeyboardEvent<HTMLCanvasElement>) => {
    const moves: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    if (e.key === 'Escape') return setCursor(null);
    const move = moves[e.key];
    if (!move || n === 0) return;
    e.preventDefault();
    const from = cursor ?? { a: 0, b: 0 };
    const clamp = (v: number) => Math.max(0, Math.min(n - 1, v));
    setCursor(cursor ? { a: clamp(from.a + move[0]), b: clamp(from.b + move[1]) } : from);
  };

  const shown = mark ? { i: order[mark.a], j: order[mark.b] } : null;
  const fileBase = `moee-${id}`;
  return (
    <figure className="matrix" data-testid={`matrix-${id}`} style={{ width }}>
      <figcaption>
        <strong>{title}</strong>
        <span className="caption" data-testid={`caption-${id}`}>{settingsLines.join(' · ')}</span>
      </figcaption>
      <canvas
        ref={canvas}
        width={width}
        height={height}
        onMouseMove={(e) => setHover(cellAt(e))}
        onMouseLeave={() => setHover(null)}
        onKeyDown={onKey}
        onBlur={() => setCursor(null)}
        tabIndex={0}
        role="img"
        aria-label={`${title}: ${n} by ${n} similarity matrix (colour: ${legendName}), off-diagonal values from ${min.toFixed(3)} to ${max.toFixed(3)}. Arrow keys read single cells.`}
        data-legend={legendName}
        data-left={left}
        data-top={TOP_PX}
        data-cell={cell}
      />
      <div className="range" data-testid={`range-${id}`} data-min={min} data-max={max} data-low={legendLow} data-high={legendHigh}>
        off-diagonal {min.toFixed(3)} … {max.toFixed(3)} · colours {legendLow.toFixed(3)} … {legendHigh.toFixed(3)} ({scaleLabel})
      </div>
      <div className="hover" aria-live="polite" data-testid={`hover-${id}`}>
        {shown
          ? `${shown.i + 1}. ${labels[shown.i]} ↔ ${shown.j + 1}. ${labels[shown.j]}: ${values[shown.i * n + shown.j].toFixed(4)}`
          : 'hover or focus and use the arrow keys for a cell’s value'}
      </div>
      <ExportButtons
        name={title}
        onPng={() => canvas.current && downloadPng(`${fileBase}.png`, canvas.current, [title, ...settingsLines])}
        onCsv={() => downloadText(`${fileBase}.csv`, matrixCsv(values, labels))}
        onJson={() => downloadText(`${fileBase}.json`, matrixJson(values, labels, { view: id, ...settings }))}
      />
    </figure>
  );
}
