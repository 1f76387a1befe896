"""Cite (LLM answers): map each [n] to its passage, drop markers that point nowhere, flag gaps.

A sentence that repeats an instruction planted in a passage is dropped.
"""

from __future__ import annotations

import re

from assistant.answer.citations import Answer, Citation, Sentence, Source
from assistant.answer.context import Block
from assistant.ingest.safety import looks_like_injection
from assistant.textnorm import match_key, tokens

MARKERS = re.compile(r"\s*\[\s*(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\s*\]")
_LEADING = re.compile(r"^(?:\s*\[\s*\d{1,3}(?:\s*[,;]\s*\d{1,3})*\s*\])+")
_LIST_MARK = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")


def split_sentences(text: str) -> list[str]:
    """Sentences of a generated answer; a marker that opens a sentence belongs to the one before."""
    import pysbd

    seg = pysbd.Segmenter(language="en", clean=False)
    parts: list[str] = []
    for line in text.splitlines():
        line = _LIST_MARK.sub("", line).strip()
        if not line:
            continue
        for piece in seg.segment(line):
            piece = piece.strip()
            lead = _LEADING.match(piece)
            if lead and parts:
                parts[-1] += " " + lead.group(0).strip()
                piece = piece[lead.end() :].strip()
            if piece:
                parts.append(piece)
    return parts


def _best_unit(block: Block, sentence: str) -> tuple[int, int, float]:
    """The unit of the block that the sentence most resembles: its offsets and overlap."""
    words = set(match_key(sentence).split())
    best = (block.units[0].start, block.units[-1].end, 0.0) if block.units else (0, 0, 0.0)
    for unit in block.units:
        unit_words = set(match_key(unit.text).split())
        overlap = len(words & unit_words) / max(1, len(words))
        if overlap > best[2]:
            best = (unit.start, unit.end, overlap)
    return best


def _quotes_instruction(block: Block, sentence: str) -> bool:
    """Whether the sentence mostly repeats a unit of the block that instructs a model."""
    words = set(tokens(sentence))
    return any(
        len(words & set(tokens(u.text))) >= 0.8 * max(1, len(words))
        and looks_like_injection(u.text)
        for u in block.units
    )


def _citation(block: Block, sentence: str) -> Citation:
    start, end, overlap = _best_unit(block, sentence)
    meta = block.chunk.metadata
    return Citation(
        marker=block.n,
        file=block.file,
        section=block.section,
        start=start,
        end=end,
        score=round(overlap, 4),
        chunk_id=str(meta.get("id", "")),
        chunk_start=int(meta.get("start", 0)),
        chunk_end=int(meta.get("end", 0)),
        passage=block.chunk.page_content,
    )


def check_citations(question: str, raw: str, blocks: list[Block], engine: str) -> Answer:
    """The generated text as a cited Answer: [n] maps to block n; bad markers are removed."""
    by_n = {b.n: b for b in blocks}
    sentences: list[Sentence] = []
    removed: list[int] = []
    for part in split_sentences(raw):
        numbers = [int(n) for m in MARKERS.finditer(part) for n in re.split(r"[,;]", m.group(1))]
        text = MARKERS.sub("", part).strip()
        text = re.sub(r"\s+([.,;:!?])", r"\1", text)
        if not text or not re.search(r"\w", text):
            continue
        if any(_quotes_instruction(by_n[n], text) for n in numbers if n in by_n):
            continue  # an instruction planted in a document (or obeying one) is never an answer
        cites: list[Citation] = []
        for n in dict.fromkeys(numbers):  # unique, in order
            if n in by_n:
                cites.append(_citation(by_n[n], text))
            else:
                removed.append(n)
        sentences.append(Sentence(text=text, citation=cites[0] if cites else None, more=cites[1:]))
    sources = []
    for n in sorted({c.marker for s in sentences for c in s.citations}):
        meta = by_n[n].chunk.metadata
        sources.append(
            Source(
                marker=n,
                file=by_n[n].file,
                title=str(meta.get("title", "")),
                sections=[by_n[n].section] if by_n[n].section else [],
                last_updated=str(meta["last_updated"]) if meta.get("last_updated") else None,
            )
        )
    return Answer(
        question=question,
        sentences=sentences,
        sources=sources,
        engine=engine,
        removed_markers=sorted(set(removed)),
    )
