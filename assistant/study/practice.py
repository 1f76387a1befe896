"""What to practise next: the weakest round first, and a round's least-answered prompt."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.study.passages import Passage
    from assistant.study.rounds import Round
    from assistant.study.studylog import MockStats


def weakest(rounds: list[Round], stats: MockStats) -> Round:
    """A round never practised (documents' order), else the one whose latest score is lowest."""

    def key(pair: tuple[int, Round]) -> tuple[float, int]:
        order, rnd = pair
        record = stats.progress(rnd.company, rnd.name)
        return (-1.0 if record is None else record.last, order)

    return min(enumerate(rounds), key=key)[1]


def next_prompt(rnd: Round, stats: MockStats) -> Passage:
    """The round's prompt answered least often (the documents' order breaks ties)."""
    record = stats.progress(rnd.company, rnd.name)
    used = record.prompts if record else {}
    return min(rnd.prompts, key=lambda p: used.get(p.text, 0))
