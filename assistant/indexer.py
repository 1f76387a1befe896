"""Index: build or update the Chroma index incrementally, never losing the previous one."""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from assistant.chunking import Chunk, Chunker, tiktoken_counter
from assistant.embeddings import MiniLMEmbeddings, model_fingerprint, window_counter
from assistant.errors import IndexBusy, IndexCorrupt, SeedsMissing
from assistant.ingest import Document, Skipped
from assistant.library import load_all
from assistant.settings import Settings
from assistant.store import Manifest, make_client
from assistant.textnorm import normalize

CHUNKER_VERSION = 4
FLUSH_AT = 256  # chunks embedded and written per batch: memory stays flat on large folders
Progress = Callable[[int, int], None]


@dataclass
class IndexReport:
    """What one `prep index` run did."""

    files: int = 0
    chunks: int = 0
    embedded: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    embedded_chunks: int = 0
    up_to_date: bool = False
    reason: str = ""
    seconds: float = 0.0
    query_encoder: str = ""


def fingerprint(settings: Settings) -> dict[str, Any]:
    """Everything that changes what is stored; a mismatch forces a full rebuild."""
    return {
        "model": model_fingerprint(settings.resolved_model_path()),
        "chunk_tokens": settings.chunk_tokens,
        "embed_window": settings.embed_window,
        "tiktoken": settings.tiktoken_encoding,
        "chunker": CHUNKER_VERSION,
        "store": settings.chroma_url or "local",
    }


def changed_settings(built: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """The fingerprint keys whose value differs from the ones the index was built with."""
    return sorted(k for k in current if built.get(k) != current[k])


def make_chunker(settings: Settings) -> Chunker:
    """The chunker the settings describe."""
    return Chunker(
        settings.chunk_tokens,
        settings.embed_window,
        tiktoken_counter(settings.tiktoken_encoding),
        window_counter(str(settings.resolved_model_path())),
    )


def unit_embed_text(chunk_section: str, text: str) -> str:
    """What is embedded for one citable unit: its last heading gives it context."""
    head = chunk_section.rsplit(" > ", 1)[-1]
    return normalize(f"{head}: {text}" if head else text)


@contextlib.contextmanager
def _lock(settings: Settings, notify: Callable[[str], None]) -> Iterator[None]:
    """One build at a time per index folder; a second one says so and waits its turn."""
    from filelock import FileLock, Timeout

    settings.index_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(settings.index_dir / ".lock"))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        notify(f"another `prep index` is updating {settings.index_dir}; waiting for it to finish")
        try:
            lock.acquire(timeout=settings.lock_timeout)
        except Timeout as exc:
            raise IndexBusy(
                f"another `prep index` has held {settings.index_dir} for "
                f"{settings.lock_timeout:g} s; wait for it, or stop it and run `prep index` again"
            ) from exc
    try:
        yield
    finally:
        lock.release()


def _cosine_collection(client: Any, name: str) -> Any:
    return client.create_collection(
        name, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
    )


class _Writer:
    """Embeds chunks and their units in batches and writes them to the new collections."""

    def __init__(self, chunks: Any, units: Any, embedder: MiniLMEmbeddings):
        self.chunks, self.units, self.embedder = chunks, units, embedder
        self.pending: list[Chunk] = []

    def add(self, items: list[Chunk]) -> None:
        self.pending.extend(items)
        if len(self.pending) >= FLUSH_AT:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        batch, self.pending = self.pending, []
        vectors = self.embedder.embed_documents([c.search_text for c in batch])
        self.chunks.add(
            ids=[c.id for c in batch],
            embeddings=vectors,
            documents=[c.search_text for c in batch],
            metadatas=[{**c.metadata(), "text": c.text} for c in batch],
        )
        unit_ids, unit_texts, unit_meta = [], [], []
        for c in batch:
            for n, u in enumerate(c.units):
                unit_ids.append(f"{c.id}#u{n}")
                unit_texts.append(unit_embed_text(c.section, u.text))
                unit_meta.append({"source": c.source, "chunk": c.id})
        if unit_ids:
            self.units.add(
                ids=unit_ids,
                embeddings=self.embedder.embed_documents(unit_texts),
                metadatas=unit_meta,
            )


def _copy(src: Any, dst: Any, names: list[str]) -> None:
    """Copy the stored records of unchanged files into the new generation (no re-embedding)."""
    for name in names:
        got = src.get(where={"source": name}, include=["embeddings", "documents", "metadatas"])
        if got["ids"]:
            dst.add(
                ids=got["ids"],
                embeddings=got["embeddings"],
                documents=got["documents"],
                metadatas=got["metadatas"],
            )


def _open_client(settings: Settings, rebuild: bool) -> Any:
    try:
        return make_client(settings)
    except IndexCorrupt:
        if not rebuild:
            raise
        from chromadb.api.shared_system_client import SharedSystemClient

        broken = settings.index_dir / f"chroma.broken-{int(time.time())}"
        shutil.move(str(settings.index_dir / "chroma"), broken)
        SharedSystemClient.clear_system_cache()  # chroma caches the failed open per path
        return make_client(settings)


def build_index(
    settings: Settings,
    rebuild: bool = False,
    progress: Progress | None = None,
    notify: Callable[[str], None] | None = None,
) -> IndexReport:
    """Bring the index in line with the documents folders; re-embed only what changed."""
    started = time.perf_counter()
    seeds = settings.seeds_dir
    if not seeds.is_dir():
        raise SeedsMissing(
            f"documents folder {seeds} does not exist; create it or pass --seeds DIR"
        )
    with _lock(settings, notify or (lambda msg: None)):
        try:
            old = Manifest.load(settings.index_dir)
        except IndexCorrupt:
            if not rebuild:
                raise
            old = None
        docs, skipped = load_all(settings)
        report = IndexReport(files=len(docs), skipped=skipped)
        if not docs:
            why = "; ".join(f"{s.name}: {s.reason}" for s in skipped[:3])
            raise SeedsMissing(
                f"no readable .txt, .md or .pdf document in {seeds} or {settings.docs_dir}"
                + (f" ({why})" if why else "")
                + "; add documents or pass --seeds DIR"
            )
        fp = fingerprint(settings)
        if old is None:
            report.reason = "new index"
        elif rebuild:
            report.reason = "rebuild requested"
        elif old.fingerprint != fp:
            changed_keys = changed_settings(old.fingerprint, fp)
            report.reason = f"index settings changed ({', '.join(changed_keys)}): full rebuild"
        by_name = {d.name: d for d in docs}
        reuse: list[str] = []
        if old is not None and not report.reason:
            reuse = [
                n
                for n, info in old.files.items()
                if n in by_name and by_name[n].sha256 == info["sha256"]
            ]
        report.reused = reuse
        todo = [d for d in docs if d.name not in reuse]
        report.removed = sorted(set(old.files) - set(by_name)) if old else []
        skipped_rows = [{"name": s.name, "reason": s.reason} for s in skipped]
        if old is not None and not report.reason and not todo and not report.removed:
            report.up_to_date = True
            report.chunks = old.chunk_count
            if old.skipped != skipped_rows:
                old.skipped = skipped_rows
                old.save(settings.index_dir)
            report.query_encoder = _query_encoder(settings)
            report.seconds = time.perf_counter() - started
            return report
        client = _open_client(settings, rebuild)
        report.chunks, files = _write_generation(settings, client, old, reuse, todo, fp, progress)
        report.embedded = [d.name for d in todo]
        report.embedded_chunks = sum(files[d.name]["chunks"] for d in todo)
        manifest = Manifest(
            collection=files.pop("__chunks__")["name"],
            units_collection=files.pop("__units__")["name"],
            fingerprint=fp,
            files=files,
            skipped=skipped_rows,
            built_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        )
        manifest.save(settings.index_dir)
        _collect_garbage(settings, client, manifest)
        report.query_encoder = _query_encoder(settings)
        report.seconds = time.perf_counter() - started
        return report


def _query_encoder(settings: Settings) -> str:
    """Make sure questions can be embedded without torch (ONNX export, checked once per model)."""
    from assistant.onnx_encoder import export_query_encoder, verified_encoder

    if settings.query_encoder != "onnx":
        return "sentence-transformers"
    if verified_encoder(settings) is not None:
        return "onnx"
    embedder = MiniLMEmbeddings(model_path=str(settings.resolved_model_path()))
    return export_query_encoder(settings, embedder.model)


def _write_generation(
    settings: Settings,
    client: Any,
    old: Manifest | None,
    reuse: list[str],
    todo: list[Document],
    fp: dict[str, Any],
    progress: Progress | None,
) -> tuple[int, dict[str, Any]]:
    """Build a complete new generation beside the old one; the caller switches the manifest."""
    gen = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S") + "-" + uuid.uuid4().hex[:6]
    ns = settings.collection_prefix()
    names = {"__chunks__": {"name": f"{ns}chunks-{gen}"}, "__units__": {"name": f"{ns}units-{gen}"}}
    new_chunks = _cosine_collection(client, names["__chunks__"]["name"])
    new_units = _cosine_collection(client, names["__units__"]["name"])
    files: dict[str, Any] = {}
    try:
        if old is not None and reuse:
            _copy(client.get_collection(old.collection), new_chunks, reuse)
            _copy(client.get_collection(old.units_collection), new_units, reuse)
            files.update({n: old.files[n] for n in reuse})
        chunker = make_chunker(settings)
        embedder = MiniLMEmbeddings(
            model_path=str(settings.resolved_model_path()), batch_size=settings.embed_batch_size
        )
        writer = _Writer(new_chunks, new_units, embedder)
        tick = progress or (lambda done, total: None)
        for n, doc in enumerate(todo, start=1):  # chunked one document at a time: memory stays flat
            chunks = chunker.chunk(doc)
            writer.add(chunks)
            files[doc.name] = {
                "sha256": doc.sha256,
                "chunks": len(chunks),
                "title": doc.title,
                "company": doc.meta.get("company", ""),
            }
            tick(n, len(todo))
        writer.flush()
    except BaseException:
        for name in (names["__chunks__"]["name"], names["__units__"]["name"]):
            with contextlib.suppress(Exception):  # best effort: never in the manifest
                client.delete_collection(name)
        raise
    return sum(int(f["chunks"]) for f in files.values()), {**files, **names}


def _collect_garbage(settings: Settings, client: Any, manifest: Manifest) -> None:
    """Drop generations the manifest does not point at (old ones, or left by a killed build)."""
    keep = {manifest.collection, manifest.units_collection}
    ns = settings.collection_prefix()
    for col in client.list_collections():
        name = getattr(col, "name", col)
        if name not in keep and str(name).startswith((f"{ns}chunks-", f"{ns}units-")):
            with contextlib.suppress(Exception):  # a reader may hold it; the next build retries
                client.delete_collection(name)
