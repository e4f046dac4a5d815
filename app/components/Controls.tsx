/** Representation, RW kind, standardisation, pooling, order, template, instruction and α: every choice a matrix depends on. */
import { useState } from 'react';
import { deriveAutoAlpha } from '../derive-client.ts';
import { upperTriangle } from '../derive.ts';
import { useStore, type Settings } from '../store.ts';
import type { SimilarityState } from '../use-similarity.ts';
import { embedYardstick } from '../engine.ts';
import { YARDSTICK } from '../../workers/yardstick.ts';
import { CUSTOM_SLOT, isValidCustomTemplate, TEMPLATE_IDS, TEMPLATES, withInstruction } from '../../workers/templates.ts';

/** Auto α needs a few distinct pairs to rank. */
const AUTO_ALPHA_MIN_TEXTS = 3;

export function Controls({ similarity }: { similarity: SimilarityState }) {
  const settings = useStore((s) => s.settings);
  const setSettings = useStore((s) => s.setSettings);
  const referenceStats = useStore((s) => s.engine.referenceStats);
  const firstPrompt = useStore((s) => s.engine.result?.prompts[0] ?? null);
  const [autoAlpha, setAutoAlpha] = useState<{ state: 'running' } | { state: 'done'; alpha: number; score: number } | { state: 'failed'; message: string } | null>(null);
  const set = <K extends keyof Settings>(key: K) => (value: Settings[K]) => setSettings({ [key]: value } as Partial<Settings>);
  const cosines = similarity.cosines;
  const customValid = isValidCustomTemplate(settings.customTemplate);
  const referenceUsable = referenceStats !== null && settings.templateId !== 'custom' && settings.pooling === 'last' && !settings.useInstruction;

  const runAutoAlpha = async () => {
    if (!cosines) return;
    setAutoAlpha({ state: 'running' });
    try {
      const best = await deriveAutoAlpha(upperTriangle(cosines.hs, cosines.n), upperTriangle(cosines.rw, cosines.n));
      setSettings({ alpha: best.alpha });
      setAutoAlpha({ state: 'done', ...best });
    } catch (error) {
      setAutoAlpha({ state: 'failed', message: String(error) });
    }
  };

  return (
    <section className="panel controls-panel" aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      <div className="controls">
        <label>
          View{' '}
          <select value={settings.view} onChange={(e) => set('view')(e.target.value as Settings['view'])} data-testid="view">
            <option value="all">all four</option>
            <option value="hs">HS</option>
            <option value="rw">RW</option>
            <option value="concat">MoEE concat</option>
            <option value="sum">MoEE sum</option>
            <option value="compare">compare: HS − RW</option>
          </select>
        </label>
        <label>
          RW as{' '}
          <select value={settings.rwKind} onChange={(e) => set('rwKind')(e.target.value as Settings['rwKind'])} data-testid="rw-kind">
            <option value="softmax">softmax (paper)</option>
            <option value="logits">logits (reference code)</option>
          </select>
        </label>
        <label>
          Standardise concat by{' '}
          <select value={settings.standardization} onChange={(e) => set('standardization')(e.target.value as Settings['standardization'])} aria-describedby="standardization-note">
            <option value="reference">reference set (works for one text)</option>
            <option value="batch">this batch (paper)</option>
          </select>
        </label>
        <label>
          Pooling{' '}
          <select value={settings.pooling} onChange={(e) => set('pooling')(e.target.value as Settings['pooling'])}>
            <option value="last">last token</option>
            <option value="mean">mean of tokens</option>
          </select>
        </label>
        <label>
          Order{' '}
          <select value={settings.order} onChange={(e) => set('order')(e.target.value as Settings['order'])} data-testid="order">
            <option value="input">as typed</option>
            <option value="cluster">similar together</option>
          </select>
        </label>
        <label>
          Colours{' '}
          <select value={settings.colorScale} onChange={(e) => set('colorScale')(e.target.value as Settings['colorScale'])} data-testid="color-scale">
            <option value="fixed">one fixed scale for all four</option>
            <option value="stretch">stretch each matrix</option>
          </select>
        </label>
      </div>
      <div className="controls">
        <label>
          <input
            type="checkbox"
            checked={settings.yardstick}
            onChange={(e) => {
              set('yardstick')(e.target.checked);
              if (e.target.checked) void embedYardstick();
            }}
            data-testid="yardstick-toggle"
            aria-describedby="yardstick-note"
          />{' '}
          show the yardstick: {YARDSTICK.name}, <em>{YARDSTICK.kind}</em>
        </label>
        <span className="note" id="yardstick-note">
          A sentence-transformers model trained on sentence pairs, beside the training-free MoEE: how far routing and hidden states get without any such training.
          It loads on first use ({(YARDSTICK.bytes / 2 ** 20).toFixed(1)} MiB, 8-bit).
        </span>
      </div>
      {settings.standardization === 'reference' && !referenceUsable && (
        <p className="note" id="standardization-note" data-testid="standardization-note">
          {referenceStats === null
            ? 'This model ships no reference statistics: MoEE concat is standardised by this batch (its caption says so).'
            : 'Reference statistics exist for the built-in templates with last-token pooling and no instruction: this concat uses the batch.'}
        </p>
      )}
      <div className="controls">
        <label>
          Template{' '}
          <select value={settings.templateId} onChange={(e) => set('templateId')(e.target.value as Settings['templateId'])} data-testid="template">
            {TEMPLATE_IDS.map((id) => (
              <option key={id} value={id}>{id}</option>
            ))}
            <option value="custom">custom…</option>
          </select>
        </label>
        {settings.templateId === 'custom' ? (
          <label className="wide">
            Custom template (one {CUSTOM_SLOT} slot){' '}
            <input
              value={settings.customTemplate}
              onChange={(e) => set('customTemplate')(e.target.value)}
              data-testid="custom-template"
              aria-invalid={!customValid}
              aria-describedby="custom-template-note"
            />
          </label>
        ) : (
          <code className="template-text" data-testid="template-text">{TEMPLATES[settings.templateId]}</code>
        )}
      </div>
      {settings.templateId === 'custom' && !customValid && (
        <p className="warning" id="custom-template-note" role="status" data-testid="custom-template-note">
          Put exactly one {CUSTOM_SLOT} where the sentence goes, e.g. <code>This sentence : "{CUSTOM_SLOT}" means in one word:"</code>
        </p>
      )}
      <details className="templates">
        <summary>All templates of the paper (exact text; *sent 0* is the sentence)</summary>
        <dl data-testid="template-list">
          {TEMPLATE_IDS.map((id) => (
            <div key={id}>
              <dt>{id}</dt>
              <dd><code>{TEMPLATES[id]}</code></dd>
            </div>
          ))}
        </dl>
      </details>
      <div className="controls">
        <label>
          <input type="checkbox" checked={settings.useInstruction} onChange={(e) => set('useInstruction')(e.target.checked)} data-testid="use-instruction" /> instruction prefix
          (reference code; off in the paper)
        </label>
        {settings.useInstruction && <input className="wide" value={settings.instruction} onChange={(e) => set('instruction')(e.target.value)} aria-label="Instruction" />}
      </div>
      {settings.useInstruction && <pre className="template-text">{withInstruction('…prompt…', settings.instruction)}</pre>}
      {firstPrompt !== null && (
        <p className="note prompt-preview" data-testid="prompt-preview">
          The model saw, for text 1: <code>{firstPrompt}</code>
        </p>
      )}
      <div className="controls">
        <label>
          α for MoEE sum: <output data-testid="alpha-value">{settings.alpha.toFixed(2)}</output>{' '}
          <input
            type="range"
            min={0}
            max={2}
            step={0.05}
            value={settings.alpha}
            onChange={(e) => {
              set('alpha')(Number(e.target.value));
              setAutoAlpha(null);
            }}
            data-testid="alpha"
            aria-label="α, the weight of RW in MoEE sum"
          />
        </label>
        <button
          type="button"
          disabled={!cosines || cosines.n < AUTO_ALPHA_MIN_TEXTS || autoAlpha?.state === 'running'}
          onClick={() => void runAutoAlpha()}
          title="Label-free: the α in 0.1…1.0 whose sum agrees best in rank with both HS and RW"
          data-testid="auto-alpha"
        >
          auto α
        </button>
      </div>
      <p className="note" role="status" data-testid="auto-alpha-note">
        {autoAlpha?.state === 'running' && 'Searching α…'}
        {autoAlpha?.state === 'done' &&
          `auto α = ${autoAlpha.alpha.toFixed(2)}: the grid value whose MoEE sum keeps the highest rank agreement (Spearman ${autoAlpha.score.toFixed(3)}) with both HS and RW over these ${cosines ? (cosines.n * (cosines.n - 1)) / 2 : 0} pairs; no labels used.`}
        {autoAlpha?.state === 'failed' && `auto α failed: ${autoAlpha.message}`}
        {!autoAlpha && cosines && cosines.n < AUTO_ALPHA_MIN_TEXTS && `auto α needs at least ${AUTO_ALPHA_MIN_TEXTS} texts.`}
      </p>
    </section>
  );
}
