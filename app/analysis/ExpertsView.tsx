/**
 * What an expert does: the layer × expert map of the source's routing (load share or token entropy,
 * dormant experts crossed out), and for the chosen (layer, expert) the tokens and texts routed to it
 * most, with example contexts. Arrow keys move the choice on the map; a click picks a cell.
 */
import { useEffect, useMemo, useRef } from 'react';
import { expertDetail, type ExpertMap } from '../../core/index.ts';
import { viridis } from '../colormap.ts';
import { clearCanvas } from '../canvas.ts';
import { runExperts } from './views-actions.ts';
import { fmt, TemplatePick, useRunning, ViewError } from './common.tsx';
import { useAnalysis, type ExpertsResult } from './state.ts';
import { useViewInputs } from './view-inputs.ts';

const CELL = 26;
const LEFT = 64;
const TOP = 18;
const RIGHT = 70;
const DORMANT_GREY = '#c8c8c8';

/** A token as typed, with its leading space and newlines visible. */
function showToken(token: string): string {
  return token.replace(/^ /, '␣').replace(/\n/g, '⏎');
}

function ExpertMapCanvas({ result, colour, layer, expert, onPick }: { result: ExpertsResult; colour: 'share' | 'entropy'; layer: number; expert: number; onPick: (layer: number, expert: number) => void }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const { map, moeLayers } = result;
  const values = colour === 'share' ? map.share : map.tokenEntropy;
  const high = Math.max(...values) || 1;
  const width = LEFT + map.experts * CELL + RIGHT;
  const height = TOP + map.layers * CELL + 4;
  useEffect(() => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx) return;
    clearCanvas(ctx, width, height);
    for (let l = 0; l < map.layers; l++) {
      ctx.fillStyle = '#333';
      ctx.textAlign = 'right';
      ctx.fillText(`layer ${moeLayers[l]}`, LEFT - 6, TOP + l * CELL + CELL / 2);
      ctx.textAlign = 'left';
      ctx.fillText(`H ${map.loadEntropy[l].toFixed(2)}`, LEFT + map.experts * CELL + 6, TOP + l * CELL + CELL / 2);
      for (let e = 0; e < map.experts; e++) {
        const x = LEFT + e * CELL;
        const y = TOP + l * CELL;
        const cell = l * map.experts + e;
        if (map.dormant[cell]) {
          ctx.fillStyle = DORMANT_GREY;
          ctx.fillRect(x, y, CELL - 1, CELL - 1);
          ctx.strokeStyle = '#666';
          ctx.lineWidth = 1;
          ctx.beginPath();
          ctx.moveTo(x + 5, y + 5);
          ctx.lineTo(x + CELL - 6, y + CELL - 6);
          ctx.moveTo(x + CELL - 6, y + 5);
          ctx.lineTo(x + 5, y + CELL - 6);
          ctx.stroke();
        } else {
          const [r, g, b] = viridis(values[cell] / high);
          ctx.fillStyle = `rgb(${r},${g},${b})`;
          ctx.fillRect(x, y, CELL - 1, CELL - 1);
        }
      }
    }
    ctx.fillStyle = '#333';
    ctx.textAlign = 'center';
    for (let e = 0; e < map.experts; e++) ctx.fillText(String(e), LEFT + e * CELL + CELL / 2, TOP / 2);
    ctx.strokeStyle = '#ff2d55';
    ctx.lineWidth = 2;
    ctx.strokeRect(LEFT + expert * CELL - 1, TOP + layer * CELL - 1, CELL + 1, CELL + 1);
  }, [map, moeLayers, values, high, width, height, layer, expert]);

  const onKey = (e: React.KeyboardEvent) => {
    const moves: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    const move = moves[e.key];
    if (!move) return;
    e.preventDefault();
    onPick(Math.max(0, Math.min(map.layers - 1, layer + move[0])), Math.max(0, Math.min(map.experts - 1, expert + move[1])));
  };
  const onClick = (e: React.MouseEvent<HTMLCanvasElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    const x = ((e.clientX - rect.left) * width) / rect.width - LEFT;
    const y = ((e.clientY - rect.top) * height) / rect.height - TOP;
    const l = Math.floor(y / CELL);
    const ex = Math.floor(x / CELL);
    if (x >= 0 && y >= 0 && l < map.layers && ex < map.experts) onPick(l, ex);
  };
  const dormant = map.dormant.filter(Boolean).length;
  return (
    <figure className="matrix" data-testid="expert-map-figure">
      <figcaption>
        <strong>Layer × expert</strong>{' '}
        <span className="caption">
          colour: {colour === 'share' ? 'share of the layer’s routings' : 'entropy of the tokens routed there (bits)'}, 0 … {high.toFixed(3)} · grey ×: dormant · H: the layer’s load entropy (bits, max{' '}
          {Math.log2(map.experts).toFixed(2)})
        </span>
      </figcaption>
      <canvas
        ref={canvas}
        width={width}
        height={height}
        tabIndex={0}
        role="img"
        aria-label={`Layer × expert map, ${map.layers} layers by ${map.experts} experts, ${dormant} dormant. Arrow keys choose an expert.`}
        onKeyDown={onKey}
        onClick={onClick}
        data-testid="expert-map"
        data-left={LEFT}
        data-top={TOP}
        data-cell={CELL}
      />
    </figure>
  );
}

/** A few tokens either side of a routed token, the token itself marked. */
function Context({ tokens, position }: { tokens: string[]; position: number }) {
  const before = tokens.slice(Math.max(0, position - 4), position).join('');
  const after = tokens.slice(position + 1, position + 5).join('');
  return (
    <span className="context">
      {position > 4 && '…'}
      {before}
      <mark>{tokens[position]}</mark>
      {after}
      {position + 5 < tokens.length && '…'}
    </span>
  );
}

function dormantList(map: ExpertMap, moeLayers: number[]): string {
  const out: string[] = [];
  for (let l = 0; l < map.layers; l++) {
    const experts = Array.from({ length: map.experts }, (_, e) => e).filter((e) => map.dormant[l * map.experts + e]);
    if (experts.length) out.push(`layer ${moeLayers[l]}: ${experts.join(', ')}`);
  }
  return out.join(' · ') || 'none';
}

export function ExpertsView() {
  const result = useAnalysis((s) => s.experts);
  const running = useRunning('experts');
  const template = useViewInputs((s) => s.expertTemplate);
  const colour = useViewInputs((s) => s.expertColour);
  const storedLayer = useViewInputs((s) => s.expertLayer);
  const storedExpert = useViewInputs((s) => s.expertIndex);
  const setInputs = useViewInputs((s) => s.setInputs);
  const layer = result ? Math.min(storedLayer, result.map.layers - 1) : storedLayer;
  const expert = result ? Math.min(storedExpert, result.map.experts - 1) : storedExpert;
  const detail = useMemo(() => (result ? expertDetail(result.routings, layer, expert, result.map.topK, { tokens: 15, texts: 8, examples: 2 }, result.tops) : null), [result, layer, expert]);
  const cell = result ? layer * result.map.experts + expert : 0;

  return (
    <section className="panel" aria-label="What an expert does" data-testid="view-experts">
      <h2>What an expert does</h2>
      <p className="note">
        Every token of every text, routed to its top-k experts in each MoE layer. The map shows how much of a layer’s routing each expert gets (or how many kinds of token it gets: low entropy is a
        specialist); dormant experts are never in any token’s top k on this input. The template’s own tokens are counted too, so “none” (the text in quotes) is the default here.
      </p>
      <div className="controls">
        <TemplatePick value={template} onChange={(v) => setInputs({ expertTemplate: v })} testId="experts-template" />
        <label>
          Colour{' '}
          <select value={colour} onChange={(e) => setInputs({ expertColour: e.target.value as 'share' | 'entropy' })} data-testid="experts-colour">
            <option value="share">load share</option>
            <option value="entropy">token entropy</option>
          </select>
        </label>
        <button type="button" disabled={running.any} onClick={() => void runExperts(template)} data-testid="experts-run">
          Count routings
        </button>
      </div>
      <ViewError view="experts" />
      {result && detail && (
        <>
          <p className="note" data-testid="experts-summary">
            {result.map.textCount} texts, {result.map.tokenCount} tokens ({result.source}, {result.template} template), top-{result.map.topK} of {result.map.experts} experts ·{' '}
            <span data-testid="experts-dormant" data-count={result.map.dormant.filter(Boolean).length}>
              dormant: {dormantList(result.map, result.moeLayers)}
            </span>
          </p>
          <div className="charts">
            <ExpertMapCanvas result={result} colour={colour} layer={layer} expert={expert} onPick={(l, e) => setInputs({ expertLayer: l, expertIndex: e })} />
            <div data-testid="expert-detail" data-layer={layer} data-expert={expert}>
              <h3 data-testid="expert-title">
                Layer {result.moeLayers[layer]}, expert {expert}
              </h3>
              <p className="note" data-testid="expert-stats">
                {result.map.counts[cell]} routings ({fmt(100 * result.map.share[cell], 1)}% of the layer’s) · token entropy {fmt(result.map.tokenEntropy[cell], 3)} bits
                {result.map.dormant[cell] ? ' · dormant on this input' : ''}
              </p>
              {detail.tokens.length > 0 && (
                <table className="results pairs" data-testid="expert-tokens">
                  <caption>Top tokens by share of this expert’s routings</caption>
                  <thead>
                    <tr>
                      <th>token</th>
                      <th>count</th>
                      <th>share</th>
                      <th>of the token’s uses</th>
                      <th>in context</th>
                    </tr>
                  </thead>
                  <tbody>
                    {detail.tokens.map((t) => (
                      <tr key={t.token} data-testid="expert-token-row" data-token={t.token} data-count={t.count}>
                        <td>
                          <code>{showToken(t.token)}</code>
                        </td>
                        <td>{t.count}</td>
                        <td>{fmt(100 * t.share, 1)}%</td>
                        <td>{fmt(100 * t.ofToken, 0)}%</td>
                        <td>
                          {t.examples.map((ex) => (
                            <div key={`${ex.text}:${ex.position}`}>
                              <Context tokens={result.routings[ex.text].tokens} position={ex.position} />
                            </div>
                          ))}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              {detail.texts.length > 0 && (
                <table className="results pairs" data-testid="expert-texts">
                  <caption>Texts with the largest part of their tokens routed here</caption>
                  <thead>
                    <tr>
                      <th>text</th>
                      <th>tokens here</th>
                    </tr>
                  </thead>
                  <tbody>
                    {detail.texts.map((t) => (
                      <tr key={t.text} data-testid="expert-text-row" data-text={t.text} data-count={t.count}>
                        <td>
                          <span className="ci">{t.text + 1}.</span> {result.texts[t.text]}
                        </td>
                        <td>
                          {t.count} / {result.routings[t.text].tokens.length} ({fmt(100 * t.fraction, 0)}%)
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </div>
          </div>
        </>
      )}
    </section>
  );
}
