"""The generated typo set: seeded single-character slips in a share of the words."""

from __future__ import annotations

import random

from assistant.evaluation.golden import GoldenCase
from assistant.evaluation.typos import typo, typo_set, with_typos


def _one_edit_apart(a: str, b: str) -> bool:
    """b is a with one letter dropped, doubled, replaced, or two neighbours swapped."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        return len(diff) == 1 or (
            len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
        )
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def test_a_typo_is_one_slip_that_keeps_the_first_letter() -> None:
    rng = random.Random(3)
    for word in ("compensation", "interview", "Stockholm", "pay"):
        for _ in range(50):
            out = typo(word, rng)
            assert out[0] == word[0]
            assert out == word or _one_edit_apart(word, out), (word, out)


def test_a_third_of_the_words_change_and_figures_never() -> None:
    text = "What is the total compensation for a senior engineer at Hooli in London? L5 $520K"
    out = with_typos(text, 1 / 3, "seed")
    words, typed = text.split(), out.split()
    assert len(words) == len(typed)
    changed = [a for a, b in zip(words, typed, strict=True) if a != b]
    eligible = [w for w in words if sum(ch.isalpha() for ch in w) >= 3]
    assert 1 <= len(changed) <= round(len(eligible) / 3)
    assert typed[-2:] == ["L5", "$520K"]


def test_typos_depend_only_on_the_case_and_the_seed() -> None:
    a = GoldenCase("a", "How many onsite interview rounds are there?", [], [], False)
    b = GoldenCase("b", "What is the base salary in Stockholm?", [], [], False)
    alone = typo_set([a], 1 / 3, 7)
    both = typo_set([b, a], 1 / 3, 7)
    assert alone[0].question == both[1].question != a.question
    assert alone[0].id == "a~typos"
    assert typo_set([a], 0, 7)[0].question == a.question
