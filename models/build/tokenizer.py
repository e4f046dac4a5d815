"""Train the demo model's byte-level BPE tokenizer with the HF `tokenizers` library.

Byte-level so that any text (emoji, CJK, RTL, zero-width characters) round-trips; the GPT-2 split
regex so that words and numbers stay whole. One special token, <|endoftext|>, serves as both eos
and pad, as in Qwen's own tokenizers.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
from transformers import PreTrainedTokenizerFast

HERE = Path(__file__).resolve().parent
EOS = "<|endoftext|>"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=HERE / "work" / "corpus" / "train.txt")
    parser.add_argument("--out", type=Path, default=HERE.parent / "moee-demo")
    parser.add_argument("--vocab-size", type=int, default=8192)
    args = parser.parse_args()

    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(
        vocab_size=args.vocab_size,
        min_frequency=2,
        special_tokens=[EOS],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train([str(args.corpus)], trainer)

    fast = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        eos_token=EOS,
        pad_token=EOS,
        bos_token=None,
        unk_token=None,
        model_max_length=512,
        padding_side="left",  # the MoEE reference code pads on the left
    )
    args.out.mkdir(parents=True, exist_ok=True)
    fast.save_pretrained(args.out)
    print(f"vocab {tokenizer.get_vocab_size()} saved to {args.out}")


if __name__ == "__main__":
    main()
