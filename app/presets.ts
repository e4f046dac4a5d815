/** Teaching sets: each shows one point of the paper, with what to look at and the view that shows it. */
import type { Settings } from './store.ts';

export interface Preset {
  id: string;
  title: string;
  /** What to look at; says what the paper found, since a tiny demo model need not agree. */
  explanation: string;
  texts: string[];
  /** View settings that show the point best (applied with the texts). */
  view?: Partial<Pick<Settings, 'view' | 'order' | 'templateId'>>;
}

export const PRESETS: readonly Preset[] = [
  {
    id: 'case-study',
    title: 'The paper’s case study: rewording vs paraphrase',
    explanation:
      'Pairs 1–2 say the same time in two notations (5.30 p.m. / 17h30); pairs 3–4 say the same thing in other words. In the paper HS rates the rewording higher and RW the paraphrase. In the HS − RW view, red cells are pairs HS finds more similar, blue ones RW does: look at cells (1,2) and (3,4).',
    texts: ['The meeting starts at 5.30 p.m.', 'The meeting starts at 17h30.', 'They narrowly avoided a catastrophe.', 'They managed to prevent a disaster.'],
    view: { view: 'compare', order: 'input' },
  },
  {
    id: 'surface-vs-paraphrase',
    title: 'Surface rewording vs paraphrase',
    explanation:
      'Texts 1–2 and 3–4 change only the surface (notation, spelling, word order); 5–6 and 7–8 are paraphrases with different words. Compare the HS and RW matrices: the paper finds HS strong on the first kind and RW on the second, which is why their sum (MoEE) beats both.',
    texts: [
      'The price is $5 per kilo.',
      'The price is five dollars per kilogram.',
      'Call me at 9:00 tomorrow.',
      'Tomorrow at 9 o’clock, call me.',
      'The film was really enjoyable.',
      'I had a great time watching the movie.',
      'He purchased a new automobile.',
      'He bought a car that had never been driven.',
    ],
    view: { view: 'all', order: 'input' },
  },
  {
    id: 'topics',
    title: 'Topic clusters',
    explanation:
      'Three topics (royalty, programming, weather), three sentences each. The order is "similar together": look for three bright 3×3 blocks on the diagonal and see which representation draws them most cleanly.',
    texts: [
      'The king ruled the land with a firm hand.',
      'The queen was crowned in the old cathedral.',
      'The prince inherited the throne from his father.',
      'The program crashed because of a null pointer.',
      'Compile the source code before running the tests.',
      'The database query returned too many rows.',
      'Rain fell over the hills all night.',
      'A cold wind blew across the frozen lake.',
      'The storm brought thunder and heavy snow.',
    ],
    view: { view: 'all', order: 'cluster' },
  },
  {
    id: 'sentiment',
    title: 'Sentiment pairs',
    explanation:
      'Each pair shares its topic and wording but has the opposite feeling. A representation that keeps (1,2) and (3,4) apart while (1,3) and (2,4) come closer reads sentiment; one that does the reverse reads topic. Try the "sentiment" template too.',
    texts: ['I love this song, it always makes me happy.', 'I hate this song, it always makes me sad.', 'The dinner was delicious and the staff were kind.', 'The dinner was awful and the staff were rude.'],
    view: { view: 'all', order: 'input' },
  },
  {
    id: 'robustness',
    title: 'Prompt robustness',
    explanation:
      'Switch the template (none, prompteol, style, …) and watch the matrices: the paper finds HS changes much more across prompts than RW, i.e. the routers are the steadier signal.',
    texts: ['A man is playing a guitar.', 'Someone plays an instrument.', 'A woman is slicing an onion.', 'The cat sleeps on the warm roof.'],
    view: { view: 'all', order: 'input' },
  },
];

/** The names the View and Order controls show, so that a preset can say what it switched. */
const VIEW_NAME: Record<Settings['view'], string> = { all: 'all four', hs: 'HS', rw: 'RW', concat: 'MoEE concat', sum: 'MoEE sum', compare: 'compare: HS − RW' };
const ORDER_NAME: Record<Settings['order'], string> = { input: 'as typed', cluster: 'similar together' };

/** What applying a preset changes in the view controls, in words ("switched View to compare: HS − RW"); null when nothing. */
export function presetSwitches(preset: Preset, current: Pick<Settings, 'view' | 'order' | 'templateId'>): string | null {
  const changes: string[] = [];
  const v = preset.view ?? {};
  if (v.view !== undefined && v.view !== current.view) changes.push(`View to ${VIEW_NAME[v.view]}`);
  if (v.order !== undefined && v.order !== current.order) changes.push(`Order to ${ORDER_NAME[v.order]}`);
  if (v.templateId !== undefined && v.templateId !== current.templateId) changes.push(`Template to ${v.templateId}`);
  return changes.length ? `switched ${changes.join(', ')}` : null;
}
