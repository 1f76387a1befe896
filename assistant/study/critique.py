"""Mock interview with an LLM: the interviewer's follow-up question and a cited critique.

The rubric points (and the pitfalls an answer fell into) become numbered passages, as retrieved
chunks do for LLM answers; the critique goes through the same citation check, so every
sentence cites a rubric passage at its file offsets or is marked uncited. Whatever the LLM
does, a follow-up question exists: a reply that is no usable question, or a failing server,
gives one built from the first rubric point the answer missed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assistant.errors import PromptError
from assistant.ingest.safety import looks_like_injection
from assistant.retrieve.lexical import terms
from assistant.study.grading import MISSED, PARTLY, Feedback, Mark, passage_json
from assistant.study.passages import Passage
from assistant.study.rounds import prompt_text
from assistant.textnorm import match_key

if TYPE_CHECKING:
    from assistant.answer.citations import Answer
    from assistant.answer.context import Block
    from assistant.settings import Settings

_PREFIX = re.compile(
    r"^(?:\*\*)?(?:interviewer|follow[- ]?up(?: question)?|question|q)(?:\*\*)?\s*[:.\-–—]\s*", re.I
)
_PITFALL = "a pitfall the answer may fall into"


@dataclass(frozen=True)
class FollowUp:
    """The interviewer's follow-up question, and the rubric passage it probes when known."""

    question: str
    ref: Passage | None
    by: str  # "llm" | "rubric" (built offline from the first point missed)

    def to_json(self) -> dict[str, Any]:
        """The follow-up as JSON: question, who wrote it, the passage it probes."""
        return {
            "question": self.question,
            "by": self.by,
            "why": passage_json(self.ref) if self.ref else None,
        }


def with_follow_up(first: str, second: str | None) -> str:
    """The attempt that is graded and saved: the first answer, then the follow-up's if any."""
    return f"{first}\n{second}" if (second or "").strip() else first


def focus(feedback: Feedback) -> list[Mark]:
    """The points to probe: missed, then partly covered (else the weakest covered one)."""
    marks = list(feedback.to_add)
    if not marks and feedback.marks:
        marks = [min(feedback.marks, key=lambda m: m.match)]
    return marks


def _blocks(marks: list[Mark], settings: Settings) -> list[Block]:
    """The marks' passages as numbered prompt blocks within the passage token budget."""
    from langchain_core.documents import Document

    from assistant.answer.context import build_blocks
    from assistant.index.chunking import tiktoken_counter

    docs = []
    for mark in marks:
        ref = mark.point.ref
        meta = {
            "source": ref.source,
            "title": ref.title,
            "section": ref.section,
            "id": ref.key,
            "start": ref.start,
            "end": ref.end,
            "units": json.dumps([[ref.start, ref.end, ref.kind, ref.text]]),
            "last_updated": ref.last_updated,
        }
        docs.append(Document(page_content=ref.text, metadata=meta))
    count = tiktoken_counter(settings.tiktoken_encoding)
    return build_blocks(docs, settings.context_tokens, count)


def _status(mark: Mark, pitfall: bool) -> str:
    status = _PITFALL if pitfall else mark.status
    said = f" — the candidate said: “{mark.evidence}”" if mark.evidence else ""
    return f"{status}{said}"


def _fenced(text: str) -> str:
    """The candidate's answer as prompt data: it can neither close its block nor open one."""
    from assistant.answer.context import neutralise

    return neutralise(text.strip()) or "(no answer)"


def _messages(
    settings: Settings, name: str, feedback: Feedback, marks: list[Mark], pitfalls: int
) -> tuple[list[Any], list[Block]]:
    """System and user messages of prompts/<name>.*.md, and the numbered blocks they show."""
    from langchain_core.messages import HumanMessage, SystemMessage

    from assistant.answer.context import render_blocks
    from assistant.answer.templates import render_prompt

    blocks = _blocks(marks, settings)
    lines = [f"Passage {b.n}: {_status(marks[b.n - 1], b.n <= pitfalls)}" for b in blocks]
    n = settings.mock_critique_sentences
    variables = {
        "round": feedback.round.name,
        "prompt": prompt_text(feedback.prompt),
        "answer": _fenced(feedback.answer),
        "passages": render_blocks(blocks),
        "marks": "\n".join(lines),
        "max_sentences": n,
    }
    prompts = settings.prompts_dir
    system = render_prompt(prompts, f"{name}.system", max_sentences=n)
    return [
        SystemMessage(system),
        HumanMessage(render_prompt(prompts, f"{name}.user", **variables)),
    ], blocks


def _ask(model: Any, messages: list[Any]) -> str:
    from assistant.answer.generate import content_text

    return content_text(model.invoke(messages).content).strip()


# --- the follow-up question -------------------------------------------------------------------
def usable_follow_up(
    reply: str, feedback: Feedback, settings: Settings, about: list[Mark] | None = None
) -> str | None:
    """The reply if it is one question on one line, of sane length, not the prompt again.

    With `about`, the question must also share a content word with one of those points.
    """
    from assistant.answer.citecheck import MARKERS

    lines = [line.strip() for line in reply.strip().splitlines() if line.strip()]
    if len(lines) != 1:
        return None
    line = MARKERS.sub("", _PREFIX.sub("", lines[0].strip("*\"'“” "))).strip().strip("\"'“”")
    low, high = settings.mock_followup_min_chars, settings.mock_followup_max_chars
    if not low <= len(line) <= high or not line.endswith("?") or line.count("?") != 1:
        return None
    if looks_like_injection(line):
        return None
    words = set(match_key(line).split())
    for text in {prompt_text(feedback.prompt), feedback.prompt.text}:
        shared = len(words & set(match_key(text).split())) / max(1, len(words))
        if shared >= settings.mock_same_as_prompt:
            return None  # the prompt asked again
    if about and _probed(line, about) is None:
        return None  # about something no rubric point names
    return line


def offline_follow_up(mark: Mark, settings: Settings) -> FollowUp:
    """A follow-up from the rubric: the point's own question if it asks one, else about it."""
    high = settings.mock_followup_max_chars
    asks = [p for p in mark.point.parts[1:] if p.rstrip().endswith("?") and len(p) <= high]
    if asks:
        return FollowUp(asks[0].strip(), mark.point.ref, "rubric")
    text = " ".join(mark.point.parts[:2]) if len(mark.point.parts[0].split()) <= 4 else ""
    text = (text or mark.point.parts[0]).strip().rstrip(".:;!?")
    frame = "How would you address this: “{}”?"
    room = max(20, high - len(frame) + 2)  # the frame's "{}" is not printed
    if len(text) > room:
        cut = text.rfind(" ", 0, room - 2)
        text = text[: cut if cut > 0 else room - 2].rstrip(",;:") + " …"
    return FollowUp(frame.format(text), mark.point.ref, "rubric")


def _probed(question: str, marks: list[Mark]) -> Passage | None:
    """The passage among the marks' that shares the most content words with the question."""
    words = set(terms(question))
    scored = [(len(words & set(terms(m.point.ref.text))), i) for i, m in enumerate(marks)]
    best = max(scored, default=(0, 0))
    return marks[best[1]].point.ref if best[0] else None


def follow_up(
    model: Any, settings: Settings, feedback: Feedback, notify: Callable[[str], None]
) -> FollowUp | None:
    """The interviewer's one follow-up: the LLM's if usable, else one from the rubric."""
    from assistant.answer.llm import failure

    marks = focus(feedback)
    fallback = offline_follow_up(marks[0], settings) if marks else None
    messages, _ = _messages(settings, "mock_followup", feedback, marks, 0)
    try:
        reply = _ask(model, messages)
    except PromptError:
        raise
    except Exception as exc:  # the rubric's own question is there to fall back on
        notify(f"{failure(exc, settings)}; the follow-up question comes from the rubric")
        return fallback
    question = usable_follow_up(reply, feedback, settings, marks)
    if question is None:
        if fallback is not None:
            notify("the LLM's follow-up was not one usable question; asking one from the rubric")
        return fallback
    return FollowUp(question, _probed(question, marks), "llm")


# --- the critique -----------------------------------------------------------------------------
def critique(model: Any, settings: Settings, feedback: Feedback) -> Answer:
    """The LLM's short critique, every [n] checked against the numbered rubric passages.

    A failing LLM, or a reply that cites no passage, gives an empty critique with a notice.
    """
    from assistant.answer.citations import Answer
    from assistant.answer.citecheck import check_citations
    from assistant.answer.llm import describe, endpoint, failure

    engine = f"{settings.llm}:{endpoint(settings)[1]}"
    question = prompt_text(feedback.prompt)
    pitfalls = list(feedback.touched)
    rank = {MISSED: 0, PARTLY: 1}
    marks = pitfalls + sorted(feedback.marks, key=lambda m: rank.get(m.status, 2))
    if not marks:
        return Answer(question=question, engine=engine, notice="the round has no rubric to cite")
    messages, blocks = _messages(settings, "mock_critique", feedback, marks, len(pitfalls))
    try:
        raw = _ask(model, messages)
    except PromptError:
        raise
    except Exception as exc:
        return Answer(question=question, engine=engine, notice=failure(exc, settings))
    answer = check_citations(question, raw, blocks, engine)
    kept = answer.sentences[: settings.mock_critique_sentences]
    if not any(s.citation for s in kept):
        why = "sent an empty reply" if not raw else "cited no rubric passage, so it is not shown"
        return Answer(
            question=question, engine=engine, notice=f"the LLM ({describe(settings)}) {why}"
        )
    used = {c.marker for s in kept for c in s.citations}
    sources = [s for s in answer.sources if s.marker in used]
    return answer.model_copy(update={"sentences": kept, "sources": sources})


def critique_json(answer: Answer) -> dict[str, Any]:
    """The critique as JSON: each sentence with its citations and an 'uncited' flag."""
    return {
        "engine": answer.engine,
        "notice": answer.notice,
        "sentences": [
            {
                "text": s.text,
                "uncited": s.citation is None,
                "citations": [
                    c.model_dump(include={"marker", "file", "section", "start", "end"})
                    for c in s.citations
                ],
            }
            for s in answer.sentences
        ],
        "removed_markers": answer.removed_markers,
    }
