"""Rerun the start of both training stages with the same seed and compare the logged losses exactly.

Stage 1 starts from scratch; stage 2 starts from stage 1's weights, which the stage-1 run leaves in
work/stage1 (they are not shipped: the shipped weights are stage 2's), so stage 2 is checked only where
that folder exists.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TRAINING = HERE.parent / "moee-demo" / "training"
WORK = HERE / "work"
# The stage-2 command of the README, less its log and output paths.
STAGE2_ARGS = ["--balance", "per-layer", "--aux-coef", "0.1", "--steps", "600", "--warmup", "30", "--lr", "6e-4"]


def compare(name: str, shipped: Path, extra: list[str], steps: int) -> dict:
    rerun = WORK / f"repro_{name}.jsonl"
    subprocess.run([sys.executable, str(HERE / "train.py"), *extra, "--max-steps", str(steps), "--log", str(rerun),
                    "--out", str(WORK / f"repro_{name}_checkpoint")], check=True)
    first = [json.loads(l) for l in shipped.read_text().splitlines()[:steps]]
    second = [json.loads(l) for l in rerun.read_text().splitlines()[:steps]]
    keys = ("loss", "lm_loss", "aux_loss", "grad_norm")
    diffs = [s["step"] for a, s in zip(first, second) if any(a[k] != s[k] for k in keys)]
    worst = max((abs(a["loss"] - s["loss"]) for a, s in zip(first, second)), default=0.0)
    return {"steps_compared": len(second), "identical": not diffs, "first_differing_steps": diffs[:10], "max_abs_loss_difference": worst}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=200, help="stage-1 steps to rerun")
    parser.add_argument("--stage2-steps", type=int, default=50)
    args = parser.parse_args()
    result = {"stage1": compare("stage1", TRAINING / "train_log.jsonl", [], args.steps)}
    if (WORK / "stage1" / "model.safetensors").exists():
        result["stage2"] = compare("stage2", TRAINING / "train_log_stage2.jsonl", ["--init-from", str(WORK / "stage1"), *STAGE2_ARGS], args.stage2_steps)
    (TRAINING / "repro_check.json").write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result))
    if not all(r["identical"] for r in result.values()):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
