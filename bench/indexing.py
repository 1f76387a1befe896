"""Indexing throughput and memory on a synthetic corpus, beside a plain sentence-transformers loop.

Run: .venv/bin/python bench/indexing.py [--docs 2000] [--readme]. Writes only to a temporary
folder (and, with --readme, README's indexing table). Targets (issue 17), measured in one run:
the indexer end to end (chunking, embedding, Chroma writes) at least twice the texts per second
of one plain fp32 `model.encode` over exactly the same texts; every stored vector's cosine with
the plain loop's at least 0.99; memory growth from 25% to 100% of the corpus under 50 MB.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import tempfile
import time
from pathlib import Path

import numpy as np

from assistant.paths import resource_dir

README = Path(__file__).resolve().parent.parent / "README.md"
MARKERS = ("<!-- bench:indexing -->", "<!-- /bench:indexing -->")


def rss_mb() -> float:
    """Resident memory of this process now (Linux /proc)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def corpus(folder: Path, n: int) -> None:
    """n markdown documents built from the seeds' vocabulary: headings, paragraphs, lists."""
    text = " ".join(p.read_text(encoding="utf-8") for p in sorted(resource_dir("seeds").iterdir()))
    words = [w for w in re.findall(r"[A-Za-z][a-z]{2,}", text)]
    rng = random.Random(0)

    def sentence() -> str:
        body = " ".join(rng.choice(words) for _ in range(rng.randint(8, 18)))
        figure = f" ${rng.randint(120, 900)}K" if rng.random() < 0.3 else ""
        return body[0].upper() + body[1:] + figure + "."

    for i in range(n):
        company = rng.choice(["netflix", "spotify"])
        parts = [f"---\ncompany: {company}\nlast_updated: 2026-0{rng.randint(1, 9)}-01\n---"]
        parts.append(f"# {company.title()} note {i}: {' '.join(rng.sample(words, 3))}")
        for s in range(2):
            parts.append(f"## Section {s + 1}: {rng.choice(words)}")
            parts.extend(" ".join(sentence() for _ in range(3)) for _ in range(2))
            parts.append("\n".join(f"- {sentence()}" for _ in range(2)))
        (folder / f"doc_{i:05d}.md").write_text("\n\n".join(parts) + "\n", encoding="utf-8")


def stored_vectors(settings: object, ids: list[str]) -> np.ndarray:
    """The vectors the index holds for chunk and unit ids, in the order given."""
    from assistant.index.store import IndexReader

    reader = IndexReader(settings.model_copy(update={"read_snapshot": False}))  # type: ignore[attr-defined]
    got: dict[str, object] = {}
    for collection, wanted in (
        (reader.chunks, [i for i in ids if "#u" not in i]),
        (reader.units, [i for i in ids if "#u" in i]),
    ):
        for n in range(0, len(wanted), 2000):
            part = collection.get(ids=wanted[n : n + 2000], include=["embeddings"])
            got.update(zip(part["ids"], part["embeddings"], strict=True))
    return np.array([got[i] for i in ids], dtype=np.float32)


def table(rows: list[tuple[str, str, str, bool | None]]) -> str:
    """The figures as a markdown table: figure, measured, target, met."""
    lines = ["| figure | measured | target | met |", "| --- | --- | --- | --- |"]
    for name, value, target, met in rows:
        mark = "" if met is None else ("yes" if met else "**no**")
        lines.append(f"| {name} | {value} | {target} | {mark} |")
    return "\n".join(lines)


def write_readme(block: str) -> None:
    """Replace what lies between the indexing markers in README.md with block."""
    text = README.read_text(encoding="utf-8")
    start, end = text.index(MARKERS[0]), text.index(MARKERS[1])
    README.write_text(text[: start + len(MARKERS[0])] + "\n" + block + "\n" + text[end:], "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--readme", action="store_true", help="rewrite README's indexing table")
    args = parser.parse_args()
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

    from assistant.index.build import build_index, make_chunker
    from assistant.index.embeddings import _load_model
    from assistant.index.writer import unit_embed_text
    from assistant.ingest.documents import load_folder
    from assistant.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        seeds, index = Path(tmp) / "docs", Path(tmp) / "index"
        seeds.mkdir()
        corpus(seeds, args.docs)
        settings = Settings(seeds_dir=seeds, index_dir=index, docs_dir=Path(tmp) / "mine")
        model = _load_model(str(settings.resolved_model_path()))  # both paths share the load
        model.encode(["warm up"])
        baseline_rss = rss_mb()

        samples: list[tuple[int, float]] = []

        def progress(done: int, total: int) -> None:
            if done in {total // 4, total // 2, 3 * total // 4, total}:
                samples.append((done, rss_mb()))

        started = time.perf_counter()
        report = build_index(settings, progress=progress)
        index_seconds = time.perf_counter() - started

        docs, _ = load_folder(seeds, settings.extensions)
        chunker = make_chunker(settings)
        texts: list[str] = []
        ids: list[str] = []
        for doc in docs:
            for chunk in chunker.chunk(doc):
                texts.append(chunk.search_text)
                ids.append(chunk.id)
                texts.extend(unit_embed_text(chunk.heading, u.text) for u in chunk.units)
                ids.extend(f"{chunk.id}#u{n}" for n in range(len(chunk.units)))
        started = time.perf_counter()
        # the plain loop: one fp32 encode call over every text (sentence-transformers sorts them
        # by length, the least padding possible), nothing else
        plain_vectors = model.encode(texts, batch_size=64, normalize_embeddings=True)
        plain_seconds = time.perf_counter() - started
        cosines = (stored_vectors(settings, ids) * plain_vectors).sum(axis=1)

    ours, plain = len(texts) / index_seconds, len(texts) / plain_seconds
    ratio = ours / plain
    growth = samples[-1][1] - samples[0][1] if len(samples) >= 2 else float("nan")
    rows: list[tuple[str, str, str, bool | None]] = [
        ("indexer, end to end: texts per second", f"{ours:.1f} ({index_seconds:.1f} s)", "", None),
        ("plain fp32 `model.encode`, same texts", f"{plain:.1f} ({plain_seconds:.1f} s)", "", None),
        ("indexer / plain loop", f"{ratio:.2f}x", ">= 2x", ratio >= 2),
        (
            "stored vectors vs the plain loop's: cosine min / mean",
            f"{cosines.min():.5f} / {cosines.mean():.5f}",
            "min >= 0.99",
            bool(cosines.min() >= 0.99),
        ),
        ("RSS growth from 25% to 100% of the corpus", f"{growth:+.0f} MB", "< 50 MB", growth < 50),
    ]
    rss = " / ".join(f"{mb:,.0f}" for _, mb in samples)
    lines = [
        f"corpus: {args.docs} documents, {report.chunks} chunks, {len(texts)} texts embedded "
        f"({len(set(texts))} distinct)",
        f"document encoder: {report.document_encoder}",
        f"RSS with the model loaded {baseline_rss:,.0f} MB; after 25/50/75/100%: {rss} MB",
    ]
    block = "\n".join(f"- {line}" for line in lines) + "\n\n" + table(rows)
    print(block)
    if args.readme:
        write_readme(block)
        print(f"README.md: the block between {MARKERS[0]} and {MARKERS[1]} rewritten")


if __name__ == "__main__":
    main()
