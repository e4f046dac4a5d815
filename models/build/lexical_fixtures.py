"""Reference numbers for core/lexical.ts from scikit-learn itself: tests/fixtures/lexical.json.

CountVectorizer and TfidfVectorizer with their defaults, fitted on the sentences below (our own
text, with the cases a tokenizer can get wrong: punctuation, one-letter words, digits, underscores,
apostrophes, hyphens, case, accents, non-Latin script, an empty document); cosines by
sklearn.metrics.pairwise.cosine_similarity.
"""
from __future__ import annotations

import json
from pathlib import Path

from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

OUT = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "lexical.json"

SENTENCES = [
    "A dog is running across the green field.",
    "The dog runs across a field of green grass!",
    "I don't think it's 5.30 p.m. yet; it is 17h30.",
    "The meeting starts at 17h30, not at 5:30 pm.",
    "snake_case and CamelCase words: foo_bar FooBar x y z",
    "Well-known co-operation; state-of-the-art results (2024) & more...",
    "Café crème at the café, naïve façade — Zürich 1999",
    "Москва — столица России. Москва большая.",
    "东京 is big; 東京タワー is tall.",
    "",
    "!!! ... ?",
    "The the THE tHe the, dog DOG dog.",
    "They managed to prevent a disaster.",
    "They avoided a catastrophe, narrowly.",
]
PAIRS = [[0, 1], [2, 3], [4, 5], [6, 7], [8, 9], [9, 10], [11, 0], [12, 13], [1, 11], [3, 2], [6, 6], [7, 8]]


def main() -> None:
    count = CountVectorizer()
    counts = count.fit_transform(SENTENCES)
    tfidf = TfidfVectorizer()
    weights = tfidf.fit_transform(SENTENCES)
    analyzer = count.build_analyzer()
    bow = cosine_similarity(counts)
    tf = cosine_similarity(weights)
    vocabulary = sorted(count.vocabulary_, key=count.vocabulary_.get)
    fixture = {
        "sentences": SENTENCES,
        "pairs": PAIRS,
        "tokens": [analyzer(s) for s in SENTENCES],
        "vocabulary": vocabulary,
        "idf": tfidf.idf_.tolist(),
        "count_cosine": [float(bow[i, j]) for i, j in PAIRS],
        "tfidf_cosine": [float(tf[i, j]) for i, j in PAIRS],
    }
    OUT.write_text(json.dumps(fixture, ensure_ascii=False, indent=1) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
