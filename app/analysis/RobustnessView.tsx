/** Prompt robustness (paper Fig. 4/5): how much each embedding's pair similarities move when the template changes. */
import { useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts';
import { MatrixCanvas } from '../components/MatrixCanvas.tsx';
import { TEMPLATE_IDS, type BuiltinTemplateId } from '../../workers/templates.ts';
import { runRobustness } from './actions.ts';
import { fmt, TemplateChecklist, useRunning, ViewError } from './common.tsx';
import { SERIES_COLORS } from './palette.ts';
import { useAnalysis } from './state.ts';

function spread(values: number[]): { mean: number; std: number; min: number; max: number } {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
  return { mean, std, min: Math.min(...values), max: Math.max(...values) };
}

export function RobustnessView() {
  const result = useAnalysis((s) => s.robustness);
  const running = useRunning('robustness');
  const [templates, setTemplates] = useState<BuiltinTemplateId[]>([...TEMPLATE_IDS]);
  const order = result ? result.templates.map((_, i) => i) : [];
  const caption = result ? `${result.source} · ${result.pairCount} pairs · Spearman between templates’ similarity lists` : '';

  return (
    <section className="panel" aria-label="Prompt robustness" data-testid="view-robustness">
      <h2>Prompt robustness</h2>
      <p className="note">
        For each template, all pair similarities under HS and under RW; then the Spearman correlation between every two templates’ lists (the paper: 0.52 HS–HS, 0.63 RW–RW, 0.51 HS–RW on
        DeepSeekMoE, STS12). With an STS set as the source, each template’s score too.
      </p>
      <div className="controls">
        <TemplateChecklist value={templates} onChange={setTemplates} testId="robust-templates" />
        <button type="button" disabled={running.any || templates.length < 2} onClick={() => void runRobustness(templates)} data-testid="robustness-run">
          Run
        </button>
      </div>
      <ViewError view="robustness" />
      {result && (
        <>
          <p className="note" data-testid="robust-means">
            Mean off-diagonal Spearman: HS–HS {fmt(result.means.hsHs, 3)} · RW–RW {fmt(result.means.rwRw, 3)} · HS–RW {fmt(result.means.hsRw, 3)}
          </p>
          <div className="matrices">
            {(
              [
                ['robust-hs-hs', 'HS–HS', result.hsHs],
                ['robust-rw-rw', 'RW–RW', result.rwRw],
                ['robust-hs-rw', 'HS (rows) – RW (columns)', result.hsRw],
              ] as const
            ).map(([id, title, values]) => (
              <MatrixCanvas key={id} id={id} title={title} settingsLines={[caption]} settings={{ caption }} values={values} labels={result.templates} order={order} scale="diverging" legendName="Spearman, templates’ lists" />
            ))}
          </div>
          {result.scores && (
            <div className="charts">
              <figure data-testid="robust-scores">
                <figcaption>STS Spearman ×100 per template: HS, RW and MoEE sum (α = 1)</figcaption>
                <BarChart width={720} height={300} data={result.scores} margin={{ top: 8, right: 12, bottom: 8, left: 8 }}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="template" interval={0} angle={-25} textAnchor="end" height={70} label={{ value: 'template', position: 'insideBottomRight', offset: 0 }} />
                  <YAxis label={{ value: 'Spearman ×100', angle: -90, position: 'insideLeft', style: { textAnchor: 'middle' } }} />
                  <Tooltip />
                  <Legend itemSorter={null} verticalAlign="top" />
                  {(['hs', 'rw', 'sum'] as const).map((k, i) => (
                    <Bar key={k} dataKey={k} name={k === 'sum' ? 'MoEE sum (α = 1)' : k.toUpperCase()} fill={SERIES_COLORS[i]} isAnimationActive={false} />
                  ))}
                </BarChart>
              </figure>
              <table className="results summary">
                <thead>
                  <tr>
                    <th>across templates</th>
                    <th>mean</th>
                    <th>std</th>
                    <th>min</th>
                    <th>max</th>
                  </tr>
                </thead>
                <tbody>
                  {(['hs', 'rw', 'sum'] as const).map((k) => {
                    const s = spread(result.scores!.map((r) => r[k]));
                    return (
                      <tr key={k}>
                        <th scope="row">{k === 'sum' ? 'MoEE sum' : k.toUpperCase()}</th>
                        <td>{fmt(s.mean)}</td>
                        <td data-testid={`robust-std-${k}`}>{fmt(s.std)}</td>
                        <td>{fmt(s.min)}</td>
                        <td>{fmt(s.max)}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}
