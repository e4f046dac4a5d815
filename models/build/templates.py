"""Prompt templates of the MoEE reference code (see shared/MOEE.md §3), for golden tensors.

The TypeScript engine has its own copy (workers/templates.ts); the goldens store the prompt strings
made here so that the engine's tests prove the two agree.
"""
from __future__ import annotations

TEMPLATES: dict[str, str] = {
    "none": '"*sent 0*"',
    "prompteol": 'This sentence : "*sent 0*" means in one word:"',
    "style": 'In one word, describe the style of the following sentence - "*sent 0*" :"',
    "sentiment": 'In one word, describe the sentiment of the following sentence (positive, neutral, or negative) - "*sent 0*" :',
    "tone": 'In one word, describe the tone of the following sentence - "*sent 0*" (e.g., formal, informal, humorous, serious):',
    "intent": 'In one word, describe the intent behind the following sentence (e.g., request, suggestion, command) - "*sent 0*" :',
    "complexity": 'In one word, rate the complexity of the following sentence (simple, moderate, complex) - "*sent 0*" :',
    "subjectivity": 'In one word, describe whether the following sentence is subjective or objective - "*sent 0*" :',
    "language_style": 'In one word, describe the language style of the following sentence (e.g., academic, conversational, literary) - "*sent 0*" :',
    "grammar_structure": 'In one word, describe the grammatical structure of the following sentence (simple, compound, complex) - "*sent 0*" :',
}


def normalize_text(text: str) -> str:
    text = " ".join(text.split())
    if text and text[-1] not in ".?!\"'":
        text += "."
    return text.replace('"', "'")


def apply_template(template_id: str, text: str) -> str:
    return TEMPLATES[template_id].replace("*sent 0*", normalize_text(text)).replace("_", " ").strip()
