/** A similarity matrix on canvas (SVG per cell stalls at a few thousand cells), values on hover. */
import { useEffect, useRef, useState } from 'react';
import { diverging, viridis } from '../colormap.ts';
import { matrixCsv } from '../derive.ts';
import { download } from '../download.ts';

export interface MatrixCanvasProps {
  id: string;
  title: string;
  /** Which settings produced it, shown under the title. */
  caption: string;
  values: Float32Array;
  labels: string[];
  order: number[];
  /** 'sequential': viridis over [min, max]; 'diverging': blue–white–red over [-1, 1]. */
  scale: 'sequential' | 'diverging';
}

const CELL_MAX = 48;
const SIZE = 320;

export function MatrixCanvas({ id, title, caption, values, labels, order, scale }: MatrixCanvasProps) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [hover, setHover] = useState<{ i: number; j: number } | null>(null);
  const n = labels.length;
  const cell = Math.max(1, Math.min(CELL_MAX, Math.floor(SIZE / Math.max(1, n))));
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }

  useEffect(() => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx) return;
    const image = ctx.createImageData(n * cell, n * cell);
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) {
        const v = values[order[a] * n + order[b]];
        const [r, g, bl] = scale === 'diverging' ? diverging(v) : viridis(max > min ? (v - min) / (max - min) : 0.5);
        for (let y = 0; y < cell; y++) {
          for (let x = 0; x < cell; x++) {
            const p = ((a * cell + y) * n * cell + b * cell + x) * 4;
            image.data[p] = r;
            image.data[p + 1] = g;
            image.data[p + 2] = bl;
            image.data[p + 3] = 255;
          }
        }
      }
    }
    ctx.putImageData(image, 0, 0);
  }, [values, order, n, cell, scale, min, max]);

  const onMove = (e: React.MouseEvent<HTMLCanvasElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    const a = Math.floor((e.clientY - rect.top) / cell);
    const b = Math.floor((e.clientX - rect.left) / cell);
    setHover(a >= 0 && b >= 0 && a < n && b < n ? { i: order[a], j: order[b] } : null);
  };

  const exportCsv = () => download(`${id}.csv`, new Blob([matrixCsv(values, labels)], { type: 'text/csv' }));
  const exportPng = () => canvas.current?.toBlob((blob) => blob && download(`${id}.png`, blob));

  return (
    <figure className="matrix" data-testid={`matrix-${id}`}>
      <figcaption>
        <strong>{title}</strong>
        <span className="caption">{caption}</span>
      </figcaption>
      <canvas
        ref={canvas}
        width={n * cell}
        height={n * cell}
        onMouseMove={onMove}
        onMouseLeave={() => setHover(null)}
        role="img"
        aria-label={`${title}: ${n} by ${n} similarity matrix, from ${min.toFixed(2)} to ${max.toFixed(2)}`}
      />
      <div className="hover" aria-live="polite" data-testid={`hover-${id}`}>
        {hover ? `${labels[hover.i].slice(0, 40)} ↔ ${labels[hover.j].slice(0, 40)}: ${values[hover.i * n + hover.j].toFixed(4)}` : `range ${min.toFixed(3)} … ${max.toFixed(3)}`}
      </div>
      <div className="buttons">
        <button type="button" onClick={exportPng}>PNG</button>
        <button type="button" onClick={exportCsv}>CSV</button>
      </div>
    </figure>
  );
}
