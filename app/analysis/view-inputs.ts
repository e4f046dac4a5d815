/**
 * What the user typed or chose in the neighbours, expert and A/B views: persisted in localStorage
 * (as the playground's settings are, app/store.ts) so that a reload keeps the query and the choices.
 * Results are not persisted: they hold typed arrays and belong to this page's model.
 */
import { create } from 'zustand';
import { persist, createJSONStorage } from 'zustand/middleware';
import type { BuiltinTemplateId } from '../../workers/templates.ts';

export interface ViewInputs {
  neighbourQuery: string;
  neighbourK: number;
  /** The expert map's cell: an index into the tapped MoE layers, and an expert. */
  expertLayer: number;
  expertIndex: number;
  /** Colour the expert map by load share or by token entropy. */
  expertColour: 'share' | 'entropy';
  /** The expert view embeds with its own template: 'none' keeps a long template's tokens from dominating the counts. */
  expertTemplate: BuiltinTemplateId;
  abMode: 'templates' | 'texts';
  abTemplateA: BuiltinTemplateId;
  abTemplateB: BuiltinTemplateId;
  /** Templates mode: the one text; texts mode: version A and B under `abTemplate`. */
  abText: string;
  abTextA: string;
  abTextB: string;
  abTemplate: BuiltinTemplateId;
}

const DEFAULT_VIEW_INPUTS: ViewInputs = {
  neighbourQuery: 'The meeting begins at half past five.',
  neighbourK: 5,
  expertLayer: 0,
  expertIndex: 0,
  expertColour: 'share',
  expertTemplate: 'none',
  abMode: 'templates',
  abTemplateA: 'prompteol',
  abTemplateB: 'sentiment',
  abText: 'They narrowly avoided a catastrophe.',
  abTextA: 'They narrowly avoided a catastrophe.',
  abTextB: 'They managed to prevent a disaster.',
  abTemplate: 'prompteol',
};

export const useViewInputs = create<ViewInputs & { setInputs(patch: Partial<ViewInputs>): void }>()(
  persist(
    (set) => ({ ...DEFAULT_VIEW_INPUTS, setInputs: (patch) => set(patch) }),
    {
      name: 'moee-analysis-views',
      version: 1,
      storage: createJSONStorage(() => localStorage),
      partialize: ({ setInputs: _, ...inputs }) => inputs,
      // Keep only known keys with the right types (an old or hand-edited entry must not break the page).
      merge: (persisted, current) => {
        const fits = ([key, value]: [string, unknown]) => key in DEFAULT_VIEW_INPUTS && typeof value === typeof DEFAULT_VIEW_INPUTS[key as keyof ViewInputs];
        return { ...current, ...Object.fromEntries(Object.entries((persisted ?? {}) as Record<string, unknown>).filter(fits)) };
      },
    },
  ),
);
