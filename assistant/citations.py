"""Cite: the answer model (sentences, citations, sources) and its text and JSON forms."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

REFUSAL = (
    "The documents do not cover this question, so I won't guess. "
    "Try rephrasing it, or add a document that covers it (put it in the documents folder "
    "and run `prep index`)."
)


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
    """One sentence of the answer and its citation."""

    text: str
    citation: Citation


class Source(BaseModel):
    """A cited document, numbered as its marker."""

    marker: int
    file: str
    title: str
    sections: list[str] = Field(default_factory=list)
    last_updated: str | None = None


class Answer(BaseModel):
    """An answer: cited sentences, or a refusal."""

    question: str
    sentences: list[Sentence] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)
    refused: bool = False
    reason: str | None = None
    note: str | None = None
    engine: str = "extractive"

    @classmethod
    def refusal(cls, question: str, reason: str | None = None) -> Answer:
        """The answer when nothing relevant was found."""
        return cls(question=question, refused=True, reason=reason)

    @property
    def answer(self) -> str:
        """The answer text, every sentence ending with its [n] marker."""
        if self.refused:
            return f"{self.reason} {REFUSAL}" if self.reason else REFUSAL
        lines = [f"{s.text} [{s.citation.marker}]" for s in self.sentences]
        if self.note:
            lines.append(f"({self.note})")
        return "\n".join(lines)

    def sources_text(self) -> str:
        """The numbered sources: file, title, sections, date."""
        out = []
        for src in self.sources:
            where = " · ".join(src.sections)
            dated = f" (updated {src.last_updated})" if src.last_updated else ""
            spans = ", ".join(
                f"{s.citation.start}-{s.citation.end}"
                for s in self.sentences
                if s.citation.marker == src.marker
            )
            out.append(f"[{src.marker}] {src.file} — {src.title}{dated}")
            if where:
                out.append(f"    section: {where}")
            out.append(f"    chars: {spans}")
        return "\n".join(out)

    def to_text(self) -> str:
        """Answer and sources as shown in the terminal."""
        if self.refused:
            return self.answer
        return f"{self.answer}\n\nSources:\n{self.sources_text()}"

    def to_json(self) -> dict[str, Any]:
        """The JSON object of `prep ask --json`."""
        return {
            "question": self.question,
            "answer": self.answer,
            "refused": self.refused,
            "reason": self.reason,
            "engine": self.engine,
            "note": self.note,
            "sentences": [{"text": s.text, "citation": s.citation.marker} for s in self.sentences],
            "citations": [s.citation.model_dump(exclude={"passage"}) for s in self.sentences],
            "sources": [s.model_dump() for s in self.sources],
        }
