/** Nearest neighbours: one query's top k under HS, RW, MoEE concat and MoEE sum side by side, and where the rankings differ. */
import { NEIGHBOUR_REPRESENTATIONS, type NeighbourRepresentation } from '../../core/index.ts';
import { runNeighbours } from './views-actions.ts';
import { fmt, TemplateSelect, useRunning, ViewError } from './common.tsx';
import { useAnalysis } from './state.ts';
import { useViewInputs } from './view-inputs.ts';

const REP_SHORT: Record<NeighbourRepresentation, string> = { hs: 'HS', rw: 'RW', concat: 'MoEE concat', sum: 'MoEE sum' };

export function NeighboursView() {
  const result = useAnalysis((s) => s.neighbours);
  const running = useRunning('neighbours');
  const query = useViewInputs((s) => s.neighbourQuery);
  const k = useViewInputs((s) => s.neighbourK);
  const setInputs = useViewInputs((s) => s.setInputs);
  const go = () => {
    if (!running.any) void runNeighbours(query, k);
  };

  return (
    <section className="panel" aria-label="Nearest neighbours" data-testid="view-neighbours">
      <h2>Nearest neighbours</h2>
      <p className="note">
        The k texts most similar to a query under each representation, over the playground’s texts or an uploaded list (one text per line; thousands are fine: the corpus is embedded once and
        scored in blocks in the compute worker). A highlighted row is in no other representation’s top k; the small numbers are its rank under the others.
      </p>
      <div className="controls">
        <label className="query">
          Query{' '}
          <input
            type="text"
            size={48}
            value={query}
            onChange={(e) => setInputs({ neighbourQuery: e.target.value })}
            onKeyDown={(e) => e.key === 'Enter' && go()}
            aria-describedby="nn-keys"
            data-testid="nn-query"
          />
        </label>
        <label>
          k{' '}
          <input type="number" min={1} max={100} value={k} onChange={(e) => setInputs({ neighbourK: Math.max(1, Math.min(100, Math.round(Number(e.target.value)) || 1)) })} data-testid="nn-k" />
        </label>
        <TemplateSelect />
        <button type="button" disabled={running.any} onClick={go} data-testid="nn-run">
          Search
        </button>
        <span className="note" id="nn-keys">
          Enter searches.
        </span>
      </div>
      <ViewError view="neighbours" />
      {result && (
        <>
          <p className="note" data-testid="nn-summary">
            “{result.query}” among {result.texts.length} texts ({result.source}) · {result.template} template · RW {result.rwKind} · MoEE concat z-scored by{' '}
            {result.concatStats === 'reference' ? 'the reference set' : 'this corpus'} · MoEE sum α = {result.alpha.toFixed(2)}
          </p>
          <div className="neighbours">
            {result.columns.map((column) => (
              <table key={column.representation} className="results neighbours-column" data-testid={`nn-col-${column.representation}`}>
                <caption>
                  {REP_SHORT[column.representation]}{' '}
                  <span className="ci" data-testid={`nn-only-${column.representation}`}>
                    {column.onlyHere.length} of {column.indices.length} only here
                  </span>
                </caption>
                <thead>
                  <tr>
                    <th>#</th>
                    <th>text</th>
                    <th>score</th>
                    <th>rank elsewhere</th>
                  </tr>
                </thead>
                <tbody>
                  {column.indices.map((index, i) => {
                    const only = column.onlyHere.includes(index);
                    return (
                      <tr key={index} className={only ? 'only-here' : ''} data-testid={`nn-row-${column.representation}`} data-index={index} data-only={only}>
                        <td>{i + 1}</td>
                        <td className="text" title={result.texts[index]}>
                          <span className="ci">{index + 1}.</span> {result.texts[index]}
                        </td>
                        <td data-testid="nn-score">{fmt(column.scores[i], 4)}</td>
                        <td className="ci">
                          {NEIGHBOUR_REPRESENTATIONS.filter((r) => r !== column.representation)
                            .map((r) => `${REP_SHORT[r].replace('MoEE ', '')} ${column.ranksElsewhere[r][i]}`)
                            .join(' · ')}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            ))}
          </div>
          <table className="results" data-testid="nn-overlap">
            <caption>Texts two top-{result.k} lists share</caption>
            <thead>
              <tr>
                <th />
                {NEIGHBOUR_REPRESENTATIONS.map((r) => (
                  <th key={r}>{REP_SHORT[r]}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {NEIGHBOUR_REPRESENTATIONS.map((a) => (
                <tr key={a}>
                  <th scope="row">{REP_SHORT[a]}</th>
                  {NEIGHBOUR_REPRESENTATIONS.map((b) => (
                    <td key={b} data-testid={`nn-overlap-${a}-${b}`}>
                      {result.overlap[a][b]}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
