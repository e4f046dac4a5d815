"""Rerun the first N training steps with the same seed and compare the logged losses exactly."""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", type=Path, default=HERE.parent / "moee-demo" / "training" / "train_log.jsonl")
    parser.add_argument("--steps", type=int, default=200)
    args = parser.parse_args()
    rerun = HERE / "work" / "repro_log.jsonl"
    subprocess.run([sys.executable, str(HERE / "train.py"), "--max-steps", str(args.steps), "--log", str(rerun),
                    "--out", str(HERE / "work" / "repro_checkpoint")], check=True)
    first = [json.loads(l) for l in args.log.read_text().splitlines()[:args.steps]]
    second = [json.loads(l) for l in rerun.read_text().splitlines()[:args.steps]]
    keys = ("loss", "lm_loss", "aux_loss", "grad_norm")
    diffs = [s["step"] for a, s in zip(first, second) if any(a[k] != s[k] for k in keys)]
    result = {"steps_compared": len(second), "identical": not diffs, "first_differing_steps": diffs[:10]}
    (HERE.parent / "moee-demo" / "training" / "repro_check.json").write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result))
    if diffs:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
