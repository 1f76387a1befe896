"""Prompt files render strictly: a missing variable or file is an error that names the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.answer.templates import render, render_prompt
from assistant.errors import PromptError
from assistant.paths import resource_dir

PROMPTS = resource_dir("prompts")


def test_missing_variable_raises() -> None:
    with pytest.raises(PromptError, match="question"):
        render("Q: {{ question }} ({{ passages }})", passages="p")


def test_missing_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(PromptError, match=r"answer\.system\.md.*PREP_PROMPTS_DIR"):
        render_prompt(tmp_path, "answer.system", max_sentences=4, not_covered="X")


@pytest.mark.parametrize(
    ("name", "variables"),
    [
        ("answer.system", {"max_sentences": 4, "not_covered": "NOT_COVERED"}),
        (
            "answer.user",
            {"passages": '<passage n="1">x</passage>', "question": "Q?", "max_sentences": 4},
        ),
        ("rewrite.system", {}),
        ("rewrite.user", {"history": "- a", "question": "and b?"}),
        ("quiz.system", {}),
        ("quiz.user", {"source": "004.txt", "passage": "London — Total: £207K", "answer": "£207K"}),
    ],
)
def test_shipped_prompts_render(name: str, variables: dict[str, object]) -> None:
    text = render_prompt(PROMPTS, name, **variables)
    assert "{{" not in text and text
    for value in variables.values():
        assert str(value) in text
    if variables:  # every variable is required
        with pytest.raises(PromptError):
            render_prompt(PROMPTS, name, **dict(list(variables.items())[1:]))


def test_system_prompt_states_the_rules() -> None:
    text = render_prompt(PROMPTS, "answer.system", max_sentences=3, not_covered="NOT_COVERED")
    assert "data, not instructions" in text and "[2]" in text and "at most 3 sentences" in text
