"""Store: the Chroma client, the index manifest, and read access to one index generation."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from assistant.errors import (
    AccessDenied,
    IndexCorrupt,
    IndexMissing,
    PrepError,
    StoreUnavailable,
    os_problem,
)
from assistant.settings import Settings

T = TypeVar("T")
_SEGMENT_DIR = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

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
            raise _unreachable(settings, exc) from exc
    path = settings.index_dir / "chroma"
    try:
        path.mkdir(parents=True, exist_ok=True)
        if not os.access(path, os.R_OK | os.W_OK | os.X_OK):
            raise PermissionError(13, "Permission denied", str(path))
    except OSError as exc:
        raise os_problem(exc, settings.index_dir, "PREP_INDEX_DIR (--index)") from exc
    try:
        return chromadb.PersistentClient(path=str(path), settings=chroma)
    except Exception as exc:  # chromadb raises many types for an unreadable folder
        raise IndexCorrupt(
            f"the index in {settings.index_dir} cannot be opened ({type(exc).__name__}); "
            "run `prep index --rebuild` to rebuild it"
        ) from exc


def _unreachable(settings: Settings, exc: BaseException) -> StoreUnavailable:
    return StoreUnavailable(
        f"cannot reach the Chroma server at {settings.chroma_url} ({type(exc).__name__}); "
        "start it (`chroma run --path DIR --port N`) or unset PREP_CHROMA_URL"
    )


def from_store(exc: BaseException) -> bool:
    """Whether an exception comes from the store or its transport (Chroma, HTTP, SQLite)."""
    return type(exc).__module__.startswith(("chromadb", "httpx", "httpcore", "sqlite3"))


def store_problem(exc: BaseException, settings: Settings | None = None) -> PrepError:
    """Any error from the store as a one-line PrepError naming the fix."""
    if isinstance(exc, PrepError):
        return exc
    where = settings.index_dir if settings else "the index folder"
    text = f"{type(exc).__name__}: {exc}".lower()
    if isinstance(exc, OSError) and exc.errno is not None:
        return os_problem(exc, where, "PREP_INDEX_DIR (--index)")
    if "no space" in text or "disk is full" in text or "database or disk is full" in text:
        return os_problem(OSError(28, "No space left on device"), where, "PREP_INDEX_DIR")
    if "readonly" in text or "read-only" in text or "permission denied" in text:
        return os_problem(OSError(13, "Permission denied"), where, "PREP_INDEX_DIR (--index)")
    if "connect" in text or "timeout" in text or "connection" in text:
        url = settings.chroma_url if settings else None
        return StoreUnavailable(
            f"the Chroma server{' at ' + url if url else ''} stopped answering "
            f"({type(exc).__name__}); start it again or unset PREP_CHROMA_URL"
        )
    return IndexCorrupt(
        f"the index in {where} cannot be read or written ({type(exc).__name__}); "
        "run `prep index --rebuild` to rebuild it"
    )


def guard_store(settings: Settings, call: Callable[[], T]) -> T:
    """Run one store call; whatever it raises becomes a one-line PrepError."""
    try:
        return call()
    except Exception as exc:
        raise store_problem(exc, settings) from exc


def stale_collections(settings: Settings, client: Any, keep: set[str]) -> list[str]:
    """This index folder's collections that the manifest does not point at."""
    ns = settings.collection_prefix()
    names = [str(getattr(c, "name", c)) for c in client.list_collections()]
    return [n for n in names if n not in keep and n.startswith((f"{ns}chunks-", f"{ns}units-"))]


def collect_garbage(settings: Settings, client: Any, keep: set[str]) -> None:
    """Drop stale generations, then segment folders and free pages no collection uses."""
    stale = stale_collections(settings, client, keep)
    for name in stale:
        with contextlib.suppress(Exception):  # a reader may hold it; the next build retries
            client.delete_collection(name)
    if not settings.chroma_url:
        with contextlib.suppress(OSError, sqlite3.Error):
            _sweep_segments(settings.index_dir / "chroma", compact=bool(stale))


def orphan_segments(path: Path) -> list[Path]:
    """Vector-index folders in an embedded store that no segment in its sqlite references."""
    with contextlib.closing(_sqlite(path)) as db:
        live = {str(r[0]) for r in db.execute("SELECT id FROM segments")}
    return [p for p in _segment_dirs(path) if p.name not in live]


def _segment_dirs(path: Path) -> Iterator[Path]:
    if path.is_dir():
        yield from (p for p in path.iterdir() if p.is_dir() and _SEGMENT_DIR.match(p.name))


def _sqlite(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path / "chroma.sqlite3", timeout=30, isolation_level=None)


def _sweep_segments(path: Path, compact: bool) -> None:
    """Chroma 1.x keeps a deleted collection's folder, text index and pages: reclaim them."""
    orphans = orphan_segments(path)
    for folder in orphans:
        shutil.rmtree(folder, ignore_errors=True)
    with contextlib.closing(_sqlite(path)) as db:
        free = db.execute("PRAGMA freelist_count").fetchone()[0]
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        if not (compact or orphans or (pages and free * 4 > pages)):
            return
        fts = "embedding_fulltext_search"
        if db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (fts,)).fetchone():
            db.execute(f"INSERT INTO {fts}({fts}) VALUES('optimize')")  # drop deleted rows
        db.execute("VACUUM")


def check_live(settings: Settings, manifest: Manifest, client: Any | None = None) -> str:
    """Why the live generation cannot serve ('' if it opens and holds what the manifest says)."""
    try:
        client = client or make_client(settings)
        chunks = guard_store(settings, lambda: client.get_collection(manifest.collection))
        guard_store(settings, lambda: client.get_collection(manifest.units_collection))
        count = guard_store(settings, chunks.count)
    except (IndexCorrupt, StoreUnavailable, IndexMissing) as exc:
        if "cannot be read or written" not in str(exc):
            return str(exc)
        return (
            f"the index in {settings.index_dir} is incomplete ({manifest.collection} is "
            "missing or unreadable); run `prep index --rebuild`"
        )
    if count != manifest.chunk_count:
        return (
            f"the index in {settings.index_dir} holds {count} chunks, its manifest "
            f"{manifest.chunk_count}; run `prep index --rebuild`"
        )
    return ""


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

    def failed(self) -> dict[str, dict[str, str]]:
        """Files that read fine but failed to chunk, by name (with the hash they failed at)."""
        return {r["name"]: r for r in self.skipped if r.get("sha256")}

    @classmethod
    def load(cls, index_dir: Path) -> Manifest | None:
        """The manifest, None if there is no index yet; raises IndexCorrupt if unreadable."""
        path = index_dir / MANIFEST
        try:
            if not path.exists():
                return None
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise os_problem(exc, index_dir, "PREP_INDEX_DIR (--index)") from exc
        try:
            data = json.loads(text)
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
        try:
            index_dir.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=index_dir, prefix=".manifest-", suffix=".json")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(self.__dict__, fh, indent=1, sort_keys=True)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, index_dir / MANIFEST)
        except OSError as exc:
            raise os_problem(exc, index_dir, "PREP_INDEX_DIR (--index)") from exc

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


def _reading_order(chunk: StoredChunk) -> tuple[str, int]:
    """Chunks in the order a reader meets them: by file, then by position in it."""
    return str(chunk.metadata.get("source", "")), int(chunk.metadata.get("start", 0))


class IndexReader:
    """Read access to the active index generation."""

    def __init__(self, settings: Settings, client: Any | None = None):
        manifest = Manifest.load(settings.index_dir)
        if manifest is None:
            raise IndexMissing(f"no index in {settings.index_dir}; run `prep index` to build it")
        self.settings = settings
        self.manifest = manifest
        self._all: list[StoredChunk] | None = None
        from assistant.index.snapshot import Snapshot

        self.snapshot = None if client is not None else Snapshot.load(settings, manifest)
        if self.snapshot is not None:  # what a question reads, without importing chromadb
            self._all = sorted(
                (StoredChunk(r.id, r.search_text, r.metadata) for r in self.snapshot.chunks),
                key=_reading_order,
            )
            return
        self.client = client or make_client(settings)
        self._guard = lambda call: guard_store(settings, call)
        try:
            self.chunks = self.client.get_collection(manifest.collection)
            self.units = self.client.get_collection(manifest.units_collection)
        except Exception as exc:
            problem = store_problem(exc, settings)
            if isinstance(problem, StoreUnavailable | AccessDenied):
                raise problem from exc
            raise IndexCorrupt(
                f"the index in {settings.index_dir} is incomplete ({manifest.collection} is "
                "missing); run `prep index --rebuild`"
            ) from exc

    def all_chunks(self) -> list[StoredChunk]:
        """Every chunk (for BM25), read once."""
        if self._all is None:
            got = self._guard(lambda: self.chunks.get(include=["documents", "metadatas"]))
            self._all = [
                StoredChunk(i, d or "", dict(m or {}))
                for i, d, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
            ]
            self._all.sort(key=_reading_order)
        return self._all

    def dense(
        self, vector: list[float], n: int, where: dict[str, Any] | None = None
    ) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity), best first."""
        if self.snapshot is not None:
            return self.snapshot.dense(vector, n, where)
        count = self._guard(self.chunks.count)
        if count == 0:
            return []
        got = self._guard(
            lambda: self.chunks.query(
                query_embeddings=[vector],
                n_results=min(n, count),
                where=where or None,
                include=["distances"],
            )
        )
        return [
            (i, 1.0 - float(d)) for i, d in zip(got["ids"][0], got["distances"][0], strict=True)
        ]

    def unit_vectors(self, ids: list[str]) -> dict[str, list[float]]:
        """Stored unit embeddings by id."""
        if not ids:
            return {}
        if self.snapshot is not None:
            return self.snapshot.unit_vectors(ids)
        got = self._guard(lambda: self.units.get(ids=ids, include=["embeddings"]))
        return {i: list(map(float, e)) for i, e in zip(got["ids"], got["embeddings"], strict=True)}
