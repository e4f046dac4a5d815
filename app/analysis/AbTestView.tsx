/**
 * Prompt A/B routing: one text under two templates (or two versions of a text under one), and per
 * MoE layer how far the last token's routing distribution moves (Jensen–Shannon divergence), next
 * to how far HS moves (1 − cos). The paper's robustness claim, at the level of a single text.
 */
import { Bar, BarChart, CartesianGrid, Legend, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import { runAbTest } from './views-actions.ts';
import { fmt, TemplatePick, useRunning, ViewError } from './common.tsx';
import { SERIES_COLORS } from './palette.ts';
import { useAnalysis } from './state.ts';
import { useViewInputs } from './view-inputs.ts';

/** Five evenly spaced ticks from 0 to a round number above `max` (divergences here can be 0.0003 or 0.3). */
function niceAxis(max: number): { top: number; ticks: number[]; digits: number } {
  const positive = max > 0 ? max * 1.1 : 1;
  const magnitude = 10 ** Math.floor(Math.log10(positive));
  const step = [0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5].map((m) => m * magnitude).find((s) => 4 * s >= positive) ?? 10 * magnitude;
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + (step / 10 ** Math.floor(Math.log10(step)) === 2.5 ? 1 : 0));
  return { top: 4 * step, ticks: [0, 1, 2, 3, 4].map((i) => i * step), digits };
}

export function AbTestView() {
  const result = useAnalysis((s) => s.abtest);
  const running = useRunning('abtest');
  const inputs = useViewInputs();
  const { setInputs } = inputs;
  const go = () => {
    if (!running.any) void runAbTest({ mode: inputs.abMode, templateA: inputs.abTemplateA, templateB: inputs.abTemplateB, text: inputs.abText, textA: inputs.abTextA, textB: inputs.abTextB, template: inputs.abTemplate });
  };
  const onEnter = (e: React.KeyboardEvent) => e.key === 'Enter' && go();
  const axis = niceAxis(result ? Math.max(result.hsDistance, ...result.jsd) : 1);
  const data = result?.jsd.map((jsd, i) => ({ layer: `layer ${result.moeLayers[i]}`, jsd })) ?? [];

  return (
    <section className="panel" aria-label="Prompt A/B routing" data-testid="view-abtest">
      <h2>Prompt A/B routing</h2>
      <p className="note">
        RW is read at the prompt’s last token. Per MoE layer: the Jensen–Shannon divergence (bits, 0 = the same routing, 1 = disjoint experts) between A’s and B’s router softmax there; the dashed line is
        how far HS moves (1 − cos, 0 … 2). The paper finds RW more robust to the prompt than HS.
      </p>
      <div className="controls" role="radiogroup" aria-label="Compare">
        <label>
          <input type="radio" checked={inputs.abMode === 'templates'} onChange={() => setInputs({ abMode: 'templates' })} data-testid="ab-mode-templates" /> two templates, one text
        </label>
        <label>
          <input type="radio" checked={inputs.abMode === 'texts'} onChange={() => setInputs({ abMode: 'texts' })} data-testid="ab-mode-texts" /> two versions of a text, one template
        </label>
      </div>
      <div className="controls">
        {inputs.abMode === 'templates' ? (
          <>
            <TemplatePick label="A" value={inputs.abTemplateA} onChange={(v) => setInputs({ abTemplateA: v })} testId="ab-template-a" />
            <TemplatePick label="B" value={inputs.abTemplateB} onChange={(v) => setInputs({ abTemplateB: v })} testId="ab-template-b" />
            <label>
              Text <input type="text" size={44} value={inputs.abText} onChange={(e) => setInputs({ abText: e.target.value })} onKeyDown={onEnter} data-testid="ab-text" />
            </label>
          </>
        ) : (
          <>
            <label>
              A <input type="text" size={36} value={inputs.abTextA} onChange={(e) => setInputs({ abTextA: e.target.value })} onKeyDown={onEnter} data-testid="ab-text-a" />
            </label>
            <label>
              B <input type="text" size={36} value={inputs.abTextB} onChange={(e) => setInputs({ abTextB: e.target.value })} onKeyDown={onEnter} data-testid="ab-text-b" />
            </label>
            <TemplatePick label="Template" value={inputs.abTemplate} onChange={(v) => setInputs({ abTemplate: v })} testId="ab-template" />
          </>
        )}
        <button type="button" disabled={running.any} onClick={go} data-testid="ab-run">
          Compare
        </button>
      </div>
      <ViewError view="abtest" />
      {result && (
        <>
          <dl className="prompts" data-testid="ab-prompts">
            <dt>A ({result.mode === 'templates' ? result.labelA : 'text A'})</dt>
            <dd data-testid="ab-prompt-a">{result.promptA}</dd>
            <dt>B ({result.mode === 'templates' ? result.labelB : 'text B'})</dt>
            <dd data-testid="ab-prompt-b">{result.promptB}</dd>
          </dl>
          <div className="charts">
            <figure data-testid="ab-chart">
              <figcaption>RW: Jensen–Shannon divergence per layer (bars) · HS: 1 − cos (dashed)</figcaption>
              <BarChart width={560} height={280} data={data} margin={{ top: 8, right: 16, bottom: 8, left: 8 }}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="layer" />
                <YAxis domain={[0, axis.top]} ticks={axis.ticks} tickFormatter={(v: number) => v.toFixed(axis.digits)} label={{ value: 'bits / 1 − cos', angle: -90, position: 'insideLeft', style: { textAnchor: 'middle' } }} />
                <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(4) : String(v))} />
                <Legend verticalAlign="top" />
                <Bar dataKey="jsd" name="RW: JSD (bits)" fill={SERIES_COLORS[1]} isAnimationActive={false} />
                <ReferenceLine y={result.hsDistance} stroke={SERIES_COLORS[0]} strokeDasharray="6 3" strokeWidth={2} label={{ value: `HS 1 − cos = ${result.hsDistance.toFixed(3)}`, position: 'insideTopRight', fontSize: 11 }} />
              </BarChart>
            </figure>
            <table className="results" data-testid="ab-table">
              <thead>
                <tr>
                  <th>layer</th>
                  <th>JSD (bits)</th>
                  <th>top-{result.topK} experts shared</th>
                </tr>
              </thead>
              <tbody>
                {result.jsd.map((jsd, i) => (
                  <tr key={i}>
                    <th scope="row">{result.moeLayers[i]}</th>
                    <td data-testid={`ab-jsd-${i}`}>{fmt(jsd, 4)}</td>
                    <td data-testid={`ab-shared-${i}`}>
                      {result.sharedTopK[i]} / {result.topK}
                    </td>
                  </tr>
                ))}
                <tr>
                  <th scope="row">HS, 1 − cos</th>
                  <td data-testid="ab-hs-distance">{fmt(result.hsDistance, 4)}</td>
                  <td />
                </tr>
                <tr>
                  <th scope="row">RW (all layers), 1 − cos</th>
                  <td data-testid="ab-rw-distance">{fmt(result.rwDistance, 4)}</td>
                  <td />
                </tr>
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
