/**
 * Reader for the HF reference tensors of models/build/goldens.py (goldens.json + goldens.bin).
 */
import { readFloat32, readInt32, type TensorEntry } from './tensor-file.ts';

export interface GoldenCaseFile {
  template: 'none' | 'prompteol';
  padding: 'left' | 'right';
  prompts: string[];
  input_ids: TensorEntry;
  attention_mask: TensorEntry;
  router_logits_last: TensorEntry;
  hidden_state_last: TensorEntry;
  topk_experts: TensorEntry;
  top5_next_ids: TensorEntry;
  top5_next_logits: TensorEntry;
  top5_next_tokens: string[][];
}

export interface GoldenManifest {
  model: { num_hidden_layers: number; num_experts: number; num_experts_per_tok: number; hidden_size: number };
  texts: string[];
  cases: GoldenCaseFile[];
}

/** One golden case with its tensors read. */
export interface GoldenCase {
  template: 'none' | 'prompteol';
  padding: 'left' | 'right';
  prompts: string[];
  /** [texts, seq] */
  inputIds: Int32Array;
  attentionMask: Int32Array;
  seq: number;
  /** [texts, layers, experts] */
  routerLogitsLast: Float32Array;
  /** [texts, hidden] */
  hiddenStateLast: Float32Array;
  /** [texts, seq, layers, k], -1 at padding */
  topkExperts: Int32Array;
  /** [texts, 5] */
  top5NextIds: Int32Array;
}

export function readGoldens(manifest: GoldenManifest, blob: Uint8Array): GoldenCase[] {
  return manifest.cases.map((c) => ({
    template: c.template,
    padding: c.padding,
    prompts: c.prompts,
    inputIds: readInt32(blob, c.input_ids),
    attentionMask: readInt32(blob, c.attention_mask),
    seq: c.input_ids.shape[1],
    routerLogitsLast: readFloat32(blob, c.router_logits_last),
    hiddenStateLast: readFloat32(blob, c.hidden_state_last),
    topkExperts: readInt32(blob, c.topk_experts),
    top5NextIds: readInt32(blob, c.top5_next_ids),
  }));
}

