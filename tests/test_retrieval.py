"""Hybrid retrieval, fusion and the chain over a real Chroma index built with a fake embedder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import FakeEmbeddings, copy_seeds

from assistant.app.service import Assistant
from assistant.errors import BadQuestion, IndexMissing
from assistant.index.store import IndexReader
from assistant.retrieve.hybrid import lexical_index, rrf
from assistant.retrieve.lc_retriever import HybridRetriever
from assistant.settings import Settings


@pytest.fixture(scope="module")
def fake_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """The seeds indexed with FakeEmbeddings instead of MiniLM (fast, deterministic)."""
    from assistant.index.build import build_index

    base = tmp_path_factory.mktemp("fake")
    settings = Settings(  # no ONNX export of the real model: questions use the fake too
        seeds_dir=copy_seeds(base / "seeds"),
        index_dir=base / "index",
        query_encoder="sentence-transformers",
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("assistant.index.build.MiniLMEmbeddings", FakeEmbeddings)
        report = build_index(settings)
    assert report.files == 5 and report.chunks > 0
    yield settings


def _retriever(settings: Settings, **kw: object) -> HybridRetriever:
    return HybridRetriever.from_settings(settings, IndexReader(settings), FakeEmbeddings(), **kw)


def test_rrf_sums_reciprocal_ranks() -> None:
    scores = rrf([["a", "b", "c"], ["b", "d"]], k=60)
    assert scores["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert scores["a"] == pytest.approx(1 / 61)
    assert max(scores, key=lambda i: scores[i]) == "b"
    assert rrf([], 60) == {}


def test_reader_needs_an_index(tmp_path: Path) -> None:
    with pytest.raises(IndexMissing, match="prep index"):
        IndexReader(Settings(index_dir=tmp_path / "none"))


def test_bm25_finds_a_table_figure(fake_index: Settings) -> None:
    reader = IndexReader(fake_index)
    hits = lexical_index(reader).search("410,000 total compensation", 3)
    assert hits and hits[0][0].startswith("002_8db1711b4835dccc.txt::")
    assert lexical_index(reader) is lexical_index(reader)  # built once per reader


def test_k_and_metadata(fake_index: Settings) -> None:
    docs = _retriever(fake_index, k=4).invoke("How many onsite rounds does Netflix have?")
    assert len(docs) == 4
    assert len({d.metadata["id"] for d in docs}) == 4
    for d in docs:
        assert d.page_content and d.metadata["source"].endswith(".txt")
        assert {"id", "section", "start", "end", "units", "score"} <= set(d.metadata)
        assert d.id == d.metadata["id"]


def test_company_filter(fake_index: Settings) -> None:
    docs = _retriever(fake_index, k=6, company="spotify").invoke("What is the bonus?")
    assert docs and {d.metadata["company"] for d in docs} == {"spotify"}
    docs = _retriever(fake_index, k=3).invoke("What is the bonus?", company="spotify")
    assert len(docs) == 3 and {d.metadata["company"] for d in docs} == {"spotify"}


def test_comparison_interleaves_companies(fake_index: Settings) -> None:
    docs = _retriever(fake_index, k=4).invoke("Compare Netflix and Spotify base salary")
    assert len(docs) == 4
    assert {d.metadata["company"] for d in docs} == {"netflix", "spotify"}


def test_chain_answers_with_citations(
    fake_index: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("assistant.index.embeddings.MiniLMEmbeddings", FakeEmbeddings)
    assistant = Assistant(fake_index)
    docs, answer = assistant.run("What is the total compensation for a Senior (IC3) ML engineer?")
    assert docs
    if not answer.refused:
        for s in answer.sentences:
            cited = (fake_index.seeds_dir / s.citation.file).read_text(encoding="utf-8")
            assert 0 <= s.citation.start < s.citation.end <= len(cited)
    assert assistant.companies() == ["netflix", "spotify"]
    with pytest.raises(BadQuestion, match="use one of: netflix, spotify"):
        assistant.ask("What is the bonus?", company="nosuch")
    with pytest.raises(BadQuestion):
        assistant.ask("   ")


def test_companies_named_in_a_question_include_multi_word_names() -> None:
    """The retriever finds the indexed companies a question names, one word or several."""
    from types import SimpleNamespace

    from assistant.retrieve.lc_retriever import HybridRetriever

    chunks = {
        str(n): SimpleNamespace(metadata={"company": c})
        for n, c in enumerate(["zephyr robotics", "hooli", "", "globex"])
    }
    named = HybridRetriever._companies_named("Zephyr Robotics or Hooli's pay?", chunks)
    assert named == {"zephyr robotics", "hooli"}
    assert HybridRetriever._companies_named("robotics pay at globexx", chunks) == set()


def test_without_companies_reads_every_company_name_as_one_neutral_word() -> None:
    """The rerank's question: each company (any case, possessive, several words) made neutral."""
    from assistant.retrieve.scoring import without_companies

    companies = ("zephyr robotics", "zephyr", "hooli")
    question = "Zephyr Robotics' L5 pay vs HOOLI's, and zephyr's bonus? (not zephyrs)"
    assert without_companies(question, companies, "the company") == (
        "the company' L5 pay vs the company, and the company bonus? (not zephyrs)"
    )
    assert without_companies(question, companies, "") == question  # '' keeps the names
    assert without_companies(question, (), "the company") == question


def test_rerank_embeds_the_question_without_its_company(fake_index: Settings) -> None:
    """The rerank scores units against the neutral question; retrieval against the typed one.

    Both are embedded in one batch, and only when a company is named.
    """
    seen: list[str] = []

    class Recording(FakeEmbeddings):
        def embed_query(self, text: str) -> list[float]:
            seen.append(text)
            return super().embed_query(text)

        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            seen.extend(texts)
            return super().embed_documents(texts)

    retriever = HybridRetriever.from_settings(
        fake_index, IndexReader(fake_index), Recording(), companies=("netflix", "spotify")
    )
    retriever.invoke("What is the Netflix L5 bonus?")
    assert seen == ["What is the Netflix L5 bonus?", "What is the the company L5 bonus?"]
    seen.clear()
    retriever.invoke("What is the L5 bonus?")  # no company named: one vector serves both
    assert seen == ["What is the L5 bonus?"]
