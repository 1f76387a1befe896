"""LLM context: retrieved chunks as numbered, delimited passages within a token budget."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field

from langchain_core.documents import Document

from assistant.chunking import Unit, units_from_metadata

Counter = Callable[[str], int]


@dataclass
class Block:
    """One numbered passage of the prompt: the units of a chunk that fit the budget."""

    n: int
    chunk: Document
    units: list[Unit] = field(default_factory=list)

    @property
    def file(self) -> str:
        return str(self.chunk.metadata.get("source", ""))

    @property
    def section(self) -> str:
        return str(self.chunk.metadata.get("section", ""))

    @property
    def text(self) -> str:
        """The passage text: sentences joined by spaces, rows and items on their own lines."""
        out = ""
        for unit in self.units:
            sep = " " if unit.kind == "sentence" and out and not out.endswith("\n") else "\n"
            out = f"{out}{sep if out else ''}{unit.text}"
        return out


def _neutralise(text: str) -> str:
    """Passage text cannot open or close a block: its '<passage' and '</passage' are defused."""
    return text.replace("</passage", "‹/passage").replace("<passage", "‹passage")


def render_blocks(blocks: list[Block]) -> str:
    """The passages as they appear in the prompt."""
    out = []
    for b in blocks:
        attrs = f'n="{b.n}" file="{html.escape(b.file)}" section="{html.escape(b.section)}"'
        out.append(f"<passage {attrs}>\n{_neutralise(b.text)}\n</passage>")
    return "\n\n".join(out)


def _cut_words(text: str, budget: int, count: Counter) -> str:
    """The longest prefix of whole words within budget tokens (for a single oversized sentence)."""
    words = text.split(" ")
    lo, hi = 0, len(words)
    while lo < hi:  # binary search on the number of words
        mid = (lo + hi + 1) // 2
        if count(" ".join(words[:mid]) + " …") <= budget:
            lo = mid
        else:
            hi = mid - 1
    return " ".join(words[:lo]) + " …" if lo else ""


def build_blocks(docs: list[Document], budget: int, count: Counter) -> list[Block]:
    """Numbered blocks in retrieval order, whole sentences only, until the budget is spent."""
    blocks: list[Block] = []
    used = 0
    overhead = 24  # tokens of the <passage ...> wrapper, roughly
    for doc in docs:
        if used + overhead >= budget:
            break
        block = Block(n=len(blocks) + 1, chunk=doc)
        used += overhead
        for unit in units_from_metadata(doc.metadata):
            cost = count(unit.text) + 1
            if used + cost <= budget:
                block.units.append(unit)
                used += cost
                continue
            if not block.units and not blocks:  # one sentence larger than the whole budget
                text = _cut_words(unit.text, budget - used, count)
                if text:
                    block.units.append(Unit(unit.start, unit.end, unit.kind, text))
                    used = budget
            break
        if not block.units:
            break
        blocks.append(block)
    return blocks
