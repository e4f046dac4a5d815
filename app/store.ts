/**
 * One zustand store in slices: `settings` (what the user chose; persisted and shareable by URL) and
 * `engine` (what the worker reported; never persisted). Actions are plain functions on the store so
 * that the engine client can call them outside React.
 */
import { create } from 'zustand';
import { persist, createJSONStorage } from 'zustand/middleware';
import type { Capabilities, EmbedResult, ReferenceStats, EpPreference, LoadProgressEvent, ModelDtype, ModelInfo, PaddingSide, Pooling, RwKind } from '../workers/protocol.ts';
import type { SerializedError } from '../workers/errors.ts';
import type { BuiltinTemplateId } from '../workers/templates.ts';
import type { DownloadPlan, ExecutionProvider, SelfCheck } from '../workers/protocol.ts';
import type { CachedModel } from '../workers/hub.ts';
import type { YardstickResult } from '../workers/yardstick.ts';
import { defaultDtypeOf, EMBEDDED_MODELS, type RequirementReport } from '../models/registry.ts';

export type Representation = 'hs' | 'rw' | 'concat' | 'sum';
export const REPRESENTATIONS: readonly Representation[] = ['hs', 'rw', 'concat', 'sum'];
export type MatrixOrder = 'input' | 'cluster';
/** How the sentences are edited: one per line in a text box, or as a list with add/remove/reorder. */
export type EditorMode = 'lines' | 'list';
/** Expert load over the chosen layer or summed over every MoE layer. */
export type LoadScope = 'layer' | 'all';
/** 'fixed': cosine −1 … 1 (the sum −(1+α) … 1+α) for every matrix; 'stretch': each matrix's own range over the whole map. */
export type ColorScale = 'fixed' | 'stretch';

export interface Settings {
  text: string;
  templateId: BuiltinTemplateId | 'custom';
  customTemplate: string;
  useInstruction: boolean;
  instruction: string;
  view: Representation | 'all' | 'compare';
  rwKind: RwKind;
  /** Standardise MoEE concat by the model's fixed reference set or by the texts on screen (the paper). */
  standardization: 'reference' | 'batch';
  pooling: Pooling;
  padding: PaddingSide;
  alpha: number;
  order: MatrixOrder;
  ep: EpPreference;
  dtype: ModelDtype;
  modelId: string;
  selectedText: number;
  selectedLayer: number;
  maxTokens: number;
  editorMode: EditorMode;
  /** The teaching preset last chosen (its explanation shows while its texts are unchanged). */
  presetId: string | null;
  /** The two texts of the token-level routing comparison. */
  compareA: number;
  compareB: number;
  loadScope: LoadScope;
  /** The matrices' colours: one fixed scale shared by all four, or each stretched over its own off-diagonal range. */
  colorScale: ColorScale;
  /** Show the yardstick (all-MiniLM-L6-v2, trained for similarity) beside the MoEE matrices. */
  yardstick: boolean;
}

export const DEFAULT_SETTINGS: Settings = {
  text: [
    'The meeting starts at 5.30 p.m.',
    'The meeting starts at 17h30.',
    'They narrowly avoided a catastrophe.',
    'They managed to prevent a disaster.',
    'A dog is running across the green field.',
    'The stock market fell sharply on Monday.',
  ].join('\n'),
  templateId: 'prompteol',
  customTemplate: 'This sentence : "{text}" means in one word:"',
  useInstruction: false,
  instruction: 'Represent the sentence for retrieving similar sentences.',
  view: 'all',
  rwKind: 'softmax',
  standardization: 'reference',
  pooling: 'last',
  padding: 'left',
  alpha: 1,
  order: 'input',
  ep: 'auto',
  dtype: 'q4',
  modelId: 'moee-smollm2',
  selectedText: 0,
  selectedLayer: 0,
  maxTokens: 256,
  editorMode: 'lines',
  presetId: null,
  compareA: 0,
  compareB: 1,
  loadScope: 'layer',
  colorScale: 'fixed',
  yardstick: false,
};

export type EngineStatus = 'idle' | 'loading' | 'ready' | 'embedding' | 'error';

export interface EngineState {
  status: EngineStatus;
  loadProgress: LoadProgressEvent | null;
  embedProgress: { done: number; total: number } | null;
  model: ModelInfo | null;
  capabilities: Capabilities | null;
  referenceStats: ReferenceStats | null;
  result: EmbedResult | null;
  /** The texts `result` was computed from (the editor may have moved on). */
  resultTexts: string[];
  error: SerializedError | null;
  /** Something the engine recovered from on its own (e.g. a crashed worker replaced), shown as a note. */
  notice: string | null;
  /** The device self-check of the loaded model (WebGPU against WASM); null before one ran. */
  selfCheck: SelfCheckState | null;
  yardstick: YardstickState;
}

/** The yardstick's run over the editor's texts: loads with its first run, then embeds each new set. */
export interface YardstickState {
  status: 'idle' | 'running' | 'ready' | 'error';
  /** While running: loading its files, then embedding, as the worker reports. */
  progress: { stage: 'load' | 'embed'; fraction: number; message: string } | null;
  result: YardstickResult | null;
  /** The texts `result` was computed from. */
  texts: string[];
  /** Time its last run spent loading the model (0 once loaded). */
  loadMs: number;
  error: SerializedError | null;
}

export const INITIAL_YARDSTICK: YardstickState = { status: 'idle', progress: null, result: null, texts: [], loadMs: 0, error: null };

/** A self-check running, or its outcome for the model it ran on. */
export type SelfCheckState = { status: 'running'; modelId: string } | (SelfCheck & { modelId: string });

/** Where a Hub download stands: checked, refused, agreed to, cancelled. */
export type HubStatus = 'idle' | 'inspecting' | 'planned' | 'refused' | 'downloading' | 'cancelled' | 'failed' | 'loaded';

/** The Hub panel: what the user typed, what the Hub said, what this device can run, the cache. */
export interface HubState {
  /** Transformers.js env.remoteHost: the Hub, a mirror, or (in tests) a local stand-in via `?hubHost=`. */
  remoteHost: string;
  /** A download silent this long fails with DownloadError (`?hubStallMs=`). */
  stallTimeoutMs: number;
  modelId: string;
  dtype: ModelDtype;
  status: HubStatus;
  plan: DownloadPlan | null;
  /** The EP the check assumed, and its verdicts. */
  checkedFor: ExecutionProvider | null;
  requirements: RequirementReport | null;
  error: SerializedError | null;
  cacheName: string | null;
  cached: CachedModel[] | null;
}

export interface Store {
  settings: Settings;
  engine: EngineState;
  hub: HubState;
  setHub(patch: Partial<HubState>): void;
  setSettings(patch: Partial<Settings>): void;
  setEngine(patch: Partial<EngineState>): void;
  resetSettings(): void;
}

const INITIAL_ENGINE: EngineState = {
  status: 'idle',
  loadProgress: null,
  embedProgress: null,
  model: null,
  capabilities: null,
  referenceStats: null,
  result: null,
  resultTexts: [],
  error: null,
  notice: null,
  selfCheck: null,
  yardstick: INITIAL_YARDSTICK,
};

/** The Hub location and stall timeout from the page URL, else the Hub itself and 30 s. */
function initialHub(): HubState {
  const params = typeof location === 'undefined' ? new URLSearchParams() : new URLSearchParams(location.search);
  const stall = Number(params.get('hubStallMs'));
  return {
    remoteHost: params.get('hubHost') ?? 'https://huggingface.co/',
    stallTimeoutMs: Number.isFinite(stall) && stall > 0 ? stall : 30_000,
    modelId: '',
    dtype: 'q4',
    status: 'idle',
    plan: null,
    checkedFor: null,
    requirements: null,
    error: null,
    cacheName: null,
    cached: null,
  };
}

export const useStore = create<Store>()(
  persist(
    (set) => ({
      settings: { ...DEFAULT_SETTINGS, ...readSharedSettings() },
      engine: INITIAL_ENGINE,
      hub: initialHub(),
      setHub: (patch) => set((s) => ({ hub: { ...s.hub, ...patch } })),
      setSettings: (patch) => set((s) => ({ settings: { ...s.settings, ...patch } })),
      setEngine: (patch) => set((s) => ({ engine: { ...s.engine, ...patch } })),
      resetSettings: () => set({ settings: DEFAULT_SETTINGS }),
    }),
    {
      name: 'moee-playground',
      version: 1,
      storage: createJSONStorage(() => localStorage),
      partialize: (s) => ({ settings: s.settings }),
      // A shared URL wins over what this browser remembered.
      merge: (persisted, current) => ({
        ...current,
        settings: { ...DEFAULT_SETTINGS, ...(persisted as Partial<Store>)?.settings, ...readSharedSettings() },
      }),
    },
  ),
);

/** The texts of the editor: one per non-empty line. */
export function textsOf(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}

/** Whether two text lists are the same texts in the same order. */
export function sameTexts(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i]);
}

/** A URL that restores these settings (texts included) in any browser. */
export function shareUrl(settings: Settings): string {
  const url = new URL(location.href);
  url.hash = `s=${encodeURIComponent(JSON.stringify(settings))}`;
  return url.href;
}

/** Drop the shared settings from the address bar once applied, so a later reload keeps later edits. */
export function consumeShareHash(): void {
  if (/[#&]s=/.test(location.hash)) history.replaceState(history.state, '', location.pathname + location.search);
}

function readSharedSettings(): Partial<Settings> {
  if (typeof location === 'undefined') return {};
  return { ...readSharedHash(), ...readModelParam() };
}

/**
 * `?model=<embedded id>` picks an embedded model and its default weights (a link to the small demo
 * model, and how the mechanics tests choose it). An unknown id is ignored, as a bad hash is.
 */
function readModelParam(): Partial<Settings> {
  const id = new URLSearchParams(location.search).get('model');
  const entry = id ? EMBEDDED_MODELS.find((m) => m.id === id) : undefined;
  return entry ? { modelId: entry.id, dtype: defaultDtypeOf(entry) } : {};
}

function readSharedHash(): Partial<Settings> {
  const match = /[#&]s=([^&]+)/.exec(location.hash);
  if (!match) return {};
  try {
    const parsed = JSON.parse(decodeURIComponent(match[1])) as Partial<Settings>;
    // A hand-edited or old link may carry unknown keys or wrong types: keep only what fits.
    const fits = ([key, value]: [string, unknown]) =>
      key in DEFAULT_SETTINGS && (typeof value === typeof DEFAULT_SETTINGS[key as keyof Settings] || (key === 'presetId' && (value === null || typeof value === 'string')));
    return Object.fromEntries(Object.entries(parsed).filter(fits)) as Partial<Settings>;
  } catch {
    return {};
  }
}
