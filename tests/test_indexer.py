"""Incremental indexing with the real model and a real Chroma store (each test its own index)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import copy_seeds

from assistant.errors import PrepError, SeedsMissing
from assistant.index.build import IndexReport, build_index
from assistant.index.doc_encoder import DocumentEmbedder
from assistant.index.embeddings import MiniLMEmbeddings
from assistant.index.store import IndexReader, Manifest, make_client
from assistant.retrieve.lc_retriever import HybridRetriever
from assistant.settings import Settings

# Two small seeds keep every build to a few seconds.
SMALL = ["003_f548cca58db76166.txt", "004_878f18a71d669f95.txt"]
JOB, GUIDE = SMALL


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(seeds_dir=copy_seeds(tmp_path / "seeds", SMALL), index_dir=tmp_path / "index")


@pytest.fixture
def embed_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts texts passed to the index-time embedder (one entry per call)."""
    calls: list[int] = []
    real = DocumentEmbedder.embed

    def spy(self: DocumentEmbedder, texts: list[str]) -> Any:
        calls.append(len(texts))
        return real(self, texts)

    monkeypatch.setattr(DocumentEmbedder, "embed", spy)
    return calls


def _stored_sources(settings: Settings) -> list[str]:
    reader = IndexReader(settings)
    return sorted(str(c.metadata["source"]) for c in reader.all_chunks())


def _store(settings: Settings) -> IndexReader:
    """A reader of the Chroma store itself, not of the copy questions read."""
    return IndexReader(settings.model_copy(update={"read_snapshot": False}))


def _check_consistent(settings: Settings, report: IndexReport) -> Manifest:
    """The manifest, the chunk collection and the units collection agree."""
    manifest = Manifest.load(settings.index_dir)
    assert manifest is not None
    reader = _store(settings)
    assert reader.chunks.count() == manifest.chunk_count == report.chunks
    fast = IndexReader(settings)  # the copy a question reads agrees with the store
    assert fast.snapshot is not None
    assert [c.id for c in fast.all_chunks()] == [c.id for c in reader.all_chunks()]
    assert all(json.loads(c.metadata["units"]) for c in reader.all_chunks())  # citable units
    assert reader.units.count() >= manifest.chunk_count
    names = {getattr(c, "name", c) for c in make_client(settings).list_collections()}
    assert names == {manifest.collection, manifest.units_collection}  # old generations dropped
    return manifest


@pytest.mark.model
def test_second_build_reembeds_nothing(settings: Settings, embed_calls: list[int]) -> None:
    first = build_index(settings)
    assert first.reason == "new index" and sorted(first.embedded) == SMALL
    assert first.embedded_chunks == first.chunks > 0
    manifest = _check_consistent(settings, first)
    embed_calls.clear()
    second = build_index(settings)
    assert second.up_to_date and second.embedded == [] and second.embedded_chunks == 0
    assert embed_calls == []
    assert second.chunks == first.chunks
    assert Manifest.load(settings.index_dir) == manifest


@pytest.mark.model
def test_changed_file_reembeds_only_that_file(settings: Settings, embed_calls: list[int]) -> None:
    build_index(settings)
    job_chunks = sum(s == JOB for s in _stored_sources(settings))
    path = settings.seeds_dir / GUIDE
    path.write_text(
        path.read_text(encoding="utf-8")
        + "\n\n**Relocation**\n\nSpotify pays a relocation bonus of SEK 95,000 to hires moving "
        "to Stockholm.\n",
        encoding="utf-8",
    )
    embed_calls.clear()
    report = build_index(settings)
    assert not report.up_to_date and report.reason == ""
    assert report.embedded == [GUIDE] and report.reused == [JOB] and report.removed == []
    _check_consistent(settings, report)
    assert report.embedded_chunks == sum(s == GUIDE for s in _stored_sources(settings))
    guide_units = len(_store(settings).units.get(where={"source": GUIDE})["ids"])
    assert sum(embed_calls) == report.embedded_chunks + guide_units  # the guide's, nothing else
    assert sum(s == JOB for s in _stored_sources(settings)) == job_chunks
    reader = IndexReader(settings)
    assert any("SEK 95,000" in c.search_text for c in reader.all_chunks())
    docs = HybridRetriever.from_settings(
        settings, reader, MiniLMEmbeddings(model_path=str(settings.resolved_model_path()))
    ).invoke("Spotify relocation bonus SEK 95,000 Stockholm", k=3)
    assert any("95,000" in d.page_content for d in docs)


@pytest.mark.model
def test_removed_file_drops_its_chunks(settings: Settings, embed_calls: list[int]) -> None:
    build_index(settings)
    (settings.seeds_dir / GUIDE).unlink()
    embed_calls.clear()
    report = build_index(settings)
    assert report.removed == [GUIDE] and report.embedded == [] and report.reused == [JOB]
    assert embed_calls == []
    manifest = _check_consistent(settings, report)
    assert set(manifest.files) == {JOB}
    assert set(_stored_sources(settings)) == {JOB}
    assert _store(settings).units.get(where={"source": GUIDE})["ids"] == []


@pytest.mark.model
def test_settings_change_forces_full_rebuild(settings: Settings) -> None:
    first = build_index(settings)
    smaller = settings.with_overrides(chunk_tokens=96)
    report = build_index(smaller)
    assert "chunk_tokens" in report.reason and "full rebuild" in report.reason
    assert sorted(report.embedded) == SMALL and report.reused == []
    assert report.chunks > first.chunks  # smaller chunks, more of them
    manifest = _check_consistent(smaller, report)
    assert manifest.fingerprint["chunk_tokens"] == 96
    # --rebuild re-embeds everything even when nothing changed.
    again = build_index(smaller, rebuild=True)
    assert again.reason == "rebuild requested" and sorted(again.embedded) == SMALL


@pytest.mark.model
def test_failed_rebuild_keeps_previous_index(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_index(settings)
    before = Manifest.load(settings.index_dir)
    (settings.seeds_dir / JOB).write_text("# New posting\n\nNetflix now pays in stock only.\n")
    real = DocumentEmbedder.embed
    calls: list[int] = []

    def flaky(self: DocumentEmbedder, texts: list[str]) -> Any:
        calls.append(len(texts))
        raise RuntimeError("embedding crashed midway")

    monkeypatch.setattr(DocumentEmbedder, "embed", flaky)
    with pytest.raises(PrepError, match=f"could not index {JOB} .*midway"):
        build_index(settings)
    assert len(calls) == 1
    assert Manifest.load(settings.index_dir) == before
    assert before is not None
    names = {getattr(c, "name", c) for c in make_client(settings).list_collections()}
    assert names == {before.collection, before.units_collection}  # half-built one removed
    reader = IndexReader(settings)
    docs = HybridRetriever.from_settings(
        settings, reader, MiniLMEmbeddings(model_path=str(settings.resolved_model_path()))
    ).invoke("What does the Media Algorithms role pay?", k=3)
    assert len(docs) == 3
    assert not any("stock only" in c.search_text for c in reader.all_chunks())
    monkeypatch.setattr(DocumentEmbedder, "embed", real)
    report = build_index(settings)  # the next run picks the change up
    assert report.embedded == [JOB]
    assert any("stock only" in c.search_text for c in IndexReader(settings).all_chunks())


@pytest.mark.model
def test_unreadable_file_is_listed_and_rest_indexed(settings: Settings) -> None:
    (settings.seeds_dir / "binary.txt").write_bytes(b"\x00\x01\x02Netflix")
    (settings.seeds_dir / "broken.md").write_text("---\ncompany: [x\n---\nBody text\n")
    (settings.seeds_dir / "latin1.txt").write_bytes("Café €".encode("cp1252"))
    report = build_index(settings)
    assert report.files == 2 and sorted(report.embedded) == SMALL
    reasons = {s.name: s.reason for s in report.skipped}
    assert set(reasons) == {"binary.txt", "broken.md", "latin1.txt"}
    assert all(reasons.values())
    manifest = _check_consistent(settings, report)
    assert {row["name"] for row in manifest.skipped} == set(reasons)
    # Fixing one file indexes it on the next run; the others stay listed.
    (settings.seeds_dir / "latin1.txt").write_text("Netflix pays all cash, Café.\n")
    again = build_index(settings)
    assert again.embedded == ["latin1.txt"]
    assert {s.name for s in again.skipped} == {"binary.txt", "broken.md"}


@pytest.mark.parametrize("case", ["missing", "unreadable-only"])
def test_no_readable_documents(tmp_path: Path, case: str) -> None:
    seeds = tmp_path / "seeds"
    if case == "unreadable-only":
        seeds.mkdir()
        (seeds / "a.txt").write_bytes(b"")
    settings = Settings(seeds_dir=seeds, index_dir=tmp_path / "index")
    with pytest.raises(SeedsMissing) as info:
        build_index(settings)
    assert "--seeds" in str(info.value)
    if case == "unreadable-only":
        assert "a.txt: empty file" in str(info.value)
    assert Manifest.load(settings.index_dir) is None
