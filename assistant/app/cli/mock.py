"""`prep mock`: practise an interview round and get feedback grounded in the documents."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from assistant.app.cli.root import (
    CompanyOpt,
    IndexOpt,
    JsonOpt,
    LlmOpt,
    SeedsOpt,
    _assistant,
    app,
)
from assistant.errors import BadQuestion

if TYPE_CHECKING:
    from assistant.answer.citations import Answer
    from assistant.app.service import Assistant
    from assistant.study.critique import FollowUp
    from assistant.study.grading import Feedback
    from assistant.study.passages import Passage
    from assistant.study.rounds import Round
    from assistant.study.studylog import MockStats


def _span(file: str, section: str, start: int, end: int) -> str:
    where = f" · {section}" if section else ""
    return f"[{file}{where} · chars {start}-{end}]"


def _cite(ref: Passage) -> str:
    return _span(ref.source, ref.section, ref.start, ref.end)


def _read_answer(path: Path | None) -> str:
    """The answer: the file, else stdin up to an empty line or the end of input."""
    if path is not None:
        try:
            return path.read_text(encoding="utf-8")
        except OSError as exc:
            raise BadQuestion(f"cannot read {path}: {exc.strerror or exc}; check the path") from exc
    if sys.stdin.isatty():
        typer.echo("Type your answer; an empty line (or Ctrl+D) ends it.", err=True)
    lines: list[str] = []
    for line in sys.stdin:
        if not line.strip() and lines:
            break
        lines.append(line.rstrip("\r\n"))
    return "\n".join(lines).strip()


def _why(stats: MockStats, rnd: Round) -> str:
    """Why this round comes first: never practised, or the lowest latest score."""
    record = stats.progress(rnd.company, rnd.name)
    if record is None:
        return "A round you have not practised yet (--round picks another; --list shows all)."
    return (
        f"Your weakest round: last score {record.last:.0f}/100 "
        f"({len(record.scores)} attempts; --round picks another)."
    )


def _show(rnd: Round, prompt: Passage) -> None:
    from assistant.study.rounds import prompt_text

    minutes = f" ({rnd.minutes} min)" if rnd.minutes else ""
    typer.echo(f"{rnd.name}{minutes} — {rnd.company.title()}")
    typer.echo(f"Prompt: {prompt_text(prompt)} {_cite(prompt)}")
    if rnd.time_ref is not None and rnd.minutes:
        typer.echo(f"Time box: {rnd.minutes} minutes {_cite(rnd.time_ref)}")
    typer.echo("")


def _feedback(fb: Feedback, saved: bool = True) -> None:
    typer.echo(f"\nScore: {fb.score:.0f}/100" + (f" — {fb.note}" if fb.note else ""))
    typer.echo("\nRubric (what the documents say interviewers grade):")
    for mark in fb.marks:
        typer.echo(f"  [{mark.status}] {mark.point.name} {_cite(mark.point.ref)}")
        if mark.evidence:
            typer.echo(f"      you said: {mark.evidence}")
    if fb.pitfalls:
        typer.echo("\nPitfalls the documents warn about (check your answer against them):")
        for mark in fb.pitfalls:
            typer.echo(f"  {mark.point.name} {_cite(mark.point.ref)}")
            if mark.evidence:
                typer.echo(f"      your answer comes near it: {mark.evidence}")
    if fb.to_add:
        typer.echo("\nMost useful to add:")
        for n, mark in enumerate(fb.to_add, start=1):
            typer.echo(f"  {n}. {mark.point.ref.text} {_cite(mark.point.ref)}")
    if saved and fb.answer.strip():
        typer.echo("\nSaved: prep progress shows your scores per round.")


def _critique(answer: Answer | None) -> None:
    if answer is None:
        return
    typer.echo("\nCritique:" + (f" none — {answer.notice}" if answer.notice else ""))
    for s in answer.sentences:
        cites = " ".join(_span(c.file, c.section, c.start, c.end) for c in s.citations)
        typer.echo(f"  {s.text} {cites or '(uncited)'}")
    if answer.removed_markers:
        gone = ", ".join(f"[{m}]" for m in answer.removed_markers)
        typer.echo(f"  (removed markers that point at no rubric passage: {gone})")


def _interview(
    assistant: Assistant, rnd: Round, prompt: Passage, answer: str, answer_file: Path | None
) -> None:
    """With an LLM: the first answer's feedback, a follow-up, the second answer, the critique.

    The saved attempt is both answers graded together: one attempt per round practised.
    """
    first = assistant.grade_mock(rnd, prompt, answer)
    _feedback(first, saved=False)
    asked = assistant.mock_follow_up(first)
    second = ""
    if asked is not None:
        typer.echo(
            f"\nInterviewer: {asked.question}" + (f" {_cite(asked.ref)}" if asked.ref else "")
        )
        if answer_file is None:
            second = _read_answer(None)
        else:
            typer.echo(
                "(--answer-file gives one answer: the follow-up is left for you to think over)"
            )
    from assistant.study.critique import with_follow_up

    both = with_follow_up(answer, second)
    fb = assistant.submit_mock(rnd, prompt, both)
    if second:
        typer.echo(f"\nBoth answers together (the first alone scored {first.score:.0f}/100):")
        _feedback(fb)
    else:
        typer.echo("\nSaved: prep progress shows your scores per round.")
    _critique(assistant.mock_critique(fb))


@app.command()
def mock(
    round_name: Annotated[
        str | None, typer.Option("--round", help="the round to practise (default: the first)")
    ] = None,
    company: CompanyOpt = None,
    answer_file: Annotated[
        Path | None, typer.Option("--answer-file", help="read the answer from this file")
    ] = None,
    list_rounds: Annotated[
        bool, typer.Option("--list", help="list the rounds the documents describe")
    ] = False,
    as_json: JsonOpt = False,
    llm: LlmOpt = None,
    seeds: SeedsOpt = None,
    index_dir: IndexOpt = None,
) -> None:
    """Practise an interview round: a prompt, your answer, feedback (--llm: follow-up, critique)."""
    assistant = _assistant(seeds, index_dir, llm)
    if list_rounds:
        for rnd in assistant.rounds():
            minutes = f", {rnd.minutes} min" if rnd.minutes else ""
            typer.echo(f"{rnd.company}: {rnd.name} ({len(rnd.rubric)} rubric points{minutes})")
        return
    rnd = assistant.mock_round(round_name, company)
    prompt = assistant.mock_prompt(rnd)
    if not as_json:
        if not round_name:
            typer.echo(_why(assistant.mock_progress(), rnd))
        _show(rnd, prompt)
    answer = _read_answer(answer_file)
    with_llm = assistant.settings.llm != "extractive"
    if with_llm and answer.strip() and not as_json:
        _interview(assistant, rnd, prompt, answer, answer_file)
        return
    fb = assistant.submit_mock(rnd, prompt, answer)
    if as_json:
        out = fb.to_json()
        if with_llm:
            out |= _llm_json(assistant.mock_follow_up(fb), assistant.mock_critique(fb))
        typer.echo(json.dumps(out, ensure_ascii=False))
    else:
        _feedback(fb)


def _llm_json(asked: FollowUp | None, said: Answer | None) -> dict[str, object]:
    from assistant.study.critique import critique_json

    return {
        "follow_up": asked.to_json() if asked else None,
        "critique": critique_json(said) if said else None,
    }
