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
      <div className="note reading-guide" data-testid="nuclear-guide">
        <strong>How to read these numbers.</strong> Z is the N × d set, rows centred and scaled to length 1.
        <ul>
          <li>
            <em>Exact nuclear norm</em> ‖Z‖<sub>*</sub>: the sum of Z’s singular values, a convex stand-in for its rank. Between 1 (every text on one line) and √(min(N, d))·√N (the rows spread
            evenly over min(N, d) directions).
          </li>
          <li>
            <em>Nuclear norm L1,2</em> (Li et al., “Large Language Model Evaluation via Matrix Nuclear-Norm”, 2024): the sum of the min(N, d) largest column lengths, no SVD. Z is the sum of its
            columns, each a rank-1 matrix whose nuclear norm is its length, so the full sum of column lengths is never below ‖Z‖<sub>*</sub> (triangle inequality) and never above √d·‖Z‖<sub>*</sub>;
            it equals ‖Z‖<sub>*</sub> only when the columns are orthogonal. These bounds hold for the full sum, which is what L1,2 is when N ≥ d; with fewer texts than dimensions only the
            N longest columns count, and L1,2 can then fall below ‖Z‖<sub>*</sub> too. The ratio column says how far apart they are on these data.
          </li>
          <li>
            <em>Matrix entropy</em>: the entropy of the normalised spectrum of ZᵀZ/N divided by log d, from 0 (one direction) to 1 (all d equally).
          </li>
          <li>
            Which way is better: for one model over the same texts, Li et al. read a <em>lower</em> value as stronger compression (it falls as models grow); for comparing HS with RW here, a
            higher value means the texts spread over more directions (less redundant), which is neither good nor bad alone — compare with the Benchmark.
          </li>
        </ul>
      </div>
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
              <th>L1,2 ÷ exact</th>
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
                <td data-testid={`nuclear-ratio-${r.name.split(' ')[0]}`}>{fmt(r.nuclearL12 / r.exactNuclear, 3)}</td>
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
