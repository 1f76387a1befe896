"""Indexing throughput and memory on a synthetic corpus, beside a plain sentence-transformers loop.

Run: .venv/bin/python bench/indexing.py [--docs 2000]. Writes only to a temporary folder.
Target (issue 5): the indexer's end-to-end rate (chunking, embedding, Chroma writes) within 10%
of `model.encode` on exactly the same texts, with memory flat as the corpus streams through.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import tempfile
import time
from pathlib import Path

from assistant.paths import resource_dir


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--docs", type=int, default=2000)
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
        settings = Settings(seeds_dir=seeds, index_dir=index, query_encoder="sentence-transformers")
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
        for doc in docs:
            for chunk in chunker.chunk(doc):
                texts.append(chunk.search_text)
                texts.extend(unit_embed_text(chunk.section, u.text) for u in chunk.units)
        started = time.perf_counter()
        # the plain loop: one encode call over every text (sentence-transformers sorts them by
        # length, the least padding possible), nothing else
        model.encode(texts, batch_size=64, normalize_embeddings=True)
        plain_seconds = time.perf_counter() - started

    chunks = report.chunks
    ours, plain = len(texts) / index_seconds, len(texts) / plain_seconds
    print(f"corpus: {args.docs} documents, {chunks} chunks, {len(texts)} texts embedded")
    print(f"{'figure':46} {'value':>10}")
    print(f"{'indexer, end to end (s)':46} {index_seconds:10.1f}")
    print(f"{'indexer chunks per second':46} {chunks / index_seconds:10.1f}")
    print(f"{'indexer texts embedded per second':46} {ours:10.1f}")
    print(f"{'plain encode loop, same texts (s)':46} {plain_seconds:10.1f}")
    print(f"{'plain loop chunks per second (same share)':46} {chunks / plain_seconds:10.1f}")
    print(f"{'plain loop texts per second':46} {plain:10.1f}")
    gap = 1 - ours / plain
    print(
        f"indexer is {gap:+.1%} slower than the plain loop (target: within 10%): "
        f"{'met' if gap <= 0.10 else 'NOT met'}"
    )
    print(f"RSS before indexing (model loaded): {baseline_rss:.0f} MB")
    for done, mb in samples:
        print(f"  RSS after {done:5d}/{args.docs} documents: {mb:.0f} MB")
    if len(samples) >= 2:
        growth = samples[-1][1] - samples[0][1]
        print(f"memory growth from 25% to 100% of the corpus: {growth:+.0f} MB")


if __name__ == "__main__":
    main()
