/**
 * Re-embeds, debounced, whenever something the embedding depends on changes (not α, RW kind,
 * standardisation or order: those are views of the same result). Renders nothing; it lives in its
 * own component so that typing re-renders only what shows the text.
 */
import { useEffect } from 'react';
import { embedTexts } from '../engine.ts';
import { useStore } from '../store.ts';

/** Typing pauses this long before the texts are embedded again. */
const EMBED_DEBOUNCE_MS = 400;

export function LiveEmbedding() {
  const model = useStore((s) => s.engine.model);
  const text = useStore((s) => s.settings.text);
  const templateId = useStore((s) => s.settings.templateId);
  const customTemplate = useStore((s) => s.settings.customTemplate);
  const useInstruction = useStore((s) => s.settings.useInstruction);
  const instruction = useStore((s) => s.settings.instruction);
  const pooling = useStore((s) => s.settings.pooling);
  const padding = useStore((s) => s.settings.padding);
  const maxTokens = useStore((s) => s.settings.maxTokens);
  useEffect(() => {
    if (!model) return;
    // Say at once that what is shown no longer matches the input (the run starts after the pause).
    if (useStore.getState().engine.status === 'ready') useStore.getState().setEngine({ status: 'embedding', embedProgress: null });
    const timer = setTimeout(() => void embedTexts(), EMBED_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [model, text, templateId, customTemplate, useInstruction, instruction, pooling, padding, maxTokens]);
  return null;
}
