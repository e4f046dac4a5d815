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
            <em>Exact nuclear norm</em> ‖Z‖<sub>*</sub>: the sum of Z’s singular values, a convex stand-in for its rank. The bound Li et al. use ties it to the Frobenius norm:
            ‖Z‖<sub>F</sub> ≤ ‖Z‖<sub>*</sub> ≤ √D·‖Z‖<sub>F</sub>, D = min(N, d), and ‖Z‖<sub>F</sub> = √N here because every row has length 1. The low end means every text lies on one
            line; the high end, texts spread evenly over D orthogonal directions.
          </li>
          <li>
            <em>Nuclear norm L1,2</em> (Li et al., “Large Language Model Evaluation via Matrix Nuclear-Norm”, 2024): the sum of the D longest columns of Z, no SVD. The same argument puts
            it between ‖Z‖<sub>F</sub>·√(D/d) and √D·‖Z‖<sub>F</sub> (the lower end is ‖Z‖<sub>F</sub> once N ≥ d). So the paper’s bound says how far off the approximation <em>can</em> be:
            L1,2 ÷ exact anywhere in the <em>allowed ratio</em> column, up to a factor √D. When N ≥ d, Z is the sum of its columns, each a rank-1 matrix whose nuclear norm is
            its length, so L1,2 is never below ‖Z‖<sub>*</sub> (triangle inequality; the ratio’s lower end is then 1), and equals it only when the columns are orthogonal. Nothing tighter is proved. The measured
            ratio is the only figure for how far off it is on these data.
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
              <th>allowed ratio</th>
              <th>‖Z‖<sub>F</sub> · window of ‖Z‖<sub>*</sub></th>
              <th>matrix entropy</th>
              <th>ms</th>
            </tr>
          </thead>
          <tbody>
            {result.rows.map((r) => {
              // "HS" or "RW (softmax)": the short set name of the test ids
              const set = r.name.split(' ')[0];
              return (
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
                  <td data-testid={`nuclear-ratio-${set}`}>{fmt(r.nuclearL12 / r.exactNuclear, 3)}</td>
                  <td data-testid={`nuclear-allowed-${set}`}>
                    {fmt(r.bounds.ratio.lower, 3)}–{fmt(r.bounds.ratio.upper, 3)}
                  </td>
                  <td data-testid={`nuclear-window-${set}`}>
                    {fmt(r.bounds.frobenius, 3)} · {fmt(r.bounds.exact.lower, 3)}–{fmt(r.bounds.exact.upper, 3)}
                  </td>
                  <td>{fmt(r.entropy, 4)}</td>
                  <td>{fmt(r.entropyMs, 2)}</td>
                </tr>
              );
            })}
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
