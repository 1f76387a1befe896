"""Write: embed a build's chunks and sentences window by window into a new generation."""

from __future__ import annotations

from typing import Any

from assistant.errors import BuildFailed, PrepError
from assistant.index.chunking import Chunk
from assistant.index.doc_encoder import DocumentEmbedder
from assistant.index.store import from_store, store_problem
from assistant.textnorm import normalize

FLUSH_AT = 256  # chunks embedded and written per window: memory stays flat on large folders


def unit_embed_text(heading: str, text: str) -> str:
    """What is embedded for one citable unit: its section's heading gives it context."""
    return normalize(f"{heading}: {text}" if heading else text)


class Writer:
    """Embeds chunks and their units in batches and writes them within the store's batch limit."""

    def __init__(self, chunks: Any, units: Any, embedder: DocumentEmbedder, max_batch: int):
        self.chunks, self.units, self.embedder = chunks, units, embedder
        self.max_batch = max(1, min(max_batch, FLUSH_AT * 16))
        self.pending: list[Chunk] = []

    def add(self, items: list[Chunk]) -> None:
        self.pending.extend(items)
        if len(self.pending) >= FLUSH_AT:
            self.flush()

    def flush(self) -> None:
        """Write what is pending, FLUSH_AT chunks at a time; a failure names the files."""
        while self.pending:
            batch, self.pending = self.pending[:FLUSH_AT], self.pending[FLUSH_AT:]
            try:
                self._write(batch)
            except Exception as exc:
                self.pending = []
                raise write_failure(exc, sorted({c.source for c in batch})) from exc
            release_freed()

    def _write(self, batch: list[Chunk]) -> None:
        units = [
            (
                f"{c.id}#u{n}",
                unit_embed_text(c.heading, u.text),
                {"source": c.source, "chunk": c.id},
            )
            for c in batch
            for n, u in enumerate(c.units)
        ]
        # one call for the window: its chunks and sentences are sorted by length together
        vectors = self.embedder.embed([c.search_text for c in batch] + [t for _, t, _ in units])
        for n in range(0, len(batch), self.max_batch):
            part = batch[n : n + self.max_batch]
            self.chunks.add(
                ids=[c.id for c in part],
                embeddings=vectors[n : n + len(part)],
                documents=[c.search_text for c in part],
                metadatas=[{**c.metadata(), "text": c.text} for c in part],
            )
        vectors = vectors[len(batch) :]
        for n in range(0, len(units), self.max_batch):
            rows = units[n : n + self.max_batch]
            self.units.add(
                ids=[i for i, _, _ in rows],
                embeddings=vectors[n : n + len(rows)],
                metadatas=[m for _, _, m in rows],
            )


def write_failure(exc: BaseException, names: list[str]) -> PrepError:
    """A failed write as one line naming the files being written and the fix."""
    which = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    if not (isinstance(exc, OSError | PrepError) or from_store(exc)):
        return BuildFailed(
            f"could not index {which} ({type(exc).__name__}: {exc}); the previous index still "
            "answers; run `prep index` again, or move the file aside and report the error"
        )
    problem = store_problem(exc)
    return type(problem)(f"could not index {which}: {problem}")


def copy_files(src: Any, dst: Any, names: list[str], max_batch: int) -> None:
    """Copy the stored records of unchanged files into the new generation (no re-embedding)."""
    for name in names:
        try:
            got = src.get(where={"source": name}, include=["embeddings", "documents", "metadatas"])
            for n in range(0, len(got["ids"]), max_batch):
                part = slice(n, n + max_batch)
                dst.add(
                    ids=got["ids"][part],
                    embeddings=got["embeddings"][part],
                    documents=got["documents"][part] if got["documents"] is not None else None,
                    metadatas=got["metadatas"][part],
                )
        except Exception as exc:
            raise write_failure(exc, [name]) from exc


def release_freed() -> None:
    """Hand the window's freed heap back to the system (glibc keeps it otherwise)."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    try:
        ctypes.CDLL(name).malloc_trim(0)
    except (OSError, AttributeError, TypeError):  # not glibc: nothing to do
        pass
