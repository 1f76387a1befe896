"""A fake index reader for unit tests of the scorer: chunks with their text, unit vectors equal."""

from __future__ import annotations

import json
from dataclasses import dataclass

from langchain_core.documents import Document

from assistant.retrieve.lexical import LexicalIndex
from assistant.retrieve.scoring import Cues, UnitScorer
from assistant.settings import Settings


@dataclass
class FakeChunk:
    search_text: str


@dataclass
class FakeReader:
    texts: list[str]

    def all_chunks(self) -> list[FakeChunk]:
        return [FakeChunk(t) for t in self.texts]

    def unit_vectors(self, ids: list[str]) -> dict[str, list[float]]:
        return {i: [1.0, 0.0] for i in ids}  # every unit alike: only term overlap and cues differ


def chunk_of(n: int, text: str, heading: str = "") -> Document:
    """One chunk whose single sentence is `text`, as the scorer reads it."""
    units = json.dumps([[0, len(text), "sentence", text]])
    meta = {"id": f"c{n}", "units": units, "heading": heading, "source": f"f{n}.md"}
    return Document(page_content=text, metadata=meta)


def scorer_over(*texts: str) -> UnitScorer:
    """A unit scorer whose index holds these texts, one chunk each."""
    lexical = LexicalIndex([str(i) for i in range(len(texts))], list(texts))
    cues = Cues.from_settings(Settings())
    return UnitScorer(FakeReader(list(texts)), lexical, (), 0.5, 0.12, cues)
