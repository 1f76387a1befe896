"""Snapshot: a read-only copy of one index generation that a question can load without Chroma.

Importing chromadb and opening the store is most of a cold `prep ask` (~0.8 s of ~2.4 s). So
each build, after its generation is live, copies what a question reads (chunk texts and
metadata, chunk and unit vectors) into `index/snapshot.json` and `index/snapshot.npz`. The
reader uses the copy only when it names the manifest's live generation, its counts match, and
the Chroma store beside it still looks like a store; anything else (no copy, an older one, a
`chroma run` server, PREP_READ_SNAPSHOT=false) reads Chroma as before. Chroma stays the store:
every write goes there, and the copy is rewritten from it.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

    from assistant.index.store import Manifest
    from assistant.settings import Settings

JSON, ARRAYS = "snapshot.json", "snapshot.npz"
_SQLITE = b"SQLite format 3\x00"
_PAGE = 5000  # rows per read from Chroma


def _rows(collection: Any, include: list[str]) -> dict[str, list[Any]]:
    """Every row of a collection, read a page at a time."""
    out: dict[str, list[Any]] = {"ids": [], **{k: [] for k in include}}
    offset = 0
    while True:
        got = collection.get(include=include, limit=_PAGE, offset=offset)
        for key in out:
            out[key].extend(got[key] if got[key] is not None else [])
        if len(got["ids"]) < _PAGE:
            return out
        offset += _PAGE


def _replace(path: Path, write: Callable[[Any], None], binary: bool) -> None:
    """Write a file beside its final name, then move it into place."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb" if binary else "w", encoding=None if binary else "utf-8") as fh:
            write(fh)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_snapshot(settings: Settings, client: Any, manifest: Manifest) -> None:
    """Copy the live generation out of Chroma (the arrays first, then the JSON that names it)."""
    import numpy as np

    include = ["documents", "metadatas", "embeddings"]
    chunks = _rows(client.get_collection(manifest.collection), include)
    units = _rows(client.get_collection(manifest.units_collection), ["embeddings"])
    index_dir = settings.index_dir

    def arrays(fh: Any) -> None:
        np.savez(
            fh,
            chunks=np.asarray(chunks["embeddings"], dtype=np.float32).reshape(-1, _dim(chunks)),
            units=np.asarray(units["embeddings"], dtype=np.float32).reshape(-1, _dim(units)),
        )

    meta = {
        "collection": manifest.collection,
        "units_collection": manifest.units_collection,
        "ids": chunks["ids"],
        "documents": chunks["documents"],
        "metadatas": chunks["metadatas"],
        "unit_ids": units["ids"],
    }
    _replace(index_dir / ARRAYS, arrays, binary=True)
    _replace(index_dir / JSON, lambda fh: json.dump(meta, fh), binary=False)


def _dim(rows: dict[str, list[Any]]) -> int:
    return len(rows["embeddings"][0]) if rows["embeddings"] else 0


def remove_snapshot(index_dir: Path) -> None:
    """Delete the copy (a build that could not write a new one leaves none, not an old one)."""
    for name in (JSON, ARRAYS):
        with contextlib.suppress(OSError):
            (index_dir / name).unlink()


def _current_meta(index_dir: Path, manifest: Manifest) -> dict[str, Any] | None:
    """The copy's JSON if it names the manifest's generation and the store beside it looks whole."""
    try:
        with (index_dir / "chroma" / "chroma.sqlite3").open("rb") as fh:
            if fh.read(len(_SQLITE)) != _SQLITE:
                return None  # a damaged store: let reading it say so
        meta = json.loads((index_dir / JSON).read_text(encoding="utf-8"))
        names = (meta.get("collection"), meta.get("units_collection"))
        if names != (manifest.collection, manifest.units_collection):
            return None
        if len(meta["ids"]) != manifest.chunk_count:
            return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return dict(meta)


def is_current(settings: Settings, manifest: Manifest) -> bool:
    """Whether a build can skip writing the copy: it names the live generation (or, with a
    `chroma run` server, there is none to write).

    The JSON is written after the arrays and names its generation, so reading it is enough;
    the arrays (most of the copy) are not loaded to find out.
    """
    return bool(settings.chroma_url) or _current_meta(settings.index_dir, manifest) is not None


@dataclass(frozen=True)
class Row:
    """A chunk as the copy holds it (the store makes its StoredChunk of it)."""

    id: str
    search_text: str
    metadata: dict[str, Any]


@dataclass
class Snapshot:
    """The live generation, in memory: chunks, their vectors (unit length) and unit vectors."""

    chunks: list[Row]
    chunk_vectors: np.ndarray
    unit_index: dict[str, int]
    unit_vectors_all: np.ndarray
    _filters: dict[tuple[Any, ...], np.ndarray] = field(default_factory=dict)

    @classmethod
    def load(cls, settings: Settings, manifest: Manifest) -> Snapshot | None:
        """The copy of the manifest's generation, or None when Chroma must be read instead."""
        if settings.chroma_url or not settings.read_snapshot:
            return None
        meta = _current_meta(settings.index_dir, manifest)
        if meta is None:
            return None
        import numpy as np

        try:
            with np.load(settings.index_dir / ARRAYS) as arrays:
                vectors, units = arrays["chunks"], arrays["units"]
        except (OSError, ValueError, KeyError):
            return None
        if len(vectors) != len(meta["ids"]) or len(units) != len(meta["unit_ids"]):
            return None
        from assistant.index.doc_encoder import unit_rows

        chunks = [
            Row(i, d or "", dict(m or {}))
            for i, d, m in zip(meta["ids"], meta["documents"], meta["metadatas"], strict=True)
        ]
        return cls(
            chunks,
            unit_rows(vectors),
            {u: n for n, u in enumerate(meta["unit_ids"])},
            units,
        )

    def dense(
        self, vector: list[float], n: int, where: dict[str, Any] | None = None
    ) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity), best first; `where` keeps chunks whose metadata equal it."""
        import numpy as np

        if not self.chunks:
            return []
        q = np.asarray(vector, dtype=np.float32)
        q = q / (np.linalg.norm(q) or 1.0)
        sims = self.chunk_vectors @ q
        rows = self._rows_where(where) if where else None
        if rows is not None:
            if not len(rows):
                return []
            sims = sims[rows]
        n = min(n, len(sims))
        top = np.argpartition(-sims, n - 1)[:n]
        top = top[np.argsort(-sims[top], kind="stable")]
        ids = top if rows is None else rows[top]
        return [(self.chunks[r].id, float(s)) for r, s in zip(ids, sims[top], strict=True)]

    def _rows_where(self, where: dict[str, Any]) -> np.ndarray:
        """The rows whose metadata equal `where` (computed once per filter)."""
        import numpy as np

        key = tuple(sorted(where.items()))
        if key not in self._filters:
            keep = [all(c.metadata.get(k) == v for k, v in key) for c in self.chunks]
            self._filters[key] = np.flatnonzero(np.asarray(keep, dtype=bool))
        return self._filters[key]

    def unit_vectors(self, ids: list[str]) -> dict[str, list[float]]:
        """Stored unit embeddings by id (ids the copy lacks are left out, as Chroma does)."""
        known = [i for i in ids if i in self.unit_index]
        rows = self.unit_vectors_all[[self.unit_index[i] for i in known]].tolist()
        return dict(zip(known, rows, strict=True))
