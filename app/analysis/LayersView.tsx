/** Which MoE layers' routing carries the similarity signal: per-layer RW Spearman and RW from a chosen subset. */
import { useState } from 'react';
import { Bar, BarChart, CartesianGrid, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import { useStore } from '../store.ts';
import { runLayers } from './actions.ts';
import { fmt, TemplateSelect, useRunning, ViewError } from './common.tsx';
import { SERIES_COLORS } from './palette.ts';
import { useAnalysis } from './state.ts';

export function LayersView() {
  const result = useAnalysis((s) => s.layers);
  const dataset = useAnalysis((s) => s.dataset);
  const source = useAnalysis((s) => s.source);
  const model = useStore((s) => s.engine.model);
  const running = useRunning('layers');
  const layerCount = model?.moeLayers.length ?? 0;
  const [chosen, setChosen] = useState<number[] | null>(null);
  const picked = chosen ?? Array.from({ length: layerCount }, (_, i) => i);
  const ready = dataset?.pairs && source === 'dataset';
  const allChosen = result !== null && result.chosen.length === result.perLayer.length;

  return (
    <section className="panel" aria-label="Layers" data-testid="view-layers">
      <h2>Layers</h2>
      <p className="note">Spearman ×100 of RW built from each MoE layer’s router alone, and from the layers you tick, on the uploaded STS set.</p>
      {!ready && <p className="warning">Choose an uploaded STS set as the source above.</p>}
      <div className="controls">
        <TemplateSelect />
        <fieldset className="checklist" data-testid="layer-choice">
          <legend>RW from layers</legend>
          {model?.moeLayers.map((layer, i) => (
            <label key={layer}>
              <input type="checkbox" checked={picked.includes(i)} onChange={(e) => setChosen(e.target.checked ? [...picked, i].sort((a, b) => a - b) : picked.filter((x) => x !== i))} data-testid={`layer-${i}`} />
              {layer}
            </label>
          ))}
        </fieldset>
        <button type="button" disabled={!ready || running.any} onClick={() => void runLayers(picked)} data-testid="layers-run">
          Run
        </button>
      </div>
      <ViewError view="layers" />
      {result && (
        <>
          {allChosen && <p className="note">Every layer is ticked, so RW from the ticked layers is RW from all layers: one column.</p>}
          <table className="results" data-testid="layers-table">
            <thead>
              <tr>
                <th>HS</th>
                <th>RW, all layers</th>
                {!allChosen && <th>RW, layers {result.chosen.map((i) => result.moeLayers[i]).join(', ') || '—'}</th>}
                {result.perLayer.map((_, i) => (
                  <th key={i}>layer {result.moeLayers[i]}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              <tr>
                <td>{fmt(result.hs)}</td>
                <td>{fmt(result.all)}</td>
                {!allChosen && <td data-testid="layers-subset">{result.subset === null ? '—' : fmt(result.subset)}</td>}
                {result.perLayer.map((v, i) => (
                  <td key={i} data-testid={`layer-score-${i}`}>
                    {fmt(v)}
                  </td>
                ))}
              </tr>
            </tbody>
          </table>
          <figure data-testid="layers-chart">
          <figcaption>RW from one MoE layer’s router: Spearman ×100 per layer (line: all layers)</figcaption>
          <BarChart width={560} height={260} data={result.perLayer.map((v, i) => ({ layer: `layer ${result.moeLayers[i]}`, spearman: v }))} margin={{ top: 8, right: 12, bottom: 16, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="layer" label={{ value: 'MoE layer', position: 'insideBottom', offset: -4 }} />
            <YAxis label={{ value: 'Spearman ×100', angle: -90, position: 'insideLeft', style: { textAnchor: 'middle' } }} />
            <Tooltip />
            <ReferenceLine y={result.all} stroke={SERIES_COLORS[1]} label="all layers" />
            <Bar dataKey="spearman" name="Spearman ×100" fill={SERIES_COLORS[0]} isAnimationActive={false} />
          </BarChart>
          </figure>
        </>
      )}
    </section>
  );
}
