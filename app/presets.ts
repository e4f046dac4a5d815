/** Teaching sets: each shows one point of the paper, with what to look for. */
export interface Preset {
  id: string;
  title: string;
  explanation: string;
  texts: string[];
}

export const PRESETS: readonly Preset[] = [
  {
    id: 'case-study',
    title: 'The paper’s case study: rewording vs paraphrase',
    explanation: 'HS should rate the time rewording (5.30 p.m. / 17h30) highly; RW should rate the paraphrase (avoided a catastrophe / prevented a disaster) highly.',
    texts: ['The meeting starts at 5.30 p.m.', 'The meeting starts at 17h30.', 'They narrowly avoided a catastrophe.', 'They managed to prevent a disaster.'],
  },
  {
    id: 'topics',
    title: 'Topic clusters',
    explanation: 'Three topics, three sentences each: sort "similar together" and look for blocks.',
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
  },
  {
    id: 'sentiment',
    title: 'Sentiment pairs',
    explanation: 'Same topic, opposite feeling: which representation keeps the pairs apart?',
    texts: ['I love this song, it always makes me happy.', 'I hate this song, it always makes me sad.', 'The dinner was delicious and the staff were kind.', 'The dinner was awful and the staff were rude.'],
  },
  {
    id: 'robustness',
    title: 'Prompt robustness',
    explanation: 'Switch templates: HS changes much more than RW.',
    texts: ['A man is playing a guitar.', 'Someone plays an instrument.', 'A woman is slicing an onion.', 'The cat sleeps on the warm roof.'],
  },
];
