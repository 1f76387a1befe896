"""Store: the Chroma client, the index manifest, and read access to one index generation."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import IndexCorrupt, IndexMissing
from assistant.settings import Settings

MANIFEST = "manifest.json"
SCHEMA = 1


def make_client(settings: Settings) -> Any:
    """A Chroma client, telemetry off: the folder's embedded store, or a server (chroma_url)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        from urllib.parse import urlsplit

        url = urlsplit(settings.chroma_url)
        try:
            client = chromadb.HttpClient(
                host=url.hostname or "127.0.0.1",
                port=url.port or 8000,
                ssl=url.scheme == "https",
                settings=chroma,
            )
            client.heartbeat()
            return client
        except Exception as exc:
            raise IndexMissing(
                f"cannot reach the Chroma server at {settings.chroma_url} ({type(exc).__name__}); "
                "start it (`chroma run --path DIR --port N`) or unset PREP_CHROMA_URL"
            ) from exc
    path = settings.index_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    try:
        return chromadb.PersistentClient(path=str(path), settings=chroma)
    except Exception as exc:  # chromadb raises many types for an unreadable folder
        raise IndexCorrupt(
            f"the index in {settings.index_dir} cannot be opened ({type(exc).__name__}); "
            "run `prep index --rebuild` to rebuild it"
        ) from exc


@dataclass
class Manifest:
    """What the active index holds and how it was built."""

    collection: str
    units_collection: str
    fingerprint: dict[str, Any]
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    skipped: list[dict[str, str]] = field(default_factory=list)
    built_at: str = ""
    schema: int = SCHEMA

    @classmethod
    def load(cls, index_dir: Path) -> Manifest | None:
        """The manifest, None if there is no index yet; raises IndexCorrupt if unreadable."""
        path = index_dir / MANIFEST
        if not path.exists():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            manifest = cls(**data)
        except (OSError, ValueError, TypeError) as exc:
            raise IndexCorrupt(
                f"{path} is unreadable or not ours; run `prep index --rebuild` to rebuild the index"
            ) from exc
        if manifest.schema != SCHEMA:
            raise IndexCorrupt(
                f"the index in {index_dir} has format {manifest.schema}, this version reads "
                f"{SCHEMA}; run `prep index --rebuild`"
            )
        return manifest

    def save(self, index_dir: Path) -> None:
        """Write atomically: readers see the old manifest or the new one, never half of one."""
        index_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=index_dir, prefix=".manifest-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(self.__dict__, fh, indent=1, sort_keys=True)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, index_dir / MANIFEST)

    @property
    def chunk_count(self) -> int:
        """Chunks in the index."""
        return sum(int(f.get("chunks", 0)) for f in self.files.values())


@dataclass
class StoredChunk:
    """A chunk as read back from the store."""

    id: str
    search_text: str
    metadata: dict[str, Any]


class IndexReader:
    """Read access to the active index generation."""

    def __init__(self, settings: Settings, client: Any | None = None):
        manifest = Manifest.load(settings.index_dir)
        if manifest is None:
            raise IndexMissing(f"no index in {settings.index_dir}; run `prep index` to build it")
        self.settings = settings
        self.manifest = manifest
        self.client = client or make_client(settings)
        try:
            self.chunks = self.client.get_collection(manifest.collection)
            self.units = self.client.get_collection(manifest.units_collection)
        except Exception as exc:
            raise IndexCorrupt(
                f"the index in {settings.index_dir} is incomplete ({manifest.collection} is "
                "missing); run `prep index --rebuild`"
            ) from exc
        self._all: list[StoredChunk] | None = None

    def all_chunks(self) -> list[StoredChunk]:
        """Every chunk (for BM25), read once."""
        if self._all is None:
            got = self.chunks.get(include=["documents", "metadatas"])
            self._all = [
                StoredChunk(i, d or "", dict(m or {}))
                for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
            ]
            self._all.sort(
                key=lambda c: (c.metadata.get("source", ""), int(c.metadata.get("start", 0)))
            )
        return self._all

    def dense(
        self, vector: list[float], n: int, where: dict[str, Any] | None = None
    ) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity), best first."""
        count = self.chunks.count()
        if count == 0:
            return []
        got = self.chunks.query(
            query_embeddings=[vector],
            n_results=min(n, count),
            where=where or None,
            include=["distances"],
        )
        return [
            (i, 1.0 - float(d)) for i, d in zip(got["ids"][0], got["distances"][0], strict=True)
        ]

    def unit_vectors(self, ids: list[str]) -> dict[str, list[float]]:
        """Stored unit embeddings by id."""
        if not ids:
            return {}
        got = self.units.get(ids=ids, include=["embeddings"])
        return {i: list(map(float, e)) for i, e in zip(got["ids"], got["embeddings"], strict=True)}
