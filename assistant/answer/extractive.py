"""Answer (extractive): pick the few sentences or table rows that answer, each with its citation."""

from __future__ import annotations

from typing import Any

from langchain_core.documents import Document
from pydantic import BaseModel, ConfigDict

from assistant.answer.citations import DIFFERENT, Answer, Citation, Sentence, Source
from assistant.domain.figures import MONEY, currencies_asked, find_figures
from assistant.index.embeddings import dot
from assistant.retrieve.scoring import Candidate, UnitScorer, adds_to, companies_in
from assistant.textnorm import match_key


class ExtractiveAnswerer(BaseModel):
    """Picks the best-scoring sentences/rows of the retrieved chunks and writes a cited answer.

    Score = dense similarity (stored unit vectors) + IDF-weighted overlap of question terms, with
    a bonus for figures when the question asks for an amount; near-duplicates, questions and
    sentences that only repeat the question are dropped, and a low best score means the
    documents do not cover the question.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    retriever: Any  # HybridSearch: gives the query vector and the reader
    max_sentences: int
    min_score: float
    relative: float
    min_new_terms: int
    same_vector: float
    same_words: float
    companies: tuple[str, ...] = ()

    def invoke(self, input: dict[str, Any], config: Any = None, **kwargs: Any) -> Answer:
        """Answer {"question", "documents"} (plain, not a Runnable: `chain()` wraps it in one)."""
        return self._answer(input)

    def _answer(self, input: dict[str, Any]) -> Answer:
        question: str = input["question"]
        docs: list[Document] = input["documents"]
        scorer = self.scorer()
        missing = scorer.unknown_names(question)
        if missing:
            names = ", ".join(f"'{m}'" for m in missing)
            return Answer.refusal(question, f"The documents never mention {names}.")
        uncovered = scorer.uncovered_topic(question)
        if uncovered:
            company, words = uncovered
            return Answer.refusal(
                question, f"The {company.title()} documents say nothing about {', '.join(words)}."
            )
        candidates = scorer.score(question, self.retriever.query_vector(question), docs)
        picked = self.select(candidates, question)
        if not picked:
            return Answer.refusal(question)
        answer = self.compose(question, picked)
        caveats = [
            c
            for c in (scorer.scope_caveat(question, picked), currency_caveat(question, picked))
            if c
        ]
        return answer.model_copy(update={"caveat": " ".join(caveats) or None})

    # --- scoring ----------------------------------------------------------------------------
    def scorer(self) -> UnitScorer:
        """The unit scorer over the retriever's index: the rerank and the answer judge alike."""
        scorer: UnitScorer = self.retriever.scorer()
        return scorer

    def select(self, candidates: list[Candidate], question: str = "") -> list[Candidate]:
        """The best units above the bar, without near-duplicates, at most max_sentences.

        A question naming several companies gets the best unit of each company first.
        """
        # A sentence that asks, or only repeats the question, is never an answer.
        candidates = [
            c
            for c in candidates
            if c.score >= self.min_score
            and adds_to(question, c.text, self.min_new_terms, self.companies)
        ]
        if not candidates:
            return []
        floor = max(self.min_score, self.relative * candidates[0].score)
        asked = companies_in(question, self.companies)
        if len(asked) > 1:
            firsts = []
            for company in sorted(asked):
                best = next(
                    (c for c in candidates if c.chunk.metadata.get("company") == company), None
                )
                if best is not None and best.score >= self.min_score:
                    firsts.append(best)
            rest = [c for c in candidates if all(c is not f for f in firsts)]
            candidates = sorted(firsts, key=lambda c: -c.score) + rest
            floor = min([floor, *(f.score for f in firsts)])
        picked: list[Candidate] = []
        seen_text: list[set[str]] = []
        for cand in candidates:
            if len(picked) >= self.max_sentences:
                break
            if cand.score < floor:
                continue
            words = set(match_key(cand.text).split())
            if any(dot(cand.vector, p.vector) > self.same_vector for p in picked):
                continue
            if any(len(words & s) / max(1, len(words | s)) > self.same_words for s in seen_text):
                continue
            if any(restates(cand, p) for p in picked):
                continue
            picked.append(cand)
            seen_text.append(words)
        return picked

    # --- writing ----------------------------------------------------------------------------
    def compose(self, question: str, picked: list[Candidate]) -> Answer:
        """The answer text, one cited sentence per picked unit, and the sources list."""
        sources: list[Source] = []
        markers: dict[str, int] = {}
        sentences: list[Sentence] = []
        for cand in picked:
            meta = cand.chunk.metadata
            file = str(meta["source"])
            if file not in markers:
                markers[file] = len(markers) + 1
                sources.append(
                    Source(
                        marker=markers[file],
                        file=file,
                        title=str(meta.get("title", "")),
                        last_updated=str(meta["last_updated"])
                        if meta.get("last_updated")
                        else None,
                    )
                )
            source = sources[markers[file] - 1]
            section = str(meta.get("section", ""))
            if section and section not in source.sections:
                source.sections.append(section)
            sentences.append(
                Sentence(
                    text=cand.text,
                    citation=Citation(
                        marker=markers[file],
                        file=file,
                        section=section,
                        start=cand.start,
                        end=cand.end,
                        score=round(cand.score, 4),
                        chunk_id=str(meta["id"]),
                        chunk_start=int(meta.get("start", 0)),
                        chunk_end=int(meta.get("end", 0)),
                        passage=cand.chunk.page_content,
                    ),
                )
            )
        note = None
        with_figures = {s.citation.file for s in sentences if s.citation and MONEY.search(s.text)}
        if len(with_figures) > 1:
            note = DIFFERENT
        return Answer(question=question, sentences=sentences, sources=sources, note=note)


def currency_caveat(question: str, picked: list[Candidate]) -> str | None:
    """'No figure in GBP; they give USD:' when no quoted figure is in the currency asked for."""
    asked = currencies_asked(question)
    if not asked:
        return None
    given = {f.currency for c in picked for f in find_figures(c.text) if f.currency}
    if not given or asked & given:
        return None
    return (
        f"The documents give no figure in {', '.join(sorted(asked))}; "
        f"they give {', '.join(sorted(given))}:"
    )


def restates(cand: Candidate, other: Candidate) -> bool:
    """Whether a unit only repeats amounts its own source already gave in another picked unit."""
    if cand.chunk.metadata.get("source") != other.chunk.metadata.get("source"):
        return False
    mine = [f for f in find_figures(cand.text) if not f.percent]
    said = [f for f in find_figures(other.text) if not f.percent]
    return bool(mine) and all(any(f.matches(g, 0.0) for g in said) for f in mine)
