/**
 * The sentences: one per line in a text box, or a list with add / remove / reorder. Each embedded
 * text shows the model's PromptEOL "one word" and any truncation; oversized input says so in place.
 */
import { memo, useEffect, useRef, useState } from 'react';
import { TOKEN_ROUTING_MAX_TEXTS } from '../engine.ts';
import { PRESETS, presetSwitches } from '../presets.ts';
import { staggered } from '../stagger.ts';
import { textsOf, useStore } from '../store.ts';
import { MAX_TEXTS_PER_REQUEST, type EmbedResult } from '../../workers/protocol.ts';

/** Embedded texts listed at first; laying out all of a 500-text list at once stalls the main thread. */
const LIST_FIRST_ITEMS = 100;
/** A text this long is far past the token limit: warn before the engine cuts it. */
const LONG_TEXT_CHARS = 2000;

export function TextEditor() {
  const text = useStore((s) => s.settings.text);
  const mode = useStore((s) => s.settings.editorMode);
  const presetId = useStore((s) => s.settings.presetId);
  const maxTokens = useStore((s) => s.settings.maxTokens);
  const setSettings = useStore((s) => s.setSettings);
  const texts = textsOf(text);
  // What the last preset changed in the view controls, said beside its explanation.
  const [switched, setSwitched] = useState<string | null>(null);
  const preset = PRESETS.find((p) => p.id === presetId) ?? null;
  const longest = texts.reduce((best, t, i) => (t.length > (texts[best]?.length ?? 0) ? i : best), 0);

  return (
    <section className="panel editor" aria-labelledby="texts-title">
      <h2 id="texts-title">
        Sentences <span className="count" data-testid="text-count">({texts.length})</span>
      </h2>
      <div className="controls">
        <label>
          Preset{' '}
          <select
            value=""
            onChange={(e) => {
              const chosen = PRESETS.find((p) => p.id === e.target.value);
              if (!chosen) return;
              const { view, order, templateId } = useStore.getState().settings;
              setSwitched(presetSwitches(chosen, { view, order, templateId }));
              setSettings({ text: chosen.texts.join('\n'), presetId: chosen.id, ...chosen.view });
            }}
            data-testid="preset"
          >
            <option value="">choose a teaching set…</option>
            {PRESETS.map((p) => (
              <option key={p.id} value={p.id}>{p.title}</option>
            ))}
          </select>
        </label>
        <fieldset className="segmented">
          <legend className="visually-hidden">Edit sentences as</legend>
          {(['lines', 'list'] as const).map((m) => (
            <label key={m}>
              <input type="radio" name="editor-mode" value={m} checked={mode === m} onChange={() => setSettings({ editorMode: m })} data-testid={`editor-${m}`} />
              {m === 'lines' ? 'one per line' : 'list'}
            </label>
          ))}
        </fieldset>
      </div>
      {preset && (
        <div className="preset-note" role="note" data-testid="preset-explanation">
          <strong>{preset.title}.</strong> {preset.explanation}
          {switched && <span className="switched" data-testid="preset-switched"> This preset {switched}.</span>}
          {text !== preset.texts.join('\n') && <em> (You have edited its texts.)</em>}{' '}
          <button type="button" className="link" onClick={() => setSettings({ presetId: null })} aria-label="Hide the preset explanation">
            hide
          </button>
        </div>
      )}
      {mode === 'lines' ? (
        <textarea
          value={text}
          onChange={(e) => setSettings({ text: e.target.value })}
          rows={10}
          spellCheck={false}
          aria-label="Sentences, one per line"
          data-testid="texts"
        />
      ) : (
        <ListEditor text={text} onChange={(next) => setSettings({ text: next })} />
      )}
      <InputMessages count={texts.length} longest={texts.length ? texts[longest].length : 0} longestIndex={longest} maxTokens={maxTokens} onKeepFirst={() => setSettings({ text: texts.slice(0, MAX_TEXTS_PER_REQUEST).join('\n') })} />
      <EmbeddedTexts />
    </section>
  );
}

function InputMessages({ count, longest, longestIndex, maxTokens, onKeepFirst }: { count: number; longest: number; longestIndex: number; maxTokens: number; onKeepFirst: () => void }) {
  return (
    <div aria-live="polite">
      {count === 0 && (
        <p className="warning" data-testid="empty-note">
          No sentences yet: type at least one (one per line, or add one in the list) to see its embeddings. Empty lines are skipped.
        </p>
      )}
      {count > MAX_TEXTS_PER_REQUEST && (
        <p className="warning" data-testid="too-many-note">
          {count.toLocaleString('en')} sentences is more than one run takes ({MAX_TEXTS_PER_REQUEST.toLocaleString('en')}); nothing was sent.{' '}
          <button type="button" onClick={onKeepFirst}>Keep the first {MAX_TEXTS_PER_REQUEST.toLocaleString('en')}</button>
        </p>
      )}
      {count > TOKEN_ROUTING_MAX_TEXTS && count <= MAX_TEXTS_PER_REQUEST && (
        <p className="note" data-testid="many-note">
          {count.toLocaleString('en')} sentences: each matrix cell is a pixel or two (hover, or focus a matrix and use the arrow keys, to read values); per-token routing
          is only computed up to {TOKEN_ROUTING_MAX_TEXTS} texts, so the routing view shows last tokens.
        </p>
      )}
      {longest > LONG_TEXT_CHARS && (
        <p className="note" data-testid="long-note">
          Text {longestIndex + 1} has {longest.toLocaleString('en')} characters; the model reads at most {maxTokens} tokens per prompt, so its end is cut (the template
          stays whole) and it is marked “truncated” below.
        </p>
      )}
    </div>
  );
}

function ListEditor({ text, onChange }: { text: string; onChange: (text: string) => void }) {
  const lines = text.split('\n');
  const [focus, setFocus] = useState<number | null>(null);
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => {
    if (focus === null) return;
    list.current?.querySelectorAll<HTMLInputElement>('input')[focus]?.focus();
    setFocus(null);
  }, [focus]);
  const commit = (next: string[], focusAt?: number) => {
    onChange(next.join('\n'));
    if (focusAt !== undefined) setFocus(focusAt);
  };
  const move = (i: number, by: number) => {
    const next = [...lines];
    [next[i], next[i + by]] = [next[i + by], next[i]];
    commit(next);
  };
  return (
    <div className="list-editor">
      <ol ref={list} data-testid="text-items">
        {lines.map((line, i) => (
          <li key={i}>
            <input
              value={line}
              onChange={(e) => commit(lines.map((l, j) => (j === i ? e.target.value : l)))}
              onKeyDown={(e) => {
                // Enter adds a sentence after this one, as in a text box.
                if (e.key === 'Enter') {
                  e.preventDefault();
                  commit([...lines.slice(0, i + 1), '', ...lines.slice(i + 1)], i + 1);
                }
              }}
              aria-label={`Sentence ${i + 1}`}
              placeholder="type a sentence"
            />
            <button type="button" onClick={() => move(i, -1)} disabled={i === 0} aria-label={`Move sentence ${i + 1} up`}>↑</button>
            <button type="button" onClick={() => move(i, 1)} disabled={i === lines.length - 1} aria-label={`Move sentence ${i + 1} down`}>↓</button>
            <button type="button" onClick={() => commit(lines.filter((_, j) => j !== i), Math.max(0, i - 1))} aria-label={`Remove sentence ${i + 1}`}>✕</button>
          </li>
        ))}
      </ol>
      <button
        type="button"
        // An empty last item is reused rather than stacking blanks.
        onClick={() => (lines[lines.length - 1] === '' ? setFocus(lines.length - 1) : commit([...lines, ''], lines.length))}
        data-testid="add-text"
      >
        + Add sentence
      </button>
    </div>
  );
}

/** The texts of the current result, each with its "one word" (the top next token after the prompt). */
const EmbeddedTexts = memo(function EmbeddedTexts() {
  const result = useStore((s) => s.engine.result);
  const resultTexts = useStore((s) => s.engine.resultTexts);
  return <EmbeddedTextList result={result} resultTexts={resultTexts} />;
});

/** The list itself, drawn in a task of its own (stagger.ts): 100 items and their layout are not free. */
const EmbeddedTextList = staggered(function EmbeddedTextList({ result, resultTexts }: { result: EmbedResult | null; resultTexts: string[] }) {
  const [limit, setLimit] = useState(LIST_FIRST_ITEMS);
  if (!result) return null;
  const top = result.nextTokens[0]?.length ?? 0;
  const shown = resultTexts.slice(0, limit);
  return (
    <>
      <h3 id="one-word-title">
        Embedded texts and their “one word” <span className="note">(the model’s most likely next token after the prompt; PromptEOL)</span>
      </h3>
      <ol className="text-list" data-testid="text-list" data-count={resultTexts.length} aria-labelledby="one-word-title">
        {shown.map((t, i) => {
          const words = result.nextTokens[i] ?? [];
          const alternatives = words.map((w, k) => `${JSON.stringify(w)} ${(100 * result.nextTokenProbs[i * top + k]).toFixed(1)}%`).join(', ');
          return (
            <li key={i}>
              <span className="text">{t.length > 80 ? `${t.slice(0, 80)}…` : t}</span>{' '}
              <span className="one-word" title={`Top next tokens: ${alternatives}`} data-testid="one-word">
                → “{words[0]?.trim() || words[0] || ''}” <span className="note">{(100 * result.nextTokenProbs[i * top]).toFixed(0)}%</span>
              </span>
              {result.truncated[i] && <span className="badge" data-testid="truncated">truncated to {result.tokenCounts[i]} tokens</span>}
            </li>
          );
        })}
      </ol>
      {resultTexts.length > shown.length && (
        <button type="button" onClick={() => setLimit(Infinity)} data-testid="show-all-texts">
          Show all {resultTexts.length} (first {shown.length} shown)
        </button>
      )}
    </>
  );
});
