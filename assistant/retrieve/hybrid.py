"""Retrieve: dense (Chroma) + BM25 over the same chunks, fused with reciprocal rank fusion."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from langchain_core.documents import Document
from pydantic import BaseModel, ConfigDict, PrivateAttr

from assistant.index.store import IndexReader
from assistant.retrieve.lexical import LexicalIndex
from assistant.retrieve.scoring import Cues, UnitScorer
from assistant.settings import Settings

S = TypeVar("S", bound="HybridSearch")


def lexical_index(reader: IndexReader) -> LexicalIndex:
    """The BM25 index of a reader's chunks, built once per reader."""
    cached = getattr(reader, "_lexical", None)
    if cached is None:
        chunks = reader.all_chunks()
        cached = LexicalIndex(
            [c.id for c in chunks],
            [c.search_text for c in chunks],
            [str(c.metadata.get("company", "")) for c in chunks],
        )
        reader._lexical = cached  # type: ignore[attr-defined]
    return cached


def chunk_map(reader: IndexReader) -> tuple[dict[str, Any], tuple[str, ...]]:
    """A reader's chunks by id, and the companies they belong to, gathered once per reader."""
    cached = getattr(reader, "_chunk_map", None)
    if cached is None:
        chunks = {c.id: c for c in reader.all_chunks()}
        cached = (chunks, _companies(chunks.values()))
        reader._chunk_map = cached  # type: ignore[attr-defined]
    return cached


def _companies(chunks: Iterable[Any]) -> tuple[str, ...]:
    """The companies some chunk belongs to, sorted."""
    return tuple(sorted({str(c.metadata["company"]) for c in chunks if c.metadata.get("company")}))


def rrf(rankings: list[list[str]], k: int) -> dict[str, float]:
    """Reciprocal rank fusion: sum of 1 / (k + rank) over the rankings an id appears in."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, doc_id in enumerate(ranking, start=1):
            scores[doc_id] = scores.get(doc_id, 0.0) + 1.0 / (k + rank)
    return scores


class HybridSearch(BaseModel):
    """Dense + BM25 hybrid search over the active index, with an optional company filter.

    Plain, so a question never imports LangChain's runnables (and langsmith, ~0.5 s of a cold
    `prep ask`); `HybridRetriever` (retrieve/lc_retriever.py) is the same search as a LangChain
    retriever, for `Assistant.chain()` and anyone composing one.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    reader: IndexReader
    embedder: Any  # a LangChain Embeddings: embed_query, embed_documents
    k: int
    fetch_k: int
    rrf_k: int
    rerank_n: int
    dense_weight: float
    unknown_penalty: float
    rerank_company_word: str = ""
    cues: Cues
    company: str | None = None
    rerank: bool = True
    companies: tuple[str, ...] = ()

    @classmethod
    def from_settings(
        cls: type[S], settings: Settings, reader: IndexReader, embedder: Any, **overrides: Any
    ) -> S:
        """A retriever whose every knob comes from the settings (overrides win)."""
        knobs: dict[str, Any] = {
            "k": settings.k,
            "fetch_k": settings.fetch_k,
            "rrf_k": settings.rrf_k,
            "rerank_n": settings.rerank_n,
            "dense_weight": settings.dense_weight,
            "unknown_penalty": settings.unknown_penalty,
            "rerank_company_word": settings.rerank_company_word,
            "cues": Cues.from_settings(settings),
        }
        return cls(reader=reader, embedder=embedder, **{**knobs, **overrides})

    _last_vectors: tuple[str, list[float], list[float]] | None = PrivateAttr(default=None)

    def query_vector(self, query: str) -> list[float]:
        """The query's embedding (the last one is kept: the answerer reuses it)."""
        return self._vectors(query)[0]

    def _vectors(self, query: str) -> tuple[list[float], list[float]]:
        """The query's vector, and its vector with company names made neutral (one batch)."""
        if self._last_vectors is None or self._last_vectors[0] != query:
            from assistant.retrieve.scoring import without_companies

            neutral = without_companies(query, self.companies, self.rerank_company_word)
            if neutral == query:
                typed = self.embedder.embed_query(query)
                self._last_vectors = (query, typed, typed)
            else:
                typed, plain = self.embedder.embed_documents([query, neutral])
                self._last_vectors = (query, typed, plain)
        return self._last_vectors[1], self._last_vectors[2]

    def search(
        self, query: str, k: int | None = None, company: str | None = None
    ) -> list[Document]:
        """The k best chunks for the query, as Documents (ranks and scores in their metadata)."""
        k = self.k if k is None else k
        company = (company or self.company or "").strip().lower() or None
        chunks, known = chunk_map(self.reader)
        named = sorted(self._companies_named(query, chunks, known)) if not company else []
        if len(named) > 1:
            # A comparison: the best chunks of each company named, interleaved.
            per = [self._ranked(query, name, chunks, k) for name in named]
            ranked = [i for group in zip(*per, strict=False) for i in group]
            rest = [i for g in per for i in g if i not in ranked]
            return self._documents([*ranked, *rest][:k], chunks, {}, {}, {})
        n = max(k, self.rerank_n) if self.rerank else k
        ranked, fused, dense_s, lex_s = self._search(query, company, chunks, n)
        docs = self._documents(ranked, chunks, fused, dense_s, lex_s)
        if self.rerank:
            docs = self._rerank(query, docs)
        return docs[:k]

    def scorer(self) -> UnitScorer:
        """The unit scorer over this retriever's index, with its knobs (the answerer's too)."""
        return UnitScorer(
            self.reader,
            lexical_index(self.reader),
            self.companies,
            self.dense_weight,
            self.unknown_penalty,
            self.cues,
        )

    def _rerank(self, query: str, docs: list[Document]) -> list[Document]:
        """Order chunks by their best sentence or row, scored as the answerer scores them."""
        scorer = self.scorer()
        best: dict[str, float] = {}
        for cand in scorer.score(query, self._rerank_vector(query), docs):
            key = str(cand.chunk.metadata["id"])
            best[key] = max(best.get(key, -1.0), cand.score)
        for doc in docs:
            doc.metadata["rerank"] = best.get(str(doc.metadata["id"]))
        order = sorted(
            range(len(docs)),
            key=lambda i: (-best.get(str(docs[i].metadata["id"]), -1.0), i),
        )
        return [docs[i] for i in order]

    def _rerank_vector(self, query: str) -> list[float]:
        """The query's vector with each indexed company's name read as a neutral word.

        Retrieval already keeps to the company asked about, so its name adds no evidence to the
        rerank; left in, it favours chunks that repeat the name over chunks that answer.
        """
        return self._vectors(query)[1]

    @staticmethod
    def _companies_named(
        query: str, chunks: dict[str, Any], known: tuple[str, ...] | None = None
    ) -> set[str]:
        from assistant.retrieve.scoring import companies_in

        return companies_in(query, _companies(chunks.values()) if known is None else known)

    def _ranked(self, query: str, company: str, chunks: dict[str, Any], k: int) -> list[str]:
        return self._search(query, company, chunks, k)[0]

    def _search(
        self, query: str, company: str | None, chunks: dict[str, Any], k: int
    ) -> tuple[list[str], dict[str, float], dict[str, float], dict[str, float]]:
        fetch = max(self.fetch_k, k)
        allowed = None
        if company:
            allowed = {i for i, c in chunks.items() if c.metadata.get("company") == company}
        dense = self.reader.dense(
            self.query_vector(query), fetch, {"company": company} if company else None
        )
        lexical = lexical_index(self.reader).search(query, fetch, allowed)
        fused = rrf([[i for i, _ in dense], [i for i, _ in lexical]], self.rrf_k)
        dense_s, lex_s = dict(dense), dict(lexical)
        ranked = sorted(fused, key=lambda i: (-fused[i], -dense_s.get(i, 0.0)))[:k]
        return ranked, fused, dense_s, lex_s

    def _documents(
        self,
        ranked: list[str],
        chunks: dict[str, Any],
        fused: dict[str, float],
        dense_s: dict[str, float],
        lex_s: dict[str, float],
    ) -> list[Document]:
        docs = []
        for rank, doc_id in enumerate(ranked, start=1):
            stored = chunks[doc_id]
            meta = {key: v for key, v in stored.metadata.items() if key != "text"}
            meta.update(
                id=doc_id,
                rank=rank,
                score=fused.get(doc_id, 0.0),
                dense=dense_s.get(doc_id),
                bm25=lex_s.get(doc_id),
                search_text=stored.search_text,
            )
            docs.append(
                Document(
                    page_content=str(stored.metadata.get("text", "")), metadata=meta, id=doc_id
                )
            )
        return docs
