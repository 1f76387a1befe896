"""Follow-ups: rewrite 'and in London?' into a standalone question using the conversation."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from assistant.domain.levels import LEVEL, ladder_names, seniority_words

_LEAD = re.compile(
    r"^\s*(?:and|but|also|ok(?:ay)?|so|then)?[\s,]*(?:what|how)\s+about\s+|^\s*(?:and|but|also)\s+",
    re.I,
)
_QUESTION_WORD = re.compile(
    r"^\s*(what|how|who|which|where|when|why|is|are|does|do|did|can|could|should|will|tell|list)\b",
    re.I,
)
_PLACE = re.compile(r"\b(in|at|for|from)\s+((?:the\s+)?[A-Z][\w.&'-]*(?:\s+[A-Z][\w.&'-]*)*)")
_SENIORITY = rf"(?i:{seniority_words()})"
# A level: a seniority word with or without a ladder name ("Senior SDE"), or a ladder's level
# ("L5", "Level 4", "SDE II"; the ladders are in resources/domain/levels.txt).
_LEVEL = re.compile(
    rf"{_SENIORITY}(?:\s+(?i:{'|'.join(re.escape(n) for n in ladder_names() if len(n) > 2)})\b)?"
    rf"|{LEVEL.pattern}"
)
_PRONOUN = re.compile(r"\b(it|they|them|that|those|this|there|their)\b", re.I)


def is_follow_up(question: str) -> bool:
    """A question that leans on the previous one: 'and in London?', 'what about Acme?'."""
    q = question.strip()
    if _LEAD.match(q):
        return True
    words = q.rstrip("?. ").split()
    if len(words) <= 4 and not _QUESTION_WORD.match(q):
        return True
    return len(words) <= 8 and bool(_PRONOUN.search(q)) and not _PLACE.search(q)


def rewrite(question: str, previous: list[str], companies: tuple[str, ...] = ()) -> str:
    """A standalone question: the follow-up's new slot (a company first) put into the last one."""
    if not previous or not is_follow_up(question):
        return question
    base = previous[-1].strip().rstrip("?")
    slot = _LEAD.sub("", question.strip()).strip().rstrip("?. ").strip()
    if not slot:
        return question
    named = _named(slot, companies)
    if named:
        new = _display(slot, named[0])
        old_names = _named(base, companies)
        for old_name in old_names:
            base = re.sub(rf"\b{re.escape(old_name)}\b", new, base, flags=re.I)
        if not old_names:
            base = f"{base} at {new}"
        pattern = rf"\b(?:(?:in|at|for|from)\s+)?{re.escape(named[0])}\b"
        slot = re.sub(pattern, "", slot, flags=re.I).strip(" ,")
        if not _PLACE.search(slot):
            return f"{base}?"
    place = _PLACE.search(slot)
    if place and _PLACE.search(base):
        old = _PLACE.search(base)
        assert old is not None
        return f"{base[: old.start()]}{place.group(0)}{base[old.end() :]}?"
    if place:
        return f"{base} {place.group(0)}?"
    level = _LEVEL.search(slot)
    if level and _LEVEL.search(base):
        return f"{_LEVEL.sub(level.group(0), base, count=1)}?"
    if _PRONOUN.search(slot) and not _QUESTION_WORD.match(slot):
        return f"{base}: {slot}?"
    if _QUESTION_WORD.match(slot):
        subject = _subject(base)
        return f"{slot} ({subject})?" if subject else f"{slot}?"
    return f"{base} {slot}?"


def _named(text: str, companies: tuple[str, ...]) -> list[str]:
    """The companies a text names, in the order it names them."""
    found = [(m.start(), c) for c in companies for m in [_mention(c, text)] if m]
    return [c for _, c in sorted(found)]


def _mention(company: str, text: str) -> re.Match[str] | None:
    return re.search(rf"\b{re.escape(company)}\b", text, re.I)


def _display(text: str, company: str) -> str:
    """The company as the user wrote it ('Acme'), else title-cased."""
    m = _mention(company, text)
    written = m.group(0) if m else company
    return written if written != written.lower() else company.title()


def _subject(base: str) -> str:
    """The named things of a question ('Acme', 'Los Angeles'), to carry into the next one."""
    names = re.findall(r"(?<!^)\b[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*)*", base)
    return ", ".join(dict.fromkeys(n for n in names if n.lower() not in {"what", "how", "ml", "i"}))


def rewrite_with_llm(model: Any, prompts_dir: Path, question: str, previous: list[str]) -> str:
    """The LLM's standalone question; raises ValueError if the reply is not one usable line."""
    from langchain_core.messages import HumanMessage, SystemMessage

    from assistant.answer.generate import content_text
    from assistant.answer.templates import render_prompt

    history = "\n".join(f"- {q}" for q in previous[-4:])
    messages = [
        SystemMessage(render_prompt(prompts_dir, "rewrite.system")),
        HumanMessage(
            render_prompt(prompts_dir, "rewrite.user", history=history, question=question)
        ),
    ]
    reply = content_text(model.invoke(messages).content).strip()
    line = reply.splitlines()[0].strip().strip("\"'") if reply else ""
    line = re.sub(r"^(?:standalone question|question)\s*:\s*", "", line, flags=re.I).strip()
    if not 3 <= len(line) <= 400 or not re.search(r"[A-Za-z]", line):
        raise ValueError(f"not a usable rewrite: {reply[:80]!r}")
    return line
