/**
 * Expert routing: layers × experts for one text's last token (router probabilities, top-k cells
 * outlined), tokens × experts for a chosen layer, and the expert load over all texts (recharts).
 */
import { useEffect, useRef } from 'react';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { viridis } from '../colormap.ts';
import type { EmbedResult } from '../../workers/protocol.ts';

const CELL = 22;

function Heatmap({ rows, cols, values, marks, rowLabels, label, testId }: {
  rows: number;
  cols: number;
  values: ArrayLike<number>;
  marks: boolean[];
  rowLabels: string[];
  label: string;
  testId: string;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const left = 90;
  useEffect(() => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx) return;
    ctx.clearRect(0, 0, left + cols * CELL, rows * CELL + 16);
    ctx.font = '11px system-ui, sans-serif';
    for (let r = 0; r < rows; r++) {
      ctx.fillStyle = '#333';
      ctx.fillText(rowLabels[r].slice(0, 12), 2, r * CELL + 15);
      for (let c = 0; c < cols; c++) {
        const [red, g, b] = viridis(values[r * cols + c]);
        ctx.fillStyle = `rgb(${red},${g},${b})`;
        ctx.fillRect(left + c * CELL, r * CELL, CELL - 1, CELL - 1);
        if (marks[r * cols + c]) {
          ctx.strokeStyle = '#ff2d55';
          ctx.lineWidth = 2;
          ctx.strokeRect(left + c * CELL + 1, r * CELL + 1, CELL - 3, CELL - 3);
        }
      }
    }
    ctx.fillStyle = '#333';
    for (let c = 0; c < cols; c++) ctx.fillText(String(c), left + c * CELL + 5, rows * CELL + 12);
  }, [rows, cols, values, marks, rowLabels]);
  return <canvas ref={canvas} width={left + cols * CELL} height={rows * CELL + 16} role="img" aria-label={label} data-testid={testId} />;
}

/** Whether each cell is among its row's k largest. */
function topKMarks(values: ArrayLike<number>, rows: number, cols: number, k: number): boolean[] {
  const marks = new Array<boolean>(rows * cols).fill(false);
  for (let r = 0; r < rows; r++) {
    const idx = Array.from({ length: cols }, (_, c) => c).sort((a, b) => values[r * cols + b] - values[r * cols + a]);
    for (const c of idx.slice(0, k)) marks[r * cols + c] = true;
  }
  return marks;
}

export function RoutingView({ result, texts, topK, moeLayers, selectedText, selectedLayer, onSelect }: {
  result: EmbedResult;
  texts: string[];
  topK: number;
  moeLayers: number[];
  selectedText: number;
  selectedLayer: number;
  onSelect: (patch: { selectedText?: number; selectedLayer?: number }) => void;
}) {
  const [n, layers, experts] = result.rwSoftmax.dims;
  const text = Math.min(selectedText, n - 1);
  const layer = Math.min(selectedLayer, layers - 1);
  const lastToken = result.rwSoftmax.data.subarray(text * layers * experts, (text + 1) * layers * experts);
  const routing = result.tokenRouting?.[text] ?? null;
  const tokenValues = routing ? Float32Array.from({ length: routing.dims[0] * experts }, (_, i) => routing.probs[(Math.floor(i / experts) * layers + layer) * experts + (i % experts)]) : null;
  const load = Array.from({ length: experts }, (_, e) => ({ expert: String(e), tokens: 0 }));
  for (const r of result.tokenRouting ?? []) {
    const marks = topKMarks(Float32Array.from({ length: r.dims[0] * experts }, (_, i) => r.probs[(Math.floor(i / experts) * layers + layer) * experts + (i % experts)]), r.dims[0], experts, topK);
    marks.forEach((m, i) => m && load[i % experts].tokens++);
  }
  return (
    <section className="routing" aria-labelledby="routing-title">
      <h2 id="routing-title">Expert routing</h2>
      <div className="controls">
        <label>
          Text{' '}
          <select value={text} onChange={(e) => onSelect({ selectedText: Number(e.target.value) })}>
            {texts.map((t, i) => (
              <option key={i} value={i}>{`${i + 1}. ${t.slice(0, 50)}`}</option>
            ))}
          </select>
        </label>
        <label>
          Layer{' '}
          <select value={layer} onChange={(e) => onSelect({ selectedLayer: Number(e.target.value) })}>
            {moeLayers.map((l, i) => (
              <option key={l} value={i}>{`layer ${l}`}</option>
            ))}
          </select>
        </label>
      </div>
      <h3>Last token: layers × experts (router probability; top-{topK} outlined)</h3>
      <Heatmap rows={layers} cols={experts} values={lastToken} marks={topKMarks(lastToken, layers, experts, topK)} rowLabels={moeLayers.map((l) => `layer ${l}`)} label={`Routing of text ${text + 1} at its last token`} testId="heatmap-last-token" />
      {routing && tokenValues ? (
        <>
          <h3>Every token: tokens × experts, layer {moeLayers[layer]}</h3>
          <Heatmap rows={routing.dims[0]} cols={experts} values={tokenValues} marks={topKMarks(tokenValues, routing.dims[0], experts, topK)} rowLabels={routing.tokens.map((t) => JSON.stringify(t))} label={`Routing of every token of text ${text + 1} in layer ${moeLayers[layer]}`} testId="heatmap-tokens" />
          <h3>Expert load, layer {moeLayers[layer]} (tokens routed to each expert, all texts)</h3>
          <div style={{ width: '100%', height: 200 }} data-testid="expert-load">
            <ResponsiveContainer>
              <BarChart data={load}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="expert" label={{ value: 'expert', position: 'insideBottom', offset: -2 }} />
                <YAxis allowDecimals={false} />
                <Tooltip />
                <Bar dataKey="tokens" fill="#21918c" isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          </div>
        </>
      ) : (
        <p className="note">Per-token routing is computed for up to 64 texts.</p>
      )}
    </section>
  );
}
