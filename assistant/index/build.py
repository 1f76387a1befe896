"""Index: build or update the Chroma index incrementally, never losing the previous one."""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from assistant.index.chunking import Chunker, tiktoken_counter
from assistant.index.doc_encoder import DocumentEmbedder
from assistant.index.embeddings import MiniLMEmbeddings, model_fingerprint, window_counter
from assistant.errors import (
    IndexBusy,
    IndexCorrupt,
    PrepError,
    SeedsMissing,
    os_problem,
)
from assistant.ingest.documents import Document, Skipped, guarded
from assistant.ingest.library import load_all
from assistant.settings import Settings
from assistant.index.store import (
    Manifest,
    check_live,
    collect_garbage,
    make_client,
    store_problem,
)
from assistant.index.writer import Writer, copy_files

CHUNKER_VERSION = 6  # 5: table rows store their label and cells; 6: chunks their heading
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
    document_encoder: str = ""  # the index-time path and its check against fp32


def fingerprint(settings: Settings) -> dict[str, Any]:
    """Everything that changes what is stored; a mismatch forces a full rebuild."""
    return {
        "model": model_fingerprint(settings.resolved_model_path()),
        "chunk_tokens": settings.chunk_tokens,
        "embed_window": settings.embed_window,
        "embed_path": settings.embed_path,
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


@contextlib.contextmanager
def _lock(settings: Settings, notify: Callable[[str], None]) -> Iterator[None]:
    """One build at a time per index folder; a second one says so and waits its turn."""
    from filelock import FileLock, Timeout

    lock = FileLock(str(settings.index_dir / ".lock"))
    try:
        settings.index_dir.mkdir(parents=True, exist_ok=True)
        lock.acquire(timeout=0)
    except Timeout:  # a TimeoutError, so an OSError too: caught first
        notify(f"another `prep index` is updating {settings.index_dir}; waiting for it to finish")
        try:
            lock.acquire(timeout=settings.lock_timeout)
        except Timeout as exc:
            raise IndexBusy(
                f"another `prep index` has held {settings.index_dir} for "
                f"{settings.lock_timeout:g} s; wait for it, or stop it and run `prep index` again"
            ) from exc
    except OSError as exc:
        raise os_problem(exc, settings.index_dir, "PREP_INDEX_DIR (--index)") from exc
    try:
        yield
    finally:
        lock.release()


def _cosine_collection(client: Any, name: str) -> Any:
    return client.create_collection(
        name, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
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
        fp = fingerprint(settings)
        report = IndexReport(skipped=skipped)
        if old is None:
            report.reason = "new index"
        elif rebuild:
            report.reason = "rebuild requested"
        elif old.fingerprint != fp:
            changed_keys = changed_settings(old.fingerprint, fp)
            report.reason = f"index settings changed ({', '.join(changed_keys)}): full rebuild"
        client = _open_client(settings, rebuild)
        if old is not None and not report.reason and check_live(settings, old, client):
            report.reason = "the stored index is missing or incomplete: full rebuild"
        if old is not None and not report.reason:  # files that failed before, unchanged: skip
            docs = _known_failures(old, docs, report.skipped)
        report.files = len(docs)
        if not docs:
            why = "; ".join(f"{s.name}: {s.reason}" for s in report.skipped[:3])
            raise SeedsMissing(
                f"no readable .txt, .md or .pdf document in {seeds} or {settings.docs_dir}"
                + (f" ({why})" if why else "")
                + "; add documents or pass --seeds DIR"
            )
        by_name = {d.name: d for d in docs}
        reuse: list[str] = []
        if old is not None and not report.reason:
            reuse = [n for n, info in old.files.items() if n in by_name and same(by_name[n], info)]
        report.reused = reuse
        todo = [d for d in docs if d.name not in reuse]
        report.removed = sorted(set(old.files) - set(by_name)) if old else []
        if old is not None and not report.reason and not todo and not report.removed:
            report.up_to_date = True
            report.chunks = old.chunk_count
            rows = _skipped_rows(report.skipped)
            if old.skipped != rows:
                old.skipped = rows
                old.save(settings.index_dir)
            collect_garbage(settings, client, {old.collection, old.units_collection})
            _snapshot(settings, client, old, notify)
            report.query_encoder = _query_encoder(settings)
            report.seconds = time.perf_counter() - started
            return report
        embedder = document_embedder(settings)
        report.chunks, files, failed = _write_generation(
            settings, client, old, reuse, todo, progress, embedder
        )
        report.document_encoder = embedder.describe()
        report.skipped.extend(failed)
        report.files -= len(failed)
        report.embedded = [d.name for d in todo if d.name in files]
        report.embedded_chunks = sum(files[n]["chunks"] for n in report.embedded)
        manifest = Manifest(
            collection=files.pop("__chunks__")["name"],
            units_collection=files.pop("__units__")["name"],
            fingerprint=fp,
            files=files,
            skipped=_skipped_rows(report.skipped),
            built_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        )
        manifest.save(settings.index_dir)
        collect_garbage(settings, client, {manifest.collection, manifest.units_collection})
        _snapshot(settings, client, manifest, notify)
        report.query_encoder = _query_encoder(settings)
        report.seconds = time.perf_counter() - started
        return report


def _snapshot(
    settings: Settings, client: Any, manifest: Manifest, notify: Callable[[str], None] | None
) -> None:
    """Copy the live generation for fast reads; a failed copy is removed, never fatal."""
    from assistant.index.snapshot import is_current, remove_snapshot, write_snapshot

    if is_current(settings, manifest):
        return  # an up-to-date build, or a `chroma run` server (no copy)
    try:
        write_snapshot(settings, client, manifest)
    except Exception as exc:  # questions read Chroma instead: slower, still right
        remove_snapshot(settings.index_dir)
        if notify is not None:
            notify(f"note: no fast-read copy of the index ({type(exc).__name__}: {exc})")


def same(doc: Document, info: dict[str, Any]) -> bool:
    """The indexed copy is current: same content and same company (prep add --company)."""
    company = str(doc.meta.get("company", ""))
    return doc.sha256 == info.get("sha256") and company == info.get("company", "")


def _skipped_rows(skipped: list[Skipped]) -> list[dict[str, str]]:
    """Skipped files as the manifest keeps them (with the content hash of a file that failed)."""
    return [
        {"name": s.name, "reason": s.reason, **({"sha256": s.sha256} if s.sha256 else {})}
        for s in skipped
    ]


def _known_failures(old: Manifest, docs: list[Document], skipped: list[Skipped]) -> list[Document]:
    """Docs minus those that failed to chunk last time with the same content (added to skipped)."""
    failed = old.failed()
    keep = []
    for doc in docs:
        row = failed.get(doc.name)
        if row and row["sha256"] == doc.sha256:
            skipped.append(Skipped(doc.name, row["reason"], doc.sha256))
        else:
            keep.append(doc)
    return keep


def _query_encoder(settings: Settings) -> str:
    """Make sure questions can be embedded without torch (ONNX export, checked once per model)."""
    from assistant.index.onnx_encoder import export_query_encoder, verified_encoder

    if settings.query_encoder != "onnx":
        return "sentence-transformers"
    if verified_encoder(settings) is not None:
        return "onnx"
    embedder = MiniLMEmbeddings(model_path=str(settings.resolved_model_path()))
    return export_query_encoder(settings, embedder.model)


def document_embedder(settings: Settings) -> DocumentEmbedder:
    """The index-time embedder, checked against MiniLM fp32 on sentence-transformers."""
    reference = MiniLMEmbeddings(
        model_path=str(settings.resolved_model_path()), batch_size=settings.embed_batch_size
    )
    return DocumentEmbedder(settings, reference)


def _write_generation(
    settings: Settings,
    client: Any,
    old: Manifest | None,
    reuse: list[str],
    todo: list[Document],
    progress: Progress | None,
    embedder: DocumentEmbedder,
) -> tuple[int, dict[str, Any], list[Skipped]]:
    """Build a complete new generation beside the old one; the caller switches the manifest."""
    gen = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S") + "-" + uuid.uuid4().hex[:6]
    ns = settings.collection_prefix()
    names = {"__chunks__": {"name": f"{ns}chunks-{gen}"}, "__units__": {"name": f"{ns}units-{gen}"}}
    files: dict[str, Any] = {}
    failed: list[Skipped] = []
    try:
        new_chunks = _cosine_collection(client, names["__chunks__"]["name"])
        new_units = _cosine_collection(client, names["__units__"]["name"])
        max_batch = int(client.get_max_batch_size())
    except PrepError:
        raise
    except Exception as exc:
        raise store_problem(exc, settings) from exc
    try:
        if old is not None and reuse:
            copy_files(client.get_collection(old.collection), new_chunks, reuse, max_batch)
            copy_files(client.get_collection(old.units_collection), new_units, reuse, max_batch)
            files.update({n: old.files[n] for n in reuse})
        chunker = make_chunker(settings)
        writer = Writer(new_chunks, new_units, embedder, max_batch)
        tick = progress or (lambda done, total: None)
        for n, doc in enumerate(todo, start=1):  # chunked one document at a time: memory stays flat
            chunks = guarded(doc.name, partial(chunker.chunk, doc))
            if isinstance(chunks, Skipped):
                failed.append(Skipped(doc.name, chunks.reason, doc.sha256))
                tick(n, len(todo))
                continue
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
    return sum(int(f["chunks"]) for f in files.values()), {**files, **names}, failed
