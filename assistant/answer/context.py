"""LLM context: retrieved chunks as numbered, delimited passages within a token budget."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from langchain_core.documents import Document

from assistant.index.chunking import Unit, units_from_metadata
from assistant.ingest.safety import looks_like_injection

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
        return _join(self.units, lambda u: u.text)

    @property
    def prompt_text(self) -> str:
        """The passage as the LLM sees it: fences defused, instruction-like sentences marked."""
        return _join(self.units, _prompt_unit)


def _join(units: list[Unit], text_of: Callable[[Unit], str]) -> str:
    out = ""
    for unit in units:
        sep = " " if unit.kind == "sentence" and out and not out.endswith("\n") else "\n"
        out = f"{out}{sep if out else ''}{text_of(unit)}"
    return out


# Passage text can neither close its block nor open one, nor speak as a chat role: '<' before a
# tag or template token ('</passage', '<system>', '<|im_start|>', '<<SYS>>') becomes '‹', '|>'
# becomes '|›', and [INST]-style brackets become parentheses.
_TAG_OPEN = re.compile(r"<(?=[/|<!A-Za-z_]|\s*/?\s*passage)", re.I)
_INST = re.compile(r"\[(\s*/?\s*(?:inst|sys|system|instructions?)\s*)\]", re.I)
# Instruction-like sentences are kept, marked, rather than dropped: the passage still reads as
# the document does (a user may ask what a document says, and the citation check maps sentences
# onto the same units), while the mark and the system prompt tell the model it is quoted data.
FLAG = "[flagged: instruction aimed at a model, quoted from the document]"


def neutralise(text: str) -> str:
    """Defuse fence, tag and chat-template syntax in passage text."""
    return _INST.sub(r"(\1)", _TAG_OPEN.sub("‹", text).replace("|>", "|›"))


def _prompt_unit(unit: Unit) -> str:
    text = neutralise(unit.text)
    return f"{FLAG} {text}" if looks_like_injection(unit.text) else text


def render_blocks(blocks: list[Block]) -> str:
    """The passages as they appear in the prompt."""
    out = []
    for b in blocks:
        attrs = f'n="{b.n}" file="{html.escape(b.file)}" section="{html.escape(b.section)}"'
        out.append(f"<passage {attrs}>\n{b.prompt_text}\n</passage>")
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
            cost = count(_prompt_unit(unit)) + 1
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
