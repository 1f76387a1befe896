"""Cite: the answer model (sentences, citations, sources) and its text and JSON forms."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field, computed_field

REFUSAL = (
    "The documents do not cover this question, so I won't guess. "
    "Try rephrasing it, or add a document that covers it (put it in the documents folder "
    "and run `prep index`)."
)


UNCITED = "[no source]"
# The note under an answer whose sources state different figures, each with its own citation.
DIFFERENT = "The sources give different figures; each figure is shown with its own citation."


class Citation(BaseModel):
    """Where one answer sentence comes from: file, section and character offsets."""

    marker: int
    file: str
    section: str
    start: int
    end: int
    score: float
    chunk_id: str
    chunk_start: int
    chunk_end: int
    passage: str = Field(repr=False)


class Sentence(BaseModel):
    """One sentence of the answer and its citation (None: the LLM cited nothing, flagged)."""

    text: str
    citation: Citation | None = None
    more: list[Citation] = Field(default_factory=list)

    @property
    def citations(self) -> list[Citation]:
        """Every citation of the sentence, the main one first."""
        return [self.citation, *self.more] if self.citation else []

    @property
    def markers(self) -> str:
        """'[1]', '[1][3]', or UNCITED."""
        return "".join(f"[{c.marker}]" for c in self.citations) or UNCITED


STALE_DAYS = 365


def age_days(last_updated: str | None, today: dt.date | None = None) -> int | None:
    """Days since a YYYY-MM-DD (or ISO datetime) date; None if there is no readable date."""
    if not last_updated:
        return None
    try:
        day = dt.date.fromisoformat(str(last_updated).strip()[:10])
    except ValueError:
        return None
    return ((today or dt.date.today()) - day).days


class Source(BaseModel):
    """A cited document, numbered as its marker."""

    marker: int
    file: str
    title: str
    sections: list[str] = Field(default_factory=list)
    last_updated: str | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def stale(self) -> bool:
        """Older than a year: the figures may have moved since."""
        age = age_days(self.last_updated)
        return age is not None and age > STALE_DAYS

    def dated(self) -> str:
        """'updated 2024-05-01', with a warning when the document is over a year old."""
        if not self.last_updated:
            return ""
        warn = " — over a year old, may be out of date" if self.stale else ""
        return f"updated {self.last_updated}{warn}"


class Answer(BaseModel):
    """An answer: cited sentences, or a refusal."""

    question: str
    sentences: list[Sentence] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)
    refused: bool = False
    reason: str | None = None
    note: str | None = None
    engine: str = "extractive"
    notice: str | None = None
    searched_for: str | None = None  # the question after spelling correction, if it changed
    caveat: str | None = None  # a partial answer: what the question asks that the documents lack
    removed_markers: list[int] = Field(default_factory=list)

    @property
    def uncited(self) -> list[int]:
        """Indexes of sentences that cite no passage."""
        return [i for i, s in enumerate(self.sentences) if s.citation is None]

    @classmethod
    def refusal(cls, question: str, reason: str | None = None) -> Answer:
        """The answer when nothing relevant was found."""
        return cls(question=question, refused=True, reason=reason)

    @property
    def answer(self) -> str:
        """The answer text, every sentence ending with its [n] marker."""
        if self.refused:
            return f"{self.reason} {REFUSAL}" if self.reason else REFUSAL
        lines = [self.caveat] if self.caveat else []
        lines += [f"{s.text} {s.markers}" for s in self.sentences]
        if self.note:
            lines.append(f"({self.note})")
        return "\n".join(lines)

    def sources_text(self) -> str:
        """The numbered sources: file, title, sections, date."""
        out = []
        for src in self.sources:
            where = " · ".join(src.sections)
            dated = f" ({src.dated()})" if src.last_updated else ""
            spans = ", ".join(
                f"{c.start}-{c.end}"
                for s in self.sentences
                for c in s.citations
                if c.marker == src.marker
            )
            out.append(f"[{src.marker}] {src.file} — {src.title}{dated}")
            if where:
                out.append(f"    section: {where}")
            out.append(f"    chars: {spans}")
        return "\n".join(out)

    def warnings(self) -> list[str]:
        """What the citation check found: removed markers, sentences citing nothing."""
        out = []
        if self.removed_markers:
            gone = ", ".join(f"[{m}]" for m in self.removed_markers)
            out.append(f"removed citation markers that point at no passage: {gone}")
        if self.uncited:
            n = len(self.uncited)
            out.append(
                f"{n} sentence{'s' if n > 1 else ''} cite{'' if n > 1 else 's'} no passage "
                f"(marked {UNCITED}): check them against the sources"
            )
        return out

    def to_text(self) -> str:
        """Answer and sources as shown in the terminal."""
        head = f"Searched for: {self.searched_for}\n" if self.searched_for else ""
        head += f"Note: {self.notice}\n\n" if self.notice else ("\n" if head else "")
        if self.refused:
            return head + self.answer
        return f"{head}{self.answer}\n\n{self.footer()}"

    def footer(self) -> str:
        """Citation warnings and the sources list (what follows a streamed answer)."""
        warn = "".join(f"Warning: {w}\n" for w in self.warnings())
        return f"{warn}Sources:\n{self.sources_text()}"

    def to_json(self) -> dict[str, Any]:
        """The JSON object of `prep ask --json`."""
        return {
            "question": self.question,
            "answer": self.answer,
            "refused": self.refused,
            "reason": self.reason,
            "engine": self.engine,
            "note": self.note,
            "notice": self.notice,
            "searched_for": self.searched_for,
            "caveat": self.caveat,
            "sentences": [
                {
                    "text": s.text,
                    "citation": s.citation.marker if s.citation else None,
                    "markers": [c.marker for c in s.citations],
                    "cited": s.citation is not None,
                }
                for s in self.sentences
            ],
            "citations": [
                c.model_dump(exclude={"passage"}) for s in self.sentences for c in s.citations
            ],
            "uncited_sentences": self.uncited,
            "removed_markers": self.removed_markers,
            "sources": [s.model_dump() for s in self.sources],
        }
