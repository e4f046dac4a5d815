/**
 * Prompt templates of the MoEE reference code (shared/MOEE.md §3), with its text normalisation.
 * models/build/templates.py is the Python twin used for golden tensors; the engine's tests check
 * that both produce the same prompts.
 */

/** Template ids of the paper, in the order its figures use. */
export const TEMPLATE_IDS = [
  'none',
  'prompteol',
  'style',
  'sentiment',
  'tone',
  'intent',
  'complexity',
  'subjectivity',
  'language_style',
  'grammar_structure',
] as const;

export type BuiltinTemplateId = (typeof TEMPLATE_IDS)[number];

/** The reference code's placeholder for the sentence. */
const SLOT = '*sent 0*';

/** The exact template strings; `*sent 0*` is replaced by the normalised text. */
export const TEMPLATES: Readonly<Record<BuiltinTemplateId, string>> = {
  none: '"*sent 0*"',
  prompteol: 'This sentence : "*sent 0*" means in one word:"',
  style: 'In one word, describe the style of the following sentence - "*sent 0*" :"',
  sentiment: 'In one word, describe the sentiment of the following sentence (positive, neutral, or negative) - "*sent 0*" :',
  tone: 'In one word, describe the tone of the following sentence - "*sent 0*" (e.g., formal, informal, humorous, serious):',
  intent: 'In one word, describe the intent behind the following sentence (e.g., request, suggestion, command) - "*sent 0*" :',
  complexity: 'In one word, rate the complexity of the following sentence (simple, moderate, complex) - "*sent 0*" :',
  subjectivity: 'In one word, describe whether the following sentence is subjective or objective - "*sent 0*" :',
  language_style:
    'In one word, describe the language style of the following sentence (e.g., academic, conversational, literary) - "*sent 0*" :',
  grammar_structure:
    'In one word, describe the grammatical structure of the following sentence (simple, compound, complex) - "*sent 0*" :',
};

/** A template choice: one of the paper's, or the user's own with a `{text}` slot. */
export type TemplateSpec = { id: BuiltinTemplateId } | { id: 'custom'; template: string };

/** The slot a custom template marks the text with. */
export const CUSTOM_SLOT = '{text}';

/** The reference instruction wrapper (off by default; the paper never mentions it). */
export function withInstruction(prompt: string, instruction: string): string {
  return `<|user|>\n${instruction}\n<|embed|>\n${prompt}`;
}

/**
 * The reference code's normalisation: collapse whitespace, end with a full stop unless the text
 * already ends in . ? ! " or ', and turn double quotes into single ones (they delimit the text).
 */
function normalizeText(text: string): string {
  let s = text.split(/\s+/).filter(Boolean).join(' ');
  if (s.length > 0 && !'.?!"\''.includes(s[s.length - 1])) s += '.';
  return s.replaceAll('"', "'");
}

/** The template string of a spec, with the reference placeholder in the text's place. */
function templateString(spec: TemplateSpec): string {
  if (spec.id === 'custom') return spec.template.replaceAll(CUSTOM_SLOT, SLOT);
  return TEMPLATES[spec.id];
}

/** The prompt the model sees for `text`: normalise, fill the slot, `_` → space, trim. */
export function applyTemplate(spec: TemplateSpec, text: string): string {
  return templateString(spec).replaceAll(SLOT, normalizeText(text)).replaceAll('_', ' ').trim();
}

/** Whether a custom template has exactly one `{text}` slot. */
export function isValidCustomTemplate(template: string): boolean {
  return template.split(CUSTOM_SLOT).length === 2;
}
