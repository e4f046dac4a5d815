/** Matrix nuclear norm (L1,2 approximation) and matrix entropy of the HS and RW sets, with their cost. */
import { runSpectral } from './actions.ts';
import { fmt, TemplateSelect, useRunning, ViewError } from './common.tsx';
import { useAnalysis } from './state.ts';

export function NuclearView() {
  const result = useAnalysis((s) => s.spectral);
  const running = useRunning('nuclear');
  return (
    <section className="panel" aria-label="Nuclear norm" data-testid="view-nuclear">
      <h2>Matrix nuclear norm and matrix entropy</h2>
      <p className="note">
        Rows centred and scaled to unit length. Nuclear norm (Li et al. 2024): the sum of the min(N, d) largest column norms, no SVD. Exact: the sum of singular values. Entropy: of the
        normalised spectrum of ZᵀZ/N, divided by log d. Times measured in the compute worker.
      </p>
      <div className="controls">
        <TemplateSelect />
        <button type="button" disabled={running.any} onClick={() => void runSpectral()} data-testid="nuclear-run">
          Run
        </button>
      </div>
      <ViewError view="nuclear" />
      {result && (
        <table className="results" data-testid="nuclear-table">
          <thead>
            <tr>
              <th>set</th>
              <th>N × d</th>
              <th>nuclear norm L1,2 (÷N)</th>
              <th>ms</th>
              <th>exact nuclear norm</th>
              <th>ms</th>
              <th>matrix entropy</th>
              <th>ms</th>
            </tr>
          </thead>
          <tbody>
            {result.rows.map((r) => (
              <tr key={r.name}>
                <th scope="row">{r.name}</th>
                <td>
                  {r.rows} × {r.cols}
                </td>
                <td>
                  {fmt(r.nuclearL12, 3)} ({fmt(r.nuclearPerRow, 4)})
                </td>
                <td>{fmt(r.nuclearMs, 2)}</td>
                <td>{fmt(r.exactNuclear, 3)}</td>
                <td>{fmt(r.exactMs, 2)}</td>
                <td>{fmt(r.entropy, 4)}</td>
                <td>{fmt(r.entropyMs, 2)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {result && (
        <p className="note">
          {result.source}, {result.template} template
        </p>
      )}
    </section>
  );
}
