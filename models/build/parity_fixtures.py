"""Fixtures that check Transformers.js against the Python reference on the demo model.

- tokenizer_parity.json: >= 1,000 strings (held-out prose, emoji, CJK, RTL, combining marks,
  zero-width characters, 10k-character texts) with their ids from the HF `tokenizers` library.
- generation.json: greedy continuations from HF Qwen2MoeForCausalLM, with the last-position logits
  of each prompt, for Transformers.js' own AutoModelForCausalLM to match.
"""
from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import torch
from tokenizers import Tokenizer

sys.path.insert(0, str(Path(__file__).resolve().parent))
from export import load_reference  # noqa: E402

HERE = Path(__file__).resolve().parent
MODEL = HERE.parent / "moee-demo"
OUT = HERE.parents[1] / "tests" / "fixtures"

SPECIAL = [
    "Hello 👋 world 🌍! Families: 👨‍👩‍👧‍👦 and flags 🇫🇷🇯🇵, skin tones 👍🏽.",
    "数学是科学的语言。東京は日本の首都です。한국어 문장도 있습니다.",
    "مرحبا بالعالم — هذه جملة عربية. שלום עולם, זה משפט בעברית.",
    "Combining: e\u0301 a\u0300 n\u0303 o\u0308; Zalgo: Z\u0351\u0352a\u0353l\u0354g\u0355o\u0356",
    "Zero\u200bwidth\u200cjoiner\u200dand\ufeffBOM and soft\u00adhyphen",
    "Tabs\tand\nnewlines\r\nand   runs of    spaces",
    "Numbers 3.14159, 1,000,000, -42, 1e-9, 0x1F and dates 2026-11-24.",
    "Code: def f(x): return x ** 2  # comment",
    "<|endoftext|> is a special token; so is this <|endoftext|>?",
    "",
    " ",
    "Ω≈ç√∫˜µ≤≥÷ åß∂ƒ©˙∆˚¬…æ ¡™£¢∞§¶•ªº–≠",
    "Mixed: naïve café Zürich façade coöperate résumé",
]


def strings() -> list[str]:
    rng = random.Random(7)
    heldout = (HERE / "work" / "corpus" / "heldout.txt").read_text(encoding="utf-8").splitlines()
    out = list(SPECIAL)
    out += rng.sample(heldout, 900)
    pieces = SPECIAL + rng.sample(heldout, 200)
    for _ in range(120):  # random mixtures, some cut mid-codepoint-sequence (at char level)
        s = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 4)))
        cut = rng.randint(0, len(s))
        out.append(s[:cut])
    for i in range(3):  # 10k-character texts
        text = ""
        while len(text) < 10_000:
            text += rng.choice(pieces) + " "
        out.append(text[:10_000 + i])
    return out


@torch.no_grad()
def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    tokenizer = Tokenizer.from_file(str(MODEL / "tokenizer.json"))
    cases = [{"text": s, "ids": tokenizer.encode(s).ids} for s in strings()]
    (OUT / "tokenizer_parity.json").write_text(json.dumps({"count": len(cases), "cases": cases}, ensure_ascii=False))
    print(f"tokenizer parity: {len(cases)} strings")

    torch.set_num_threads(2)
    model = load_reference(MODEL)
    prompts = ["The king gave his daughter", "In the beginning", "A computer is a machine that"]
    gens = []
    for prompt in prompts:
        ids = torch.tensor([tokenizer.encode(prompt).ids])
        logits = model(input_ids=ids, use_cache=False).logits[0, -1]
        generated = model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=8, do_sample=False,
                                   use_cache=False)[0, ids.shape[1]:]
        gens.append({"prompt": prompt, "input_ids": ids[0].tolist(), "last_logits": logits.tolist(),
                     "greedy_ids": generated.tolist()})
    (OUT / "generation.json").write_text(json.dumps({"cases": gens}))
    print("generation fixture written")


if __name__ == "__main__":
    main()
