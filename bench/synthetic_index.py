"""A large synthetic index in the indexer's own layout, for latency at scale without embedding.

The real index's chunks are written first, then replicas of them up to n chunks: each replica
file keeps its source's metadata and units but is filed under a company of its own
(synthetic-NN: a corpus of other documents, not hundreds of copies of the same pay tables), its
search text has a share of its words swapped for other words of the corpus, and every chunk
and unit gets a deterministic pseudo-random unit vector (no model runs). Manifest, chunk and
unit collections are laid out as `assistant/index/build.py` writes them, so the reader and the
retriever work unchanged.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from assistant.index.build import fingerprint
from assistant.index.store import IndexReader, Manifest, make_client
from assistant.settings import Settings

SWAP = 0.3  # share of a replica's search-text words replaced by other corpus words
BATCH = 2000
COMPANIES = 20  # replicas are spread over this many synthetic companies


def _unit_vectors(rng: np.random.Generator, n: int, dim: int) -> list[list[float]]:
    v = rng.standard_normal((n, dim)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    return v.tolist()


def build_synthetic(source: Settings, dest: Settings, n: int, seed: int = 17) -> Manifest:
    """Write an index of n chunks into dest from the built index of source (reused if there)."""
    tag = f"synth{n}-{seed}-v2"
    old = Manifest.load(dest.index_dir) if (dest.index_dir / "manifest.json").exists() else None
    if old is not None and old.collection.endswith(tag) and old.chunk_count == n:
        _copy_for_questions(dest, old)
        return old
    real = IndexReader(source.model_copy(update={"read_snapshot": False}))  # the store itself
    got = real.chunks.get(include=["documents", "metadatas", "embeddings"])
    units = real.units.get(include=["metadatas", "embeddings"])
    dim = len(got["embeddings"][0])
    unit_rows: dict[str, list[tuple[str, list[float], dict[str, Any]]]] = {}
    for i, e, m in zip(units["ids"], units["embeddings"], units["metadatas"], strict=True):
        unit_rows.setdefault(str(m["chunk"]), []).append((i, list(map(float, e)), dict(m)))
    chunks = sorted(
        zip(got["ids"], got["documents"], got["metadatas"], got["embeddings"], strict=True),
        key=lambda c: (str(c[2]["source"]), int(c[2].get("start", 0))),
    )
    words = sorted({w for c in chunks for w in str(c[1]).split() if w.isalpha()})
    rng, np_rng = random.Random(seed), np.random.default_rng(seed)

    client = make_client(dest)
    ns = dest.collection_prefix()
    names = (f"{ns}chunks-{tag}", f"{ns}units-{tag}")
    for name in names:
        if name in [str(getattr(c, "name", c)) for c in client.list_collections()]:
            client.delete_collection(name)
    cfg: dict[str, Any] = {"hnsw": {"space": "cosine"}}
    c_col = client.create_collection(names[0], configuration=cfg, embedding_function=None)
    u_col = client.create_collection(names[1], configuration=cfg, embedding_function=None)

    files = {k: dict(v) for k, v in real.manifest.files.items()}
    rows: list[tuple[str, str, dict[str, Any], list[float]]] = []
    urows: list[tuple[str, list[float], dict[str, Any]]] = []
    for cid, doc, meta, emb in chunks:  # the real index, unchanged
        rows.append((cid, doc, dict(meta), list(map(float, emb))))
        urows.extend(unit_rows.get(cid, []))
    replica = 0
    while len(rows) < n:
        for cid, doc, meta, _ in chunks:
            if len(rows) >= n:
                break
            name = f"synthetic/r{replica:04d}-{meta['source']}"
            new_id = f"{name}::{cid.rsplit('::', 1)[-1]}"
            text = " ".join(
                rng.choice(words) if rng.random() < SWAP else w for w in str(doc).split()
            )
            company = f"synthetic-{replica % COMPANIES:02d}"
            rows.append((new_id, text, {**meta, "source": name, "company": company}, []))
            for k in range(len(unit_rows.get(cid, []))):
                urows.append((f"{new_id}#u{k}", [], {"source": name, "chunk": new_id}))
            entry = files.setdefault(
                name, {**real.manifest.files[meta["source"]], "chunks": 0, "company": company}
            )
            entry["chunks"] += 1
            entry["sha256"] = hashlib.sha256(name.encode()).hexdigest()
        replica += 1
    for part in range(0, len(rows), BATCH):
        batch = rows[part : part + BATCH]
        fresh = iter(_unit_vectors(np_rng, sum(1 for r in batch if not r[3]), dim))
        c_col.add(
            ids=[r[0] for r in batch],
            documents=[r[1] for r in batch],
            metadatas=[r[2] for r in batch],
            embeddings=[r[3] or next(fresh) for r in batch],
        )
    for part in range(0, len(urows), BATCH):
        ubatch = urows[part : part + BATCH]
        fresh = iter(_unit_vectors(np_rng, sum(1 for r in ubatch if not r[1]), dim))
        u_col.add(
            ids=[r[0] for r in ubatch],
            embeddings=[r[1] or next(fresh) for r in ubatch],
            metadatas=[r[2] for r in ubatch],
        )
    encoder = source.index_dir / "encoder"
    if encoder.is_dir():
        shutil.copytree(encoder, dest.index_dir / "encoder", dirs_exist_ok=True)
    manifest = Manifest(
        collection=names[0],
        units_collection=names[1],
        fingerprint=fingerprint(dest),
        files=files,
        built_at=real.manifest.built_at,
    )
    manifest.save(dest.index_dir)
    _copy_for_questions(dest, manifest)
    return manifest


def _copy_for_questions(dest: Settings, manifest: Manifest) -> None:
    """The snapshot a build writes for an embedded store (a server's index has none)."""
    from assistant.index.snapshot import Snapshot, write_snapshot

    if not dest.chroma_url and Snapshot.load(dest, manifest) is None:
        write_snapshot(dest, make_client(dest), manifest)


def describe(manifest: Manifest) -> str:
    """One line: how big the synthetic index is."""
    return f"{manifest.chunk_count:,} chunks in {len(manifest.files):,} files"


if __name__ == "__main__":  # build one by hand: python bench/synthetic_index.py DEST [N]
    import sys

    dest_dir = Path(sys.argv[1])
    size = int(sys.argv[2]) if len(sys.argv) > 2 else 20_000
    made = build_synthetic(Settings(), Settings(index_dir=dest_dir), size)
    print(json.dumps({"index": str(dest_dir), "size": describe(made)}))
