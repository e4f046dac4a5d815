/** 2-D maps of the texts under HS and RW side by side; hovering a point highlights the same text in both. */
import { useEffect, useMemo, useRef, useState } from 'react';
import { runMaps } from './actions.ts';
import { TemplateSelect, useRunning, ViewError } from './common.tsx';
import { SERIES_COLORS } from './palette.ts';
import { useAnalysis } from './state.ts';

const SIZE = 360;
const PAD = 14;
/** Pointer distance (px) within which a point counts as hovered. */
const HOVER_RADIUS = 18;
/** Texts listed beside the maps up to this many (a longer list is no help to find a point). */
const LIST_MAX = 300;

function project(xy: Float64Array): Float64Array {
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < xy.length; i += 2) {
    minX = Math.min(minX, xy[i]);
    maxX = Math.max(maxX, xy[i]);
    minY = Math.min(minY, xy[i + 1]);
    maxY = Math.max(maxY, xy[i + 1]);
  }
  const sx = maxX > minX ? (SIZE - 2 * PAD) / (maxX - minX) : 0;
  const sy = maxY > minY ? (SIZE - 2 * PAD) / (maxY - minY) : 0;
  const out = new Float64Array(xy.length);
  for (let i = 0; i < xy.length; i += 2) {
    out[i] = PAD + (xy[i] - minX) * sx;
    out[i + 1] = SIZE - PAD - (xy[i + 1] - minY) * sy;
  }
  return out;
}

function ScatterCanvas({ id, title, axes, xy, colors, hovered, onHover }: { id: string; title: string; axes: [string, string]; xy: Float64Array; colors: string[]; hovered: number | null; onHover: (i: number | null) => void }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const screen = useMemo(() => project(xy), [xy]);
  useEffect(() => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx) return;
    ctx.clearRect(0, 0, SIZE, SIZE);
    const n = screen.length / 2;
    for (let i = 0; i < n; i++) {
      ctx.globalAlpha = hovered === null || hovered === i ? 0.85 : 0.35;
      ctx.fillStyle = colors[i];
      ctx.beginPath();
      ctx.arc(screen[2 * i], screen[2 * i + 1], 3.5, 0, Math.PI * 2);
      ctx.fill();
    }
    ctx.globalAlpha = 1;
    if (hovered !== null) {
      ctx.strokeStyle = '#000';
      ctx.lineWidth = 2;
      ctx.beginPath();
      ctx.arc(screen[2 * hovered], screen[2 * hovered + 1], 8, 0, Math.PI * 2);
      ctx.stroke();
    }
  }, [screen, colors, hovered]);

  const onMove = (e: React.MouseEvent<HTMLCanvasElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    const x = e.clientX - rect.left;
    const y = e.clientY - rect.top;
    let best: number | null = null;
    let bestD = HOVER_RADIUS ** 2;
    for (let i = 0; i < screen.length / 2; i++) {
      const d = (screen[2 * i] - x) ** 2 + (screen[2 * i + 1] - y) ** 2;
      if (d <= bestD) {
        bestD = d;
        best = i;
      }
    }
    onHover(best);
  };

  return (
    <figure className="map">
      <figcaption>
        <strong>{title}</strong>
      </figcaption>
      <div className="plot">
        <span className="axis-y" data-testid={`map-${id}-y`}>{axes[1]}</span>
        <canvas ref={canvas} width={SIZE} height={SIZE} onMouseMove={onMove} onMouseLeave={() => onHover(null)} data-testid={`map-${id}`} data-hovered={hovered ?? ''} role="img" aria-label={`${title}: ${screen.length / 2} texts; x: ${axes[0]}, y: ${axes[1]}`} />
      </div>
      <div className="axis-x" data-testid={`map-${id}-x`}>{axes[0]}</div>
    </figure>
  );
}

export function MapsView() {
  const result = useAnalysis((s) => s.maps);
  const running = useRunning('maps');
  const [method, setMethod] = useState<'pca' | 'umap'>('pca');
  const [neighbors, setNeighbors] = useState(15);
  const [seed, setSeed] = useState(0);
  const [hovered, setHovered] = useState<number | null>(null);
  const legend = useMemo(() => (result?.labels ? [...new Set(result.labels)] : []), [result]);
  const colors = useMemo(() => {
    if (!result) return [];
    if (!result.labels) return result.texts.map(() => SERIES_COLORS[0]);
    return result.labels.map((l) => SERIES_COLORS[legend.indexOf(l) % SERIES_COLORS.length]);
  }, [result, legend]);
  const variance = (v: number[] | null) => (v ? ` · variance ${v.map((x) => `${(x * 100).toFixed(1)}%`).join(' + ')}` : '');
  // Axis names: principal components with the share of variance each explains, or UMAP's unitless axes.
  const axes = (v: number[] | null): [string, string] => (v ? [`PC1 (${((v[0] ?? 0) * 100).toFixed(1)}% of variance)`, `PC2 (${((v[1] ?? 0) * 100).toFixed(1)}% of variance)`] : ['UMAP 1', 'UMAP 2']);

  return (
    <section className="panel" aria-label="2-D maps" data-testid="view-maps">
      <h2>2-D maps</h2>
      <p className="note">PCA (exact, deterministic signs) or UMAP (umap-js, seeded) of the same texts under HS and RW. Points are coloured by the label column when the source has one.</p>
      <div className="controls">
        <TemplateSelect />
        <label>
          Method{' '}
          <select value={method} onChange={(e) => setMethod(e.target.value as 'pca' | 'umap')} data-testid="map-method">
            <option value="pca">PCA</option>
            <option value="umap">UMAP</option>
          </select>
        </label>
        {method === 'umap' && (
          <label>
            Neighbours <input type="number" min={2} value={neighbors} onChange={(e) => setNeighbors(Math.max(2, Number(e.target.value) || 15))} style={{ width: 60 }} />
          </label>
        )}
        <label>
          Seed <input type="number" value={seed} onChange={(e) => setSeed(Number(e.target.value) || 0)} style={{ width: 60 }} />
        </label>
        <button type="button" disabled={running.any} onClick={() => void runMaps(method, seed, neighbors)} data-testid="maps-run">
          Run
        </button>
      </div>
      <ViewError view="maps" />
      {result && (
        <>
          <p className="note">
            {result.texts.length} texts ({result.source}, {result.template}) · {result.method.toUpperCase()} · {result.maps.ms.toFixed(0)} ms
          </p>
          <div className="maps">
            <ScatterCanvas id="hs" title={`HS${variance(result.maps.hsVariance)}`} axes={axes(result.maps.hsVariance)} xy={result.maps.hs} colors={colors} hovered={hovered} onHover={setHovered} />
            <ScatterCanvas id="rw" title={`RW${variance(result.maps.rwVariance)}`} axes={axes(result.maps.rwVariance)} xy={result.maps.rw} colors={colors} hovered={hovered} onHover={setHovered} />
            {result.texts.length <= LIST_MAX && (
              <ol className="text-links" data-testid="map-texts" onMouseLeave={() => setHovered(null)}>
                {result.texts.map((t, i) => (
                  <li key={i} className={hovered === i ? 'hovered' : ''} onMouseEnter={() => setHovered(i)} data-testid={`map-text-${i}`}>
                    {t}
                  </li>
                ))}
              </ol>
            )}
          </div>
          <p className="hover" data-testid="map-hover" aria-live="polite">
            {hovered !== null ? `${result.labels ? `[${result.labels[hovered]}] ` : ''}${result.texts[hovered]}` : 'Hover a point (the nearest within a few pixels is picked), or a text in the list, to find it in both maps.'}
          </p>
          {legend.length > 0 && (
            <ul className="legend">
              {legend.map((l, i) => (
                <li key={l}>
                  <span className="swatch" style={{ background: SERIES_COLORS[i % SERIES_COLORS.length] }} /> {l}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
