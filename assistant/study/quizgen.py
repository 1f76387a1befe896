"""Quiz questions phrased by the configured LLM, each checked; a bad one keeps its cloze."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from assistant.study.quiz import Fact, QuizRules
from assistant.textnorm import match_key


def usable_question(reply: str, fact: Fact, rules: QuizRules | None = None) -> str | None:
    """The reply's question if it is one line, a question, and does not give the answer away."""
    rules = rules or QuizRules()
    line = reply.strip().splitlines()[0].strip().strip("\"'") if reply.strip() else ""
    line = re.sub(r"^(?:question|q)\s*[:.]\s*", "", line, flags=re.I).strip()
    if not rules.llm_min_chars <= len(line) <= rules.llm_max_chars or not line.endswith("?"):
        return None
    answer = match_key(fact.answer)
    if answer and answer in match_key(line):
        return None  # the question gives the answer away
    numbers = set(re.findall(r"\d[\d,.]*", fact.answer))
    if numbers & set(re.findall(r"\d[\d,.]*", line)):
        return None  # "Is it $207K–$284K?" leaks a figure even when worded differently
    return line


def phrase_questions(
    model: Any,
    prompts_dir: Path,
    picked: list[Fact],
    notify: Callable[[str], None],
    rules: QuizRules | None = None,
) -> list[Fact]:
    """Each fact with the LLM's question as its prompt, where the question passes the checks."""
    from langchain_core.messages import HumanMessage, SystemMessage

    from assistant.answer.generate import content_text
    from assistant.answer.templates import render_prompt

    system = SystemMessage(render_prompt(prompts_dir, "quiz.system"))
    out: list[Fact] = []
    kept = 0
    for fact in picked:
        user = render_prompt(
            prompts_dir,
            "quiz.user",
            source=fact.source,
            passage=fact.passage.text,
            answer=fact.answer,
        )
        try:
            reply = content_text(model.invoke([system, HumanMessage(user)]).content)
        except Exception as exc:  # the cloze question is always there to fall back on
            notify(f"the LLM could not phrase quiz questions ({type(exc).__name__}); using cloze")
            return out + picked[len(out) :]
        question = usable_question(reply, fact, rules)
        if question is None:
            kept += 1
            out.append(fact)
        else:
            out.append(replace(fact, prompt=question))
    if kept:
        notify(
            f"{kept} of {len(picked)} LLM questions were unusable or gave the answer away: "
            "kept as cloze"
        )
    return out
