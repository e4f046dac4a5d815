/**
 * Expert routing: layers × experts for one text's last token (router probabilities, top-k cells
 * outlined), tokens × experts for a chosen layer, a token-level comparison of two texts (where
 * their top-k expert choices diverge), and the expert load over all texts (recharts).
 */
import { memo, useEffect, useMemo, useRef, useState } from 'react';
import { Bar, BarChart, CartesianGrid, Tooltip, XAxis, YAxis, type XAxisTickContentProps, type YAxisTickContentProps } from 'recharts';
import { viridis } from '../colormap.ts';
import { clearCanvas } from '../canvas.ts';
import { alignTokens, expertLoad, layerSlice, overlap, tableCsv, topKIndices, topKMarks } from '../derive.ts';
import { downloadPng, downloadSvgPng, downloadText } from '../download.ts';
import { useStore, type Settings } from '../store.ts';
import type { EmbedResult } from '../../workers/protocol.ts';
import { staggered } from '../stagger.ts';
import { ExportButtons } from './ExportButtons.tsx';
import { dtypeLabel } from '../../models/dtypes.ts';

const CELL = 22;
const LABEL_PX = 96;
const AXIS_PX = 16;
/** The outline of a top-k cell; tests look for this exact colour. */
const TOP_K_COLOUR = '#ff2d55';

/** A token as a label, with spaces and line breaks made visible (the raw form, shown in the hover). */
const tokenLabel = (t: string) => t.replaceAll(' ', '␣').replaceAll('\n', '⏎').replaceAll('\t', '⇥');

/**
 * A token as a reader sees it: tokenizer markers (byte-level BPE's Ġ/Ċ, SentencePiece's ▁) and the
 * leading space dropped, a line break as ⏎; a token that is only white space stays visible as ␣.
 */
const readableToken = (t: string) => {
  const text = t.replaceAll('Ġ', ' ').replaceAll('▁', ' ').replaceAll('Ċ', '\n').replaceAll('\n', '⏎').replaceAll('\t', '⇥').trim();
  return text === '' ? '␣' : text;
};

/** How a routing heatmap maps probabilities to colour. */
export type RoutingScale = 'probability' | 'log' | 'row';

/** Probabilities below this are drawn as this on the log scale (10⁻⁴ … 1, four decades). */
const LOG_FLOOR = 1e-4;

const SCALE_CAPTION: Record<RoutingScale, string> = {
  probability: 'colour: router probability, linear 0 (dark) … 1 (yellow)',
  log: 'colour: router probability, log scale 10⁻⁴ (dark) … 1 (yellow)',
  row: 'colour: router probability, per row: each row’s lowest (dark) … highest (yellow)',
};

/** Colour position 0..1 of every cell under a scale (per-row needs each row's range). */
function colourPositions(values: ArrayLike<number>, rows: number, cols: number, scale: RoutingScale): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let c = 0; c < cols; c++) {
      lo = Math.min(lo, values[r * cols + c]);
      hi = Math.max(hi, values[r * cols + c]);
    }
    for (let c = 0; c < cols; c++) {
      const v = values[r * cols + c];
      out[r * cols + c] = scale === 'probability' ? v : scale === 'log' ? (Math.log10(Math.max(v, LOG_FLOOR)) - Math.log10(LOG_FLOOR)) / -Math.log10(LOG_FLOOR) : hi > lo ? (v - lo) / (hi - lo) : 0.5;
    }
  }
  return out;
}

/** Arrow keys move a cell cursor within rows × cols; Escape clears it. Shared by the routing canvases. */
function moveCursor(key: string, cursor: { r: number; c: number } | null, rows: number, cols: number): { r: number; c: number } | null | undefined {
  const moves: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
  if (key === 'Escape') return null;
  const move = moves[key];
  if (!move || rows === 0 || cols === 0) return undefined;
  if (!cursor) return { r: 0, c: 0 };
  return { r: Math.max(0, Math.min(rows - 1, cursor.r + move[0])), c: Math.max(0, Math.min(cols - 1, cursor.c + move[1])) };
}

const Heatmap = staggered(memo(function Heatmap({ rows, cols, values, marks, rowLabels, rawLabels, colLabel, label, testId, exportName, header }: {
  rows: number;
  cols: number;
  values: ArrayLike<number>;
  marks: boolean[];
  rowLabels: string[];
  /** The raw tokenizer form of each row label (tokens), shown in the hover; null when labels are not tokens. */
  rawLabels: string[] | null;
  colLabel: string;
  label: string;
  testId: string;
  exportName: string;
  /** Title and settings, drawn into the PNG. */
  header: string[];
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [hover, setHover] = useState<{ r: number; c: number } | null>(null);
  const [cursor, setCursor] = useState<{ r: number; c: number } | null>(null);
  const [scale, setScale] = useState<RoutingScale>('probability');
  const positions = useMemo(() => colourPositions(values, rows, cols, scale), [values, rows, cols, scale]);
  const mark = cursor ?? hover;
  const width = LABEL_PX + cols * CELL;
  const height = rows * CELL + AXIS_PX;
  useEffect(() => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx) return;
    clearCanvas(ctx, width, height);
    for (let r = 0; r < rows; r++) {
      ctx.fillStyle = '#333';
      ctx.fillText(rowLabels[r].slice(0, 14), 2, r * CELL + CELL / 2);
      for (let c = 0; c < cols; c++) {
        const [red, g, b] = viridis(positions[r * cols + c]);
        ctx.fillStyle = `rgb(${red},${g},${b})`;
        ctx.fillRect(LABEL_PX + c * CELL, r * CELL, CELL - 1, CELL - 1);
        if (marks[r * cols + c]) {
          ctx.strokeStyle = TOP_K_COLOUR;
          ctx.lineWidth = 2;
          ctx.strokeRect(LABEL_PX + c * CELL + 1, r * CELL + 1, CELL - 3, CELL - 3);
        }
      }
    }
    ctx.fillStyle = '#333';
    ctx.textAlign = 'center';
    for (let c = 0; c < cols; c++) ctx.fillText(String(c), LABEL_PX + c * CELL + CELL / 2, rows * CELL + AXIS_PX / 2);
    ctx.textAlign = 'left';
    if (mark) {
      ctx.strokeStyle = '#fff';
      ctx.lineWidth = 2;
      ctx.setLineDash([3, 2]);
      ctx.strokeRect(LABEL_PX + mark.c * CELL - 1, mark.r * CELL - 1, CELL + 1, CELL + 1);
      ctx.setLineDash([]);
    }
  }, [rows, cols, positions, marks, rowLabels, width, height, mark]);
  const at = (e: React.MouseEvent<HTMLCanvasElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    const c = Math.floor((((e.clientX - rect.left) * width) / rect.width - LABEL_PX) / CELL);
    const r = Math.floor(((e.clientY - rect.top) * height) / rect.height / CELL);
    return r >= 0 && c >= 0 && r < rows && c < cols ? { r, c } : null;
  };
  const colLabels = Array.from({ length: cols }, (_, c) => `${colLabel} ${c}`);
  const onKey = (e: React.KeyboardEvent<HTMLCanvasElement>) => {
    const next = moveCursor(e.key, cursor, rows, cols);
    if (next === undefined) return;
    e.preventDefault();
    setCursor(next);
  };
  const describe = ({ r, c }: { r: number; c: number }) =>
    `${rowLabels[r]}${rawLabels ? ` (token ${JSON.stringify(rawLabels[r])})` : ''}, ${colLabel} ${c}: ${Number(values[r * cols + c]).toFixed(4)}${marks[r * cols + c] ? ' (top-k)' : ''}`;
  return (
    <div className="heatmap">
      <label className="scale-choice">
        Colour scale{' '}
        <select value={scale} onChange={(e) => setScale(e.target.value as RoutingScale)} data-testid={`${testId}-scale`}>
          <option value="probability">probability (linear)</option>
          <option value="log">log probability</option>
          <option value="row">per row</option>
        </select>
      </label>
      <div className="caption" data-testid={`${testId}-caption`}>
        {SCALE_CAPTION[scale]}
      </div>
      <div className="scroll">
        <canvas
          ref={canvas}
          width={width}
          height={height}
          role="img"
          aria-label={label}
          data-testid={testId}
          data-left={LABEL_PX}
          data-cell={CELL}
          data-rows={rows}
          data-cols={cols}
          data-scale={scale}
          tabIndex={0}
          aria-describedby={`${testId}-readout`}
          onKeyDown={onKey}
          onBlur={() => setCursor(null)}
          onMouseMove={(e) => setHover(at(e))}
          onMouseLeave={() => setHover(null)}
        />
      </div>
      <div className="hover" aria-live="polite" id={`${testId}-readout`} data-testid={`${testId}-readout`}>
        {mark ? describe(mark) : 'hover, or focus and use the arrow keys, for values'}
      </div>
      <ExportButtons
        name={header[0]}
        onPng={() => canvas.current && downloadPng(`${exportName}.png`, canvas.current, header)}
        onCsv={() => downloadText(`${exportName}.csv`, tableCsv(values, rowLabels, colLabels))}
        onJson={() =>
          downloadText(
            `${exportName}.json`,
            JSON.stringify({ title: header, rows: rowLabels, columns: colLabels, values: rowLabels.map((_, r) => Array.from({ length: cols }, (_, c) => values[r * cols + c])), topK: rowLabels.map((_, r) => colLabels.filter((_, c) => marks[r * cols + c])) }, null, 1),
          )
        }
      />
    </div>
  );
}));

export const RoutingView = staggered(memo(function RoutingView({ result, texts, topK, moeLayers }: { result: EmbedResult; texts: string[]; topK: number; moeLayers: number[] }) {
  const selectedText = useStore((s) => s.settings.selectedText);
  const selectedLayer = useStore((s) => s.settings.selectedLayer);
  const setSettings = useStore((s) => s.setSettings);
  const [n, layers, experts] = result.rwSoftmax.dims;
  const text = Math.min(selectedText, n - 1);
  const layer = Math.min(selectedLayer, layers - 1);
  const lastToken = result.rwSoftmax.data.subarray(text * layers * experts, (text + 1) * layers * experts);
  const routing = result.tokenRouting?.[text] ?? null;
  const tokenValues = useMemo(() => (routing ? layerSlice(routing.probs, routing.dims[0], layers, experts, layer) : null), [routing, layers, experts, layer]);
  const tokenMarks = useMemo(() => (routing && tokenValues ? topKMarks(tokenValues, routing.dims[0], experts, topK) : []), [routing, tokenValues, experts, topK]);
  const tokenLabels = useMemo(() => routing?.tokens.map(readableToken) ?? [], [routing]);
  const rawTokens = useMemo(() => routing?.tokens.map(tokenLabel) ?? null, [routing]);
  const o = result.options;
  const settingsLine = `${o.template.id} template · ${dtypeLabel(result.dtype)} on ${result.ep.toUpperCase()} · top-${topK} outlined`;
  const layerLabels = useMemo(() => moeLayers.map((l) => `layer ${l}`), [moeLayers]);
  const lastTokenMarks = useMemo(() => topKMarks(lastToken, layers, experts, topK), [lastToken, layers, experts, topK]);

  return (
    <section className="routing" aria-labelledby="routing-title">
      <h2 id="routing-title">Expert routing</h2>
      <div className="controls">
        <TextPicker label="Text" texts={texts} value={text} onChange={(i) => setSettings({ selectedText: i })} testId="routing-text" />
        <label>
          Layer{' '}
          <select value={layer} onChange={(e) => setSettings({ selectedLayer: Number(e.target.value) })} data-testid="routing-layer">
            {moeLayers.map((l, i) => (
              <option key={l} value={i}>{`layer ${l}`}</option>
            ))}
          </select>
        </label>
      </div>
      <h3>Text {text + 1}, last token: layers × experts (router probability; top-{topK} outlined)</h3>
      <Heatmap
        rows={layers}
        cols={experts}
        values={lastToken}
        marks={lastTokenMarks}
        rowLabels={layerLabels}
        rawLabels={null}
        colLabel="expert"
        label={`Routing of text ${text + 1} at its last token: ${layers} layers by ${experts} experts, top-${topK} per layer: ${topKIndices(lastToken, layers, experts, topK).map((set, l) => `${layerLabels[l]} experts ${set.join(' and ')}`).join('; ')}`}
        testId="heatmap-last-token"
        exportName={`moee-routing-last-token-text${text + 1}`}
        header={[`Routing at the last token, text ${text + 1}: ${texts[text]?.slice(0, 60) ?? ''}`, settingsLine]}
      />
      {routing && tokenValues ? (
        <>
          <h3>Text {text + 1}, every token: tokens × experts, layer {moeLayers[layer]}</h3>
          <Heatmap
            rows={routing.dims[0]}
            cols={experts}
            values={tokenValues}
            marks={tokenMarks}
            rowLabels={tokenLabels}
            rawLabels={rawTokens}
            colLabel="expert"
            label={`Routing of every token of text ${text + 1} in layer ${moeLayers[layer]}: ${routing.dims[0]} tokens by ${experts} experts`}
            testId="heatmap-tokens"
            exportName={`moee-routing-tokens-text${text + 1}-layer${moeLayers[layer]}`}
            header={[`Routing of every token, text ${text + 1}, layer ${moeLayers[layer]}`, settingsLine]}
          />
        </>
      ) : (
        <p className="note">Per-token routing is computed for up to 64 texts; with more, only the last token of each text is shown.</p>
      )}
      {result.tokenRouting && n >= 1 && <TokenComparison result={result} texts={texts} topK={topK} moeLayers={moeLayers} settingsLine={settingsLine} />}
      <ExpertLoad result={result} topK={topK} moeLayers={moeLayers} layer={layer} settingsLine={settingsLine} />
    </section>
  );
}));

interface ComparedRow {
  a: number | null;
  b: number | null;
  label: [string, string];
  /** Per layer: the top-k experts of each side (empty for a gap) and how many they share. */
  layers: { a: number[]; b: number[]; shared: number }[];
}

/** Where two texts' expert choices diverge, token by token (aligned by their common tokens), in every layer. */
const TokenComparison = staggered(memo(function TokenComparison({ result, texts, topK, moeLayers, settingsLine }: { result: EmbedResult; texts: string[]; topK: number; moeLayers: number[]; settingsLine: string }) {
  const compareA = useStore((s) => s.settings.compareA);
  const compareB = useStore((s) => s.settings.compareB);
  const setSettings = useStore((s) => s.setSettings);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [hover, setHover] = useState<number | null>(null);
  const [cursor, setCursor] = useState<number | null>(null);
  const [, layers, experts] = result.rwSoftmax.dims;
  const n = texts.length;
  const a = Math.min(compareA, n - 1);
  const b = Math.min(compareB, n - 1);
  const routing = result.tokenRouting!;

  const rows = useMemo<ComparedRow[]>(() => {
    const ra = routing[a];
    const rb = routing[b];
    if (!ra || !rb) return [];
    const sets = (r: typeof ra) => Array.from({ length: layers }, (_, l) => topKIndices(layerSlice(r.probs, r.dims[0], layers, experts, l), r.dims[0], experts, topK));
    const setsA = sets(ra);
    const setsB = sets(rb);
    return alignTokens(ra.tokens, rb.tokens).map(([i, j]) => ({
      a: i,
      b: j,
      label: [i === null ? '—' : readableToken(ra.tokens[i]), j === null ? '—' : readableToken(rb.tokens[j])],
      layers: Array.from({ length: layers }, (_, l) => {
        const sa = i === null ? [] : setsA[l][i];
        const sb = j === null ? [] : setsB[l][j];
        return { a: sa, b: sb, shared: overlap(sa, sb) };
      }),
    }));
  }, [routing, a, b, layers, experts, topK]);

  const matched = rows.filter((r) => r.a !== null && r.b !== null);
  const diverging = matched.reduce((count, r) => count + r.layers.filter((l) => l.shared < topK).length, 0);
  const last = rows[rows.length - 1];
  const lastDiverging = last && last.a !== null && last.b !== null ? last.layers.flatMap((l, i) => (l.shared < topK ? [moeLayers[i]] : [])) : [];
  const colW = 34;
  const labelW = 84;
  const width = 2 * labelW + layers * colW;
  const rowH = 18;
  const height = (rows.length + 1) * rowH;

  useEffect(() => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx) return;
    clearCanvas(ctx, width, height);
    ctx.fillStyle = '#333';
    ctx.fillText(`text ${a + 1}`, 2, rowH / 2);
    ctx.fillText(`text ${b + 1}`, labelW + 2, rowH / 2);
    ctx.textAlign = 'center';
    moeLayers.forEach((l, i) => ctx.fillText(`L${l}`, 2 * labelW + i * colW + colW / 2, rowH / 2));
    rows.forEach((row, r) => {
      const y = (r + 1) * rowH;
      ctx.textAlign = 'left';
      ctx.fillStyle = row.a === null || row.b === null ? '#999' : '#333';
      ctx.fillText(row.label[0].slice(0, 13), 2, y + rowH / 2);
      ctx.fillText(row.label[1].slice(0, 13), labelW + 2, y + rowH / 2);
      ctx.textAlign = 'center';
      row.layers.forEach((cell, l) => {
        const gap = row.a === null || row.b === null;
        // Pale where the top-k sets agree, orange where one expert differs, red where none is shared.
        ctx.fillStyle = gap ? '#f2f2f2' : cell.shared === topK ? '#e3f1e6' : cell.shared === 0 ? '#d7301f' : '#fdae61';
        ctx.fillRect(2 * labelW + l * colW, y, colW - 1, rowH - 1);
        ctx.fillStyle = !gap && cell.shared === 0 ? '#fff' : '#333';
        ctx.fillText(gap ? '—' : `${cell.shared}/${topK}`, 2 * labelW + l * colW + colW / 2, y + rowH / 2);
      });
    });
    ctx.textAlign = 'left';
  }, [rows, width, height, a, b, moeLayers, topK]);

  const onMove = (e: React.MouseEvent<HTMLCanvasElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    const r = Math.floor(((e.clientY - rect.top) * height) / rect.height / rowH) - 1;
    setHover(r >= 0 && r < rows.length ? r : null);
  };
  const describe = (row: ComparedRow) =>
    `${row.label[0]} | ${row.label[1]}: ` + row.layers.map((l, i) => `L${moeLayers[i]} ${l.a.join(',') || '—'} vs ${l.b.join(',') || '—'}`).join('; ');
  const name = `Token-level routing comparison of texts ${a + 1} and ${b + 1}`;
  const pick = (key: keyof Pick<Settings, 'compareA' | 'compareB'>, label: string, value: number) => (
    <TextPicker label={label} texts={texts} value={value} onChange={(i) => setSettings({ [key]: i })} testId={key} />
  );

  return (
    <div className="comparison" data-testid="token-comparison">
      <h3>Two texts, token by token: where do their top-{topK} experts differ?</h3>
      <div className="controls">
        {pick('compareA', 'Text A', a)}
        {pick('compareB', 'Text B', b)}
      </div>
      <p className="note">
        Tokens are aligned where both texts have the same token (the template’s words line up; “—” marks a token only one text has). Each cell counts the experts both
        texts chose at that token in that layer: {topK}/{topK} pale (same choice), orange (partly), red (none shared).
      </p>
      <p data-testid="compare-summary" data-diverging={diverging} data-matched={matched.length}>
        {matched.length} aligned tokens × {layers} layers: the expert choice differs in {diverging} of {matched.length * layers}.{' '}
        {last && last.a !== null && last.b !== null && (lastDiverging.length ? `At the last token (RW’s token) it differs in layer${lastDiverging.length > 1 ? 's' : ''} ${lastDiverging.join(', ')}.` : 'At the last token (RW’s token) every layer picks the same experts.')}
      </p>
      <div className="scroll">
        <canvas
          ref={canvas}
          width={width}
          height={height}
          role="img"
          aria-label={`${name}: ${diverging} of ${matched.length * layers} aligned token-layers differ. Up and down arrows read the rows.`}
          tabIndex={0}
          aria-describedby="comparison-readout"
          onKeyDown={(e) => {
            const next = moveCursor(e.key, cursor === null ? null : { r: cursor, c: 0 }, rows.length, 1);
            if (next === undefined) return;
            e.preventDefault();
            setCursor(next && next.r);
          }}
          onBlur={() => setCursor(null)}
          onMouseMove={onMove}
          onMouseLeave={() => setHover(null)}
          data-testid="comparison-canvas"
        />
      </div>
      <div className="hover" aria-live="polite" id="comparison-readout" data-testid="comparison-readout">
        {(cursor ?? hover) !== null && rows[(cursor ?? hover)!] ? describe(rows[(cursor ?? hover)!]) : 'hover a row, or focus and use the up and down arrows, for both texts’ experts per layer'}
      </div>
      <ExportButtons
        name={name}
        onPng={() => canvas.current && downloadPng(`moee-routing-compare-${a + 1}-${b + 1}.png`, canvas.current, [name, settingsLine])}
        onCsv={() =>
          downloadText(
            `moee-routing-compare-${a + 1}-${b + 1}.csv`,
            ['token A,token B,' + moeLayers.map((l) => `shared L${l}`).join(',') + ',' + moeLayers.map((l) => `A L${l},B L${l}`).join(',')]
              .concat(rows.map((r) => [JSON.stringify(r.label[0]), JSON.stringify(r.label[1]), ...r.layers.map((l) => (r.a === null || r.b === null ? '' : String(l.shared))), ...r.layers.flatMap((l) => [`"${l.a.join(' ')}"`, `"${l.b.join(' ')}"`])].join(',')))
              .join('\n') + '\n',
          )
        }
        onJson={() => downloadText(`moee-routing-compare-${a + 1}-${b + 1}.json`, JSON.stringify({ texts: [texts[a], texts[b]], topK, moeLayers, rows }, null, 1))}
      />
    </div>
  );
}));

/** Up to this many texts a picker is a select listing them all; beyond, a number box. */
const PICKER_LIST_MAX = 50;

/**
 * Pick one text by number. A select of 500 options is slow to scan and, three of them, made every
 * new result cost ~1,500 DOM nodes to update and lay out; past PICKER_LIST_MAX texts a number box
 * with the chosen text beside it does the job.
 */
function TextPicker({ label, texts, value, onChange, testId }: { label: string; texts: string[]; value: number; onChange: (index: number) => void; testId: string }) {
  if (texts.length <= PICKER_LIST_MAX) {
    return (
      <label className="text-picker">
        {label}{' '}
        <select value={value} onChange={(e) => onChange(Number(e.target.value))} data-testid={testId}>
          {texts.map((t, i) => (
            <option key={i} value={i}>{`${i + 1}. ${t.slice(0, 50)}`}</option>
          ))}
        </select>
      </label>
    );
  }
  return (
    <label className="text-picker">
      {label}{' '}
      <input
        type="number"
        min={1}
        max={texts.length}
        value={value + 1}
        onChange={(e) => {
          const n = Math.round(Number(e.target.value));
          if (Number.isFinite(n) && n >= 1 && n <= texts.length) onChange(n - 1);
        }}
        data-testid={testId}
        aria-describedby={`${testId}-text`}
      />{' '}
      <span className="note" id={`${testId}-text`}>of {texts.length}: {texts[value]?.slice(0, 50)}</span>
    </label>
  );
}

const CHART_HEIGHT = 220;
// Module constants, not literals in JSX: recharts 3 copies axis and chart props into its own store
// from effects, so a fresh object on every render meant a store update and a second render per result.
const CHART_MARGIN = { top: 8, right: 8, bottom: 18, left: 12 };
const X_LABEL = { value: 'expert', position: 'insideBottom', offset: -10 } as const;
const Y_LABEL = { value: 'top-k picks', angle: -90, position: 'insideLeft', offset: 0, style: { textAnchor: 'middle' } } as const;

/**
 * Axis numbers as plain SVG text. recharts' default tick wraps its text, measuring every word in a
 * hidden DOM node (a forced layout each), which was a third of the chart's time on a new result.
 */
const XTick = ({ x, y, payload }: XAxisTickContentProps) => (
  <text x={x} y={y} dy="0.71em" textAnchor="middle" fill="#666" fontSize={12}>
    {String(payload.value)}
  </text>
);
const YTick = ({ x, y, payload }: YAxisTickContentProps) => (
  <text x={x} y={y} dy="0.32em" textAnchor="end" fill="#666" fontSize={12}>
    {String(payload.value)}
  </text>
);

/** The element's content width, kept current by a ResizeObserver (0 until first measured). */
function useElementWidth(ref: React.RefObject<HTMLElement | null>): number {
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => setWidth(Math.floor(entry.contentRect.width)));
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
  return width;
}

/** How often each expert is in the top-k, over all texts: every token when available, else last tokens. */
const ExpertLoad = staggered(memo(function ExpertLoad({ result, topK, moeLayers, layer, settingsLine }: { result: EmbedResult; topK: number; moeLayers: number[]; layer: number; settingsLine: string }) {
  const scope = useStore((s) => s.settings.loadScope);
  const setSettings = useStore((s) => s.setSettings);
  const chart = useRef<HTMLDivElement>(null);
  const width = useElementWidth(chart);
  const [n, layers, experts] = result.rwSoftmax.dims;
  const basis = result.tokenRouting ? 'every token' : 'the last token';
  const layerList = scope === 'all' ? Array.from({ length: layers }, (_, l) => l) : [layer];
  const counts = useMemo(() => {
    const out = new Array<number>(experts).fill(0);
    for (const l of layerList) {
      if (result.tokenRouting) for (const r of result.tokenRouting) expertLoad(layerSlice(r.probs, r.dims[0], layers, experts, l), r.dims[0], experts, topK, out);
      else for (let t = 0; t < n; t++) expertLoad(result.rwSoftmax.data.subarray((t * layers + l) * experts, (t * layers + l + 1) * experts), 1, experts, topK, out);
    }
    return out;
    // layerList is derived from scope, layer and layers.
  }, [result, scope, layer, layers, experts, topK, n]);
  const data = useMemo(() => counts.map((count, e) => ({ expert: String(e), count })), [counts]);
  const where = scope === 'all' ? `all ${layers} MoE layers` : `layer ${moeLayers[layer]}`;
  const title = `Expert load, ${where}: top-${topK} picks at ${basis} of all ${n} texts`;
  return (
    <div className="expert-load">
      <h3>{title}</h3>
      <div className="controls">
        <label>
          Layers{' '}
          <select value={scope} onChange={(e) => setSettings({ loadScope: e.target.value as Settings['loadScope'] })} data-testid="load-scope">
            <option value="layer">the chosen layer</option>
            <option value="all">all layers together</option>
          </select>
        </label>
      </div>
      <div ref={chart} style={{ width: '100%', height: CHART_HEIGHT }} data-testid="expert-load" role="img" aria-label={`${title}: ${data.map((d) => `expert ${d.expert} ${d.count}`).join(', ')}`}>
        {/* Sized by our own observer, ticks at every category and a fixed axis width: recharts then
            measures no text and no container per update, which was half of its time on a new result. */}
        {width > 0 && (
          <BarChart width={width} height={CHART_HEIGHT} data={data} margin={CHART_MARGIN}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="expert" interval={0} label={X_LABEL} tick={XTick} />
            <YAxis allowDecimals={false} width={48} label={Y_LABEL} tick={YTick} />
            <Tooltip isAnimationActive={false} />
            <Bar dataKey="count" name="times in top-k" fill="#21918c" isAnimationActive={false} />
          </BarChart>
        )}
      </div>
      <ExportButtons
        name={title}
        onPng={() => {
          const svg = chart.current?.querySelector('svg');
          if (svg) downloadSvgPng(`moee-expert-load.png`, svg, [title, settingsLine]);
        }}
        onCsv={() => downloadText('moee-expert-load.csv', 'expert,count\n' + data.map((d) => `${d.expert},${d.count}`).join('\n') + '\n')}
        onJson={() => downloadText('moee-expert-load.json', JSON.stringify({ title, scope, layers: layerList.map((l) => moeLayers[l]), basis, topK, counts }, null, 1))}
      />
    </div>
  );
}));
