/**
 * The yardstick beside the MoEE matrices: all-MiniLM-L6-v2, a sentence embedder trained for
 * similarity (workers/yardstick.ts), on the same texts, in the same order and on the same colour
 * scale. It is a reference for the training-free MoEE, and every label says which is which.
 */
import { memo, useEffect, useState } from 'react';
import { deriveCosine } from '../derive-client.ts';
import { sameTexts, useStore } from '../store.ts';
import { YARDSTICK } from '../../workers/yardstick.ts';
import { MatrixCanvas, type ColourDomain } from './MatrixCanvas.tsx';

const TITLE = `${YARDSTICK.name} (${YARDSTICK.kind})`;

interface Props {
  /** The texts the MoEE matrices show, and their display order. */
  texts: string[];
  order: number[];
  domain: ColourDomain | undefined;
  orderLine: string;
}

export const YardstickMatrix = memo(function YardstickMatrix({ texts, order, domain, orderLine }: Props) {
  const state = useStore((s) => s.engine.yardstick);
  const [cosines, setCosines] = useState<{ values: Float32Array; from: Float32Array } | null>(null);
  const result = state.result;
  const current = result !== null && sameTexts(state.texts, texts);

  useEffect(() => {
    if (!result) return;
    let live = true;
    const { data, dims } = result.embeddings;
    void deriveCosine({ data, rows: dims[0], cols: dims[1] }).then((values) => live && setCosines({ values, from: data }));
    return () => {
      live = false;
    };
  }, [result]);

  const status =
    state.status === 'running'
      ? state.progress?.message ?? `Starting ${YARDSTICK.name}…`
      : state.status === 'error'
        ? `${YARDSTICK.name} failed: ${state.error?.name}: ${state.error?.message}`
        : null;
  const shown = current && cosines?.from === result.embeddings.data;

  return (
    <>
      {shown ? (
        <MatrixCanvas
          id="yardstick"
          title={TITLE}
          settingsLines={[
            'a trained reference, not MoEE: sentence-transformers, fine-tuned on sentence pairs for similarity',
            'the raw texts (no template) · mean of tokens, normalised',
            `${YARDSTICK.modelId} · ${result.dtype === 'q8' ? '8-bit (dynamic int8)' : 'fp32'} on WASM · Transformers.js feature-extraction`,
            orderLine,
          ]}
          settings={{ representation: 'yardstick', modelId: result.modelId, dtype: result.dtype, ep: 'wasm', pooling: 'mean', normalized: true, template: null }}
          values={cosines.values}
          labels={texts}
          order={order}
          scale="sequential"
          legendName="cosine"
          domain={domain && { ...domain, label: 'fixed −1 … 1, the same scale as the MoEE matrices' }}
        />
      ) : (
        <figure className="matrix" aria-busy={state.status === 'running'} data-testid="yardstick-pending">
          <figcaption>
            <strong>{TITLE}</strong>
            <span className="caption">{status ?? 'waiting for the MoEE run to finish…'}</span>
          </figcaption>
        </figure>
      )}
      {status && shown && (
        <p className="note" role="status" data-testid="yardstick-status">
          {status}
        </p>
      )}
      {state.status === 'error' && !shown && (
        <p className="warning" role="alert" data-testid="yardstick-error">
          {status}
        </p>
      )}
    </>
  );
});
